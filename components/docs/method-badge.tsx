import { Badge, type BadgeVariant } from "@/components/ui/badge";
import { cn } from "@/lib/utils/cn";

const METHOD_VARIANTS: Record<string, BadgeVariant> = {
  GET: "info",
  POST: "success",
  PUT: "warning",
  PATCH: "warning",
  DELETE: "danger",
};

/** The HTTP method, in a fixed width so paths line up beneath one another. */
export function MethodBadge({ method, className }: { method: string; className?: string }) {
  return (
    <Badge
      variant={METHOD_VARIANTS[method] ?? "neutral"}
      className={cn("w-14 justify-center font-mono font-semibold", className)}
    >
      {method}
    </Badge>
  );
}

/** Response statuses coloured by class: success, client error, server error. */
const STATUS_CLASS_VARIANTS: Record<string, BadgeVariant> = {
  "2": "success",
  "4": "warning",
  "5": "danger",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge
      variant={STATUS_CLASS_VARIANTS[status.charAt(0)] ?? "neutral"}
      className="w-11 justify-center font-mono"
    >
      {status}
    </Badge>
  );
}
