"use client";

import type * as React from "react";
import { cn } from "@/lib/utils/cn";
import { useFieldControl } from "./field";
import { controlClasses } from "./input";

export type TextareaProps = React.ComponentProps<"textarea">;

export function Textarea({ className, rows = 3, ...props }: TextareaProps) {
  const fieldProps = useFieldControl(props);
  return (
    <textarea
      rows={rows}
      className={cn(
        controlClasses,
        "block min-h-20 resize-y px-3 py-2 read-only:bg-surface-subtle",
        className,
      )}
      {...props}
      {...fieldProps}
    />
  );
}
