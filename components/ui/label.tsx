import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type LabelProps = React.ComponentProps<"label">;

export function Label({ className, ...props }: LabelProps) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: callers pass htmlFor or wrap the control.
    <label
      className={cn("font-medium text-fg text-sm leading-5 peer-disabled:opacity-60", className)}
      {...props}
    />
  );
}
