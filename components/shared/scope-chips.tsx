import { cn } from "@/lib/utils/cn";

/** Space-separated OAuth scopes as chips, in the mono face people copy them from. */
export function ScopeChips({ scope, className }: { scope: string; className?: string }) {
  const scopes = scope.split(/\s+/).filter(Boolean);
  return (
    <ul className={cn("flex flex-wrap gap-1.5", className)} aria-label="Scopes">
      {scopes.map((item) => (
        <li
          key={item}
          className="max-w-full break-all rounded-md bg-surface-muted px-1.5 py-0.5 font-mono text-fg text-xs leading-5 ring-1 ring-line-strong ring-inset"
        >
          {item}
        </li>
      ))}
    </ul>
  );
}
