"use client";

import { ChevronDown } from "lucide-react";
import type * as React from "react";
import { cn } from "@/lib/utils/cn";
import { useFieldControl } from "./field";
import { controlClasses } from "./input";

export type SelectProps = React.ComponentProps<"select">;

/**
 * A native `<select>`: keyboard, screen-reader and mobile pickers work without extra code.
 * Pass `<option>` elements as children.
 */
export function Select({ className, children, ...props }: SelectProps) {
  const fieldProps = useFieldControl(props);
  return (
    <div className={cn("relative w-full", className)}>
      <select
        className={cn(controlClasses, "h-9 appearance-none pr-9 pl-3")}
        {...props}
        {...fieldProps}
      >
        {children}
      </select>
      <ChevronDown
        className="-translate-y-1/2 pointer-events-none absolute top-1/2 right-3 size-4 text-fg-subtle"
        aria-hidden="true"
      />
    </div>
  );
}
