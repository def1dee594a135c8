"use client";

import * as React from "react";
import { cn } from "@/lib/utils/cn";
import { Label } from "./label";

type FieldContextValue = {
  controlId: string;
  describedBy: string | undefined;
  invalid: boolean;
};

const FieldContext = React.createContext<FieldContextValue | null>(null);

/** The ids a custom control inside a `<Field>` needs (e.g. a slider); null outside a Field. */
export function useField(): FieldContextValue | null {
  return React.useContext(FieldContext);
}

type ControlA11yProps = {
  id?: string;
  "aria-describedby"?: string;
  "aria-invalid"?: React.AriaAttributes["aria-invalid"];
};

/**
 * Fills in id, aria-describedby and aria-invalid from the surrounding Field; props the caller set
 * explicitly win.
 */
export function useFieldControl(props: ControlA11yProps): ControlA11yProps {
  const field = React.useContext(FieldContext);
  if (!field) return {};
  const describedBy = [field.describedBy, props["aria-describedby"]].filter(Boolean).join(" ");
  return {
    id: props.id ?? field.controlId,
    "aria-describedby": describedBy || undefined,
    "aria-invalid": props["aria-invalid"] ?? (field.invalid || undefined),
  };
}

export type FieldProps = {
  label: React.ReactNode;
  /** Help text under the control. */
  hint?: React.ReactNode;
  /** Error message(s) for this field; zod's `flatten().fieldErrors[name]` fits as is. */
  error?: string | readonly string[] | null;
  /** The control's id; generated when omitted. */
  id?: string;
  /** Marks the field "Optional" next to its label (required is the norm). */
  optional?: boolean;
  className?: string;
  /** One control: Input, Textarea, Select, or a custom one that calls useField(). */
  children: React.ReactNode;
};

export function Field({ label, hint, error, id, optional, className, children }: FieldProps) {
  const generatedId = React.useId();
  const controlId = id ?? `field-${generatedId}`;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const messages = typeof error === "string" ? [error] : (error ?? []).filter(Boolean);
  const errorId = messages.length > 0 ? `${controlId}-error` : undefined;

  const value = React.useMemo<FieldContextValue>(
    () => ({
      controlId,
      // The error comes first so screen readers announce it before the hint.
      describedBy: [errorId, hintId].filter(Boolean).join(" ") || undefined,
      invalid: errorId !== undefined,
    }),
    [controlId, errorId, hintId],
  );

  return (
    <div className={cn("grid gap-1.5", className)}>
      <div className="flex items-baseline justify-between gap-2">
        <Label htmlFor={controlId}>{label}</Label>
        {optional ? <span className="text-fg-subtle text-xs">Optional</span> : null}
      </div>
      <FieldContext.Provider value={value}>{children}</FieldContext.Provider>
      {errorId ? (
        <p id={errorId} className="text-danger-text text-sm">
          {messages.join(" ")}
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="text-fg-subtle text-sm">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
