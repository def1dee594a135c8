"use client";

import type * as React from "react";
import { cn } from "@/lib/utils/cn";
import { useFieldControl } from "./field";

/**
 * Shared by Input, Textarea and Select so every form control has the same edge and focus ring.
 * (`read-only:` styling lives on Input and Textarea: every `<select>` matches `:read-only`.)
 */
export const controlClasses =
  "w-full min-w-0 rounded-md border border-line-strong bg-surface text-base text-fg shadow-xs transition-[border-color,box-shadow] sm:text-sm " +
  "placeholder:text-fg-subtle outline-hidden " +
  "focus:border-accent focus:ring-3 focus:ring-accent/20 " +
  "disabled:cursor-not-allowed disabled:bg-surface-subtle disabled:text-fg-muted " +
  "aria-invalid:border-danger aria-invalid:focus:ring-danger/20";

export type InputProps = React.ComponentProps<"input">;

export function Input({ className, type = "text", ...props }: InputProps) {
  const fieldProps = useFieldControl(props);
  return (
    <input
      type={type}
      className={cn(
        controlClasses,
        "h-9 px-3 read-only:bg-surface-subtle file:mr-3 file:border-0 file:bg-transparent file:font-medium file:text-fg file:text-sm",
        className,
      )}
      {...props}
      {...fieldProps}
    />
  );
}
