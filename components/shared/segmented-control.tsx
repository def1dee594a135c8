"use client";

import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type SegmentOption<Value extends string> = { value: Value; label: string };

export type SegmentedControlProps<Value extends string> = {
  /** The radios' shared name: one group per control. */
  name: string;
  options: readonly SegmentOption<Value>[];
  value: Value;
  onChange: (value: Value) => void;
  disabled?: boolean;
  size?: "sm" | "md";
  className?: string;
  /** Extra props for the radios, e.g. aria-describedby. */
  inputProps?: Omit<React.ComponentProps<"input">, "type" | "name" | "value" | "checked">;
};

/**
 * A row of native radio buttons that looks like a segmented control, so arrow keys, labels and
 * screen readers work as for any radio group. Wrap it in a `<fieldset>` with a `<legend>` that
 * names the choice. The transparent radio covers its segment, so a click lands on the radio.
 */
export function SegmentedControl<Value extends string>({
  name,
  options,
  value,
  onChange,
  disabled,
  size = "md",
  className,
  inputProps,
}: SegmentedControlProps<Value>) {
  return (
    <div
      className={cn(
        "inline-flex max-w-full rounded-lg bg-surface-muted p-0.5 ring-1 ring-line ring-inset",
        disabled && "opacity-60",
        className,
      )}
    >
      {options.map((option) => (
        <label key={option.value} className="relative flex-1 sm:flex-none">
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            disabled={disabled}
            className="peer absolute inset-0 m-0 size-full cursor-pointer appearance-none rounded-md opacity-0 disabled:cursor-not-allowed"
            {...inputProps}
          />
          <span
            className={cn(
              "block select-none whitespace-nowrap rounded-md text-center font-medium text-fg-muted transition-colors",
              size === "sm" ? "px-2.5 py-1 text-xs leading-5" : "px-3.5 py-1.5 text-sm",
              "peer-hover:text-fg peer-checked:bg-surface peer-checked:text-fg peer-checked:shadow-xs peer-checked:ring-1 peer-checked:ring-line-strong",
              "peer-focus-visible:outline-2 peer-focus-visible:outline-accent peer-focus-visible:outline-offset-1",
            )}
          >
            {option.label}
          </span>
        </label>
      ))}
    </div>
  );
}
