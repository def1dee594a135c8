import type { FieldOutline, SchemaOutline } from "@/lib/api/openapi-outline";
import { cn } from "@/lib/utils/cn";
import { Code, RichText } from "./rich-text";

/**
 * A body's schema: an object shows its fields; anything else (a scalar, a choice of variants)
 * shows its type and what it allows.
 */
export function SchemaView({ schema }: { schema: SchemaOutline }) {
  if (schema.fields.length > 0 && schema.variants.length === 0) {
    return (
      <div className="space-y-2">
        {schema.description ? <RichText text={schema.description} /> : null}
        <Constraints items={schema.constraints} />
        <FieldList fields={schema.fields} />
      </div>
    );
  }
  return (
    <div className="rounded-lg border border-line px-3 py-2.5 sm:px-4">
      <TypeName schema={schema} />
      <SchemaDetails schema={schema} />
    </div>
  );
}

/** Parameters or an object's fields: name, type, required, description, limits. */
export function FieldList({
  fields,
  nested = false,
}: {
  fields: FieldOutline[];
  nested?: boolean;
}) {
  return (
    <ul
      className={cn(
        "divide-y divide-line",
        nested ? "mt-2 border-line border-l-2 pl-3" : "rounded-lg border border-line",
      )}
    >
      {fields.map((field) => (
        <li
          key={`${field.location ?? ""}:${field.name}`}
          className={nested ? "py-2" : "px-3 py-2.5 sm:px-4"}
        >
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
            <code className="font-medium font-mono text-fg text-sm [overflow-wrap:anywhere]">
              {field.name}
            </code>
            <TypeName schema={field.schema} />
            {field.location ? (
              <span className="text-fg-subtle text-xs">in {field.location}</span>
            ) : null}
            {field.required ? (
              <span className="font-medium text-danger-text text-xs">required</span>
            ) : (
              <span className="text-fg-subtle text-xs">optional</span>
            )}
          </div>
          <SchemaDetails schema={field.schema} />
        </li>
      ))}
    </ul>
  );
}

function TypeName({ schema }: { schema: SchemaOutline }) {
  return (
    <span className="font-mono text-fg-muted text-xs [overflow-wrap:anywhere]">
      {schema.name ? `${schema.name} (${schema.type})` : schema.type}
    </span>
  );
}

/** Everything about a schema below its name and type. */
function SchemaDetails({ schema }: { schema: SchemaOutline }) {
  return (
    <>
      {schema.description ? <RichText text={schema.description} className="mt-1" /> : null}
      {schema.values.length > 0 ? (
        <p className="mt-1.5 flex flex-wrap items-baseline gap-1.5 text-fg-subtle text-xs">
          {schema.values.length === 1 ? "Always" : "One of"}
          {schema.values.map((value) => (
            <Code key={value} className="text-xs">
              {value}
            </Code>
          ))}
        </p>
      ) : null}
      <Constraints items={schema.constraints} className="mt-1.5" />
      {schema.fields.length > 0 ? <FieldList fields={schema.fields} nested /> : null}
      {schema.variants.length > 0 ? <Variants variants={schema.variants} /> : null}
    </>
  );
}

function Constraints({ items, className }: { items: string[]; className?: string }) {
  if (items.length === 0) return null;
  return (
    <ul className={cn("flex flex-wrap gap-1.5", className)} aria-label="Limits">
      {items.map((item) => (
        <li
          key={item}
          className="max-w-full rounded-md bg-surface-muted px-1.5 py-0.5 font-mono text-fg-muted text-xs ring-1 ring-line ring-inset [overflow-wrap:anywhere]"
        >
          {item}
        </li>
      ))}
    </ul>
  );
}

function Variants({ variants }: { variants: SchemaOutline[] }) {
  return (
    <div className="mt-2 space-y-2">
      <p className="text-fg-subtle text-xs">One of:</p>
      {variants.map((variant, index) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: variants are fixed by the document.
          key={index}
          className="rounded-lg border border-line bg-surface-subtle px-3 py-2.5"
        >
          <p className="font-medium font-mono text-fg text-sm [overflow-wrap:anywhere]">
            {variant.name ?? `Variant ${index + 1}`}{" "}
            <span className="font-normal text-fg-muted text-xs">{variant.type}</span>
          </p>
          <SchemaDetails schema={variant} />
        </div>
      ))}
    </div>
  );
}
