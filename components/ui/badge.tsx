import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type BadgeVariant = "neutral" | "success" | "warning" | "danger" | "info";

const variants: Record<BadgeVariant, string> = {
  neutral: "bg-surface-muted text-fg-muted ring-line-strong",
  success: "bg-success-subtle text-success-text ring-success-text/20",
  warning: "bg-warning-subtle text-warning-text ring-warning-text/20",
  danger: "bg-danger-subtle text-danger-text ring-danger-text/20",
  info: "bg-info-subtle text-info-text ring-info-text/20",
};

export type BadgeProps = React.ComponentProps<"span"> & { variant?: BadgeVariant };

export function Badge({ variant = "neutral", className, ...props }: BadgeProps) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1 whitespace-nowrap rounded-md px-1.5 py-0.5 font-medium text-xs leading-4 ring-1 ring-inset [&_svg]:size-3",
        variants[variant],
        className,
      )}
      {...props}
    />
  );
}
