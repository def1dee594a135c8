"use client";

import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { useCan } from "@/components/auth/role-context";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { fieldErrorsByPath } from "@/lib/forms/field-errors";
import {
  authFieldSchema,
  FIELD_TYPE_LABELS,
  FIELD_TYPES,
  type FieldType,
  LIMITS,
  slugFromLabel,
} from "@/lib/integrations/schema";
import { type FieldDraft, fieldBody, fieldPath, newField } from "./auth-draft";

type Errors = Record<string, string>;

/** Which control of which row gets the focus after the rows change under it. */
type FocusRequest = { key: string; control: "label" | "up" | "down" | "remove" } | "add";

/**
 * The auth fields: add, remove and reorder rows (move buttons, so the keyboard can do all of it),
 * each row checked when the focus leaves it. A new row's slug follows its label until the admin
 * types a slug of their own.
 */
export function AuthFieldsEditor({
  fields,
  onChange,
  errors,
  onErrorsChange,
}: {
  fields: FieldDraft[];
  onChange: (fields: FieldDraft[]) => void;
  errors: Errors;
  onErrorsChange: (update: (errors: Errors) => Errors) => void;
}) {
  const headingId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const [announcement, setAnnouncement] = useState("");
  // A Viewer sees the rows (their inputs disabled by the editor) without add, move or remove.
  const canChange = useCan("admin");

  // Moving a row moves its DOM nodes, which drops the focus; put it back where the admin was.
  useEffect(() => {
    if (!focus) return;
    if (focus === "add") addRef.current?.focus();
    else {
      const row = listRef.current?.querySelector(`[data-row="${focus.key}"]`);
      const wanted = row?.querySelector<HTMLElement>(`[data-control="${focus.control}"]`);
      const fallback = row?.querySelector<HTMLElement>(
        `[data-control="${focus.control === "up" ? "down" : "up"}"]`,
      );
      (wanted && !wanted.matches(":disabled") ? wanted : fallback)?.focus();
    }
    setFocus(null);
  }, [focus]);

  const update = (key: string, change: (row: FieldDraft) => FieldDraft) =>
    onChange(fields.map((row) => (row.key === key ? change(row) : row)));

  const move = (index: number, by: -1 | 1) => {
    const next = [...fields];
    const [row] = next.splice(index, 1);
    if (!row) return;
    next.splice(index + by, 0, row);
    onChange(next);
    setFocus({ key: row.key, control: by < 0 ? "up" : "down" });
    setAnnouncement(
      `${rowName(row, index)} moved to position ${index + by + 1} of ${next.length}.`,
    );
  };

  const remove = (index: number) => {
    const row = fields[index];
    if (!row) return;
    const next = fields.filter((other) => other.key !== row.key);
    onChange(next);
    onErrorsChange((current) => withoutRow(current, row.key));
    const neighbour = next[index] ?? next[index - 1];
    setFocus(neighbour ? { key: neighbour.key, control: "remove" } : "add");
    setAnnouncement(`${rowName(row, index)} removed.`);
  };

  const add = () => {
    const row = newField();
    onChange([...fields, row]);
    onErrorsChange(({ authFields: _, ...rest }) => rest);
    setFocus({ key: row.key, control: "label" });
  };

  /** The row's own checks and, across rows, a slug used twice. */
  const check = (row: FieldDraft) => {
    const found: Errors = {};
    const parsed = authFieldSchema.safeParse(fieldBody(row));
    if (!parsed.success) {
      for (const [property, message] of Object.entries(fieldErrorsByPath(parsed.error))) {
        found[`authFields.${row.key}.${property}`] = message;
      }
    }
    const first = fields.findIndex((other) => other.slug === row.slug);
    if (!found[fieldPath(row, "slug")] && row.slug && fields[first]?.key !== row.key) {
      found[fieldPath(row, "slug")] = `Slug "${row.slug}" is already used by field ${first + 1}`;
    }
    onErrorsChange((current) => ({ ...withoutRow(current, row.key), ...found }));
  };

  return (
    <section aria-labelledby={headingId} className="grid gap-3">
      <div>
        <h3 id={headingId} className="font-medium text-fg text-sm">
          Auth fields
        </h3>
        <p className="mt-0.5 text-fg-muted text-sm">
          What end users fill in when they connect. Test code reads each value as{" "}
          <code className="font-mono text-fg text-xs">secrets.&lt;slug&gt;</code>.
        </p>
      </div>

      {fields.length === 0 ? (
        <p className="rounded-lg border border-line border-dashed px-3 py-4 text-center text-fg-muted text-sm">
          No fields yet.
        </p>
      ) : (
        <ol ref={listRef} className="grid gap-3" aria-label="Auth fields">
          {fields.map((row, index) => (
            <FieldRow
              key={row.key}
              row={row}
              index={index}
              count={fields.length}
              errors={errors}
              onChange={(change) => {
                update(row.key, change);
                onErrorsChange((current) =>
                  withoutRowProperties(current, row.key, change(row), row),
                );
              }}
              onMove={(by) => move(index, by)}
              onRemove={() => remove(index)}
              onLeave={() => check(row)}
              canChange={canChange}
            />
          ))}
        </ol>
      )}

      {errors.authFields ? <p className="text-danger-text text-sm">{errors.authFields}</p> : null}
      {canChange ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button
            ref={addRef}
            type="button"
            variant="secondary"
            size="sm"
            onClick={add}
            disabled={fields.length >= LIMITS.fields}
          >
            <Plus aria-hidden="true" />
            Add field
          </Button>
          {fields.length >= LIMITS.fields ? (
            <span className="text-fg-subtle text-xs">At most {LIMITS.fields} fields.</span>
          ) : null}
        </div>
      ) : null}
      <p className="sr-only" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}

function FieldRow({
  row,
  index,
  count,
  errors,
  onChange,
  onMove,
  onRemove,
  onLeave,
  canChange,
}: {
  row: FieldDraft;
  index: number;
  count: number;
  errors: Errors;
  onChange: (change: (row: FieldDraft) => FieldDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  onLeave: () => void;
  canChange: boolean;
}) {
  const headingId = useId();
  const name = rowName(row, index);
  const error = (property: keyof FieldDraft) => errors[fieldPath(row, property)];

  return (
    <li data-row={row.key} className="min-w-0 rounded-lg border border-line">
      <fieldset
        aria-labelledby={headingId}
        className="min-w-0"
        onBlur={(event) => {
          // Checked once the focus leaves the row, not on every move inside it.
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) onLeave();
        }}
      >
        <div className="flex items-center justify-between gap-2 rounded-t-lg border-line border-b bg-surface-subtle py-1 pr-1 pl-3">
          <p className="min-w-0 truncate text-sm">
            <span id={headingId} className="font-medium text-fg">
              Field {index + 1}
            </span>
            {row.label.trim() ? <span className="text-fg-muted"> · {row.label}</span> : null}
          </p>
          {canChange ? (
            <div className="flex shrink-0">
              <Button
                type="button"
                variant="ghost"
                size="icon-sm"
                data-control="up"
                aria-label={`Move ${name} up`}
                title="Move up"
                disabled={index === 0}
                onClick={() => onMove(-1)}
              >
                <ArrowUp aria-hidden="true" />
              </Button>
              <Button
                type="button"
                variant="ghost"
                size="icon-sm"
                data-control="down"
                aria-label={`Move ${name} down`}
                title="Move down"
                disabled={index === count - 1}
                onClick={() => onMove(1)}
              >
                <ArrowDown aria-hidden="true" />
              </Button>
              <Button
                type="button"
                variant="ghost"
                size="icon-sm"
                data-control="remove"
                aria-label={`Remove ${name}`}
                title="Remove"
                className="text-danger hover:bg-danger-subtle hover:text-danger-hover"
                onClick={onRemove}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
          ) : null}
        </div>

        <div className="grid gap-4 p-3 @lg:grid-cols-2">
          <Field label="Label" error={error("label")}>
            <Input
              data-control="label"
              value={row.label}
              autoComplete="off"
              placeholder="API key"
              onChange={(event) => {
                const label = event.target.value;
                onChange((current) => ({
                  ...current,
                  label,
                  slug: current.slugEdited ? current.slug : slugFromLabel(label),
                }));
              }}
            />
          </Field>
          <Field
            label="Slug"
            error={error("slug")}
            hint={row.slugEdited ? undefined : "Suggested from the label."}
          >
            <Input
              value={row.slug}
              autoComplete="off"
              spellCheck={false}
              placeholder="api_key"
              className="font-mono"
              onChange={(event) => {
                const slug = event.target.value;
                // Emptied: the label suggests one again.
                onChange((current) => ({ ...current, slug, slugEdited: slug !== "" }));
              }}
            />
          </Field>
          <Field label="Type" error={error("type")}>
            <Select
              value={row.type}
              onChange={(event) => {
                const type = event.target.value as FieldType;
                onChange((current) => ({ ...current, type }));
              }}
            >
              {FIELD_TYPES.map((type) => (
                <option key={type} value={type}>
                  {FIELD_TYPE_LABELS[type]}
                </option>
              ))}
            </Select>
          </Field>
          <Field label="Placeholder" optional error={error("placeholder")}>
            <Input
              value={row.placeholder}
              autoComplete="off"
              onChange={(event) => {
                const placeholder = event.target.value;
                onChange((current) => ({ ...current, placeholder }));
              }}
            />
          </Field>
          <Field
            label="Description"
            optional
            error={error("description")}
            className="@lg:col-span-2"
          >
            <Textarea
              rows={2}
              value={row.description}
              placeholder="Where end users find this value"
              className="min-h-16"
              onChange={(event) => {
                const description = event.target.value;
                onChange((current) => ({ ...current, description }));
              }}
            />
          </Field>
          <label className="flex items-center gap-2 text-fg text-sm @lg:col-span-2">
            <input
              type="checkbox"
              checked={row.required}
              onChange={(event) => {
                const required = event.target.checked;
                onChange((current) => ({ ...current, required }));
              }}
              className="size-4 rounded border-line-strong accent-accent"
            />
            Required
            <span className="text-fg-subtle">· end users must fill it in</span>
          </label>
        </div>
      </fieldset>
    </li>
  );
}

/** How buttons and announcements name a row: by its label once it has one. */
function rowName(row: FieldDraft, index: number): string {
  return row.label.trim() ? `field ${index + 1} (${row.label.trim()})` : `field ${index + 1}`;
}

function withoutRow(errors: Errors, key: string): Errors {
  const prefix = `authFields.${key}.`;
  return Object.fromEntries(Object.entries(errors).filter(([path]) => !path.startsWith(prefix)));
}

/** Typing in a control clears its error (and the slug's, when the label rewrote the slug). */
function withoutRowProperties(
  errors: Errors,
  key: string,
  next: FieldDraft,
  previous: FieldDraft,
): Errors {
  const changed = (Object.keys(next) as (keyof FieldDraft)[]).filter(
    (property) => next[property] !== previous[property],
  );
  if (changed.length === 0) return errors;
  const paths = new Set(changed.map((property) => `authFields.${key}.${property}`));
  return Object.fromEntries(Object.entries(errors).filter(([path]) => !paths.has(path)));
}
