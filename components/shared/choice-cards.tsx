"use client";

import type * as React from "react";
import { useId } from "react";
import { cn } from "@/lib/utils/cn";

export type ChoiceCardOption<Value extends string> = {
  value: Value;
  label: string;
  description: React.ReactNode;
};

/**
 * Native radio buttons as cards, each with a line that explains it, for choices whose labels need
 * more words than a SegmentedControl fits. Wrap it in a `<fieldset>` with a `<legend>`; arrow
 * keys, labels and screen readers work as for any radio group.
 */
export function ChoiceCards<Value extends string>({
  name,
  options,
  value,
  onChange,
  invalid,
  className,
}: {
  /** The radios' shared name: one group per control. */
  name: string;
  options: readonly ChoiceCardOption<Value>[];
  value: Value;
  onChange: (value: Value) => void;
  invalid?: boolean;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={cn("grid gap-2", className)}>
      {options.map((option) => (
        <label
          key={option.value}
          className={cn(
            "flex cursor-pointer gap-3 rounded-lg border border-line px-3 py-2.5 transition-colors hover:bg-surface-subtle",
            "has-[:checked]:border-accent has-[:checked]:bg-accent-subtle",
            "has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-accent has-[:focus-visible]:outline-offset-2",
          )}
        >
          <input
            type="radio"
            name={name}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            aria-invalid={invalid || undefined}
            // Named by the label alone; the explanation is its description.
            aria-labelledby={`${id}-${option.value}-label`}
            aria-describedby={`${id}-${option.value}-description`}
            className="mt-0.5 size-4 shrink-0 accent-accent outline-hidden"
          />
          <span className="min-w-0">
            <span id={`${id}-${option.value}-label`} className="block font-medium text-fg text-sm">
              {option.label}
            </span>
            <span
              id={`${id}-${option.value}-description`}
              className="block text-fg-muted text-xs leading-relaxed"
            >
              {option.description}
            </span>
          </span>
        </label>
      ))}
    </div>
  );
}
