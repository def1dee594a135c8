"use client";

import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { AuthFieldOutput } from "@/lib/integrations/contract";

/** What a value input needs to know of its field. */
export type ValueField = AuthFieldOutput;

/**
 * One input per auth field, as an end user would fill them in: PASSWORD masked, MULTI_LINE_TEXT a
 * textarea, NUMBER numeric. Errors are keyed "values.<slug>", as the server sends them. The values
 * live in the caller's state only, and password managers are asked to keep out.
 */
export function FieldValueInputs({
  fields,
  values,
  onChange,
  errors,
}: {
  fields: readonly ValueField[];
  values: Record<string, string>;
  onChange: (slug: string, value: string) => void;
  errors: Record<string, string>;
}) {
  return (
    <div className="grid gap-4">
      {fields.map((field) => (
        <Field
          key={field.slug}
          label={field.label}
          optional={!field.required}
          hint={field.description || undefined}
          error={errors[`values.${field.slug}`]}
        >
          <ValueInput
            field={field}
            value={values[field.slug] ?? ""}
            onChange={(value) => onChange(field.slug, value)}
          />
        </Field>
      ))}
    </div>
  );
}

function ValueInput({
  field,
  value,
  onChange,
}: {
  field: ValueField;
  value: string;
  onChange: (value: string) => void;
}) {
  const common = {
    name: field.slug,
    value,
    placeholder: field.placeholder ?? undefined,
    // The Field marks optional ones in its label; assistive technology hears about the rest.
    "aria-required": field.required || undefined,
    autoComplete: "off",
    spellCheck: false,
    "data-1p-ignore": true,
    "data-lpignore": "true",
  };
  switch (field.type) {
    case "MULTI_LINE_TEXT":
      return <Textarea {...common} rows={3} onChange={(event) => onChange(event.target.value)} />;
    case "PASSWORD":
      return (
        <Input
          {...common}
          type="password"
          className="font-mono"
          onChange={(event) => onChange(event.target.value)}
        />
      );
    case "NUMBER":
      return (
        <Input
          {...common}
          type="number"
          step="any"
          inputMode="decimal"
          onChange={(event) => onChange(event.target.value)}
        />
      );
    default:
      return <Input {...common} onChange={(event) => onChange(event.target.value)} />;
  }
}
