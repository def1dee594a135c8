"use client";

import { FlaskConical } from "lucide-react";
import { type FormEvent, useId, useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import type { SampleTestReport } from "@/lib/integrations/contract";
import { authFieldSchema, characterCount, LIMITS } from "@/lib/integrations/schema";
import { FieldValueInputs } from "../field-value-inputs";
import { useSampleTest } from "../queries";
import { TestReport } from "../test-report";
import { type FieldDraft, fieldBody } from "./auth-draft";

/**
 * "Test with sample values": a form generated from the editor's current fields, run against the
 * editor's current code, saved or not. The values stay in this component's state and are sent
 * once; nothing is stored (the server writes only an audit event saying a test ran).
 */
export function SampleTest({
  integrationId,
  code,
  fields,
}: {
  integrationId: string;
  code: string;
  fields: FieldDraft[];
}) {
  const headingId = useId();
  const { runTest, pending } = useSampleTest(integrationId);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [report, setReport] = useState<SampleTestReport | null>(null);
  const sendable = useMemo(() => fields.map(fieldBody), [fields]);
  const blocker = whyNot(code, sendable);

  async function run(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (blocker) return;
    setErrors({});
    const answer = await runTest({ code, fields: sendable, values: valuesFor(sendable, values) });
    if (!answer) return;
    if (answer.ok) setReport(answer.report);
    else {
      setReport(null);
      setErrors(answer.fieldErrors);
    }
  }

  const otherErrors = Object.entries(errors).filter(([path]) => !path.startsWith("values."));

  return (
    <form
      onSubmit={run}
      noValidate
      aria-labelledby={headingId}
      className="grid gap-4 rounded-lg border border-line bg-surface-subtle p-4"
    >
      <div>
        <h3 id={headingId} className="font-medium text-fg text-sm">
          Test with sample values
        </h3>
        <p className="mt-0.5 text-fg-muted text-sm">
          Runs the test code above with the fields above, saved or not, in the sandbox. Nothing is
          stored.
        </p>
      </div>
      {blocker ? (
        <p className="text-fg-muted text-sm">{blocker}</p>
      ) : sendable.length > 0 ? (
        <FieldValueInputs
          fields={sendable}
          values={values}
          errors={errors}
          onChange={(slug, value) => {
            setValues((current) => ({ ...current, [slug]: value }));
            setErrors(({ [`values.${slug}`]: _, ...rest }) => rest);
          }}
        />
      ) : (
        <p className="text-fg-muted text-sm">
          With no auth fields, the code runs with empty <code className="font-mono">secrets</code>.
        </p>
      )}
      {otherErrors.length > 0 ? (
        <ul role="alert" className="grid gap-1 text-danger-text text-sm">
          {otherErrors.map(([path, message]) => (
            <li key={path}>{message}</li>
          ))}
        </ul>
      ) : null}
      <div>
        <Button type="submit" variant="secondary" pending={pending} disabled={Boolean(blocker)}>
          {pending ? null : <FlaskConical aria-hidden="true" />}
          {pending ? "Running…" : "Run test"}
        </Button>
      </div>
      <div aria-live="polite" className="min-w-0">
        {report ? <TestReport report={report} onDismiss={() => setReport(null)} /> : null}
      </div>
    </form>
  );
}

type SendableField = ReturnType<typeof fieldBody>;

/** Why the test cannot run yet, in words, or null. */
function whyNot(code: string, fields: SendableField[]): string | null {
  if (code.trim() === "") return "Write test code above to test it.";
  if (characterCount(code) > LIMITS.code) {
    return `Shorten the test code to ${LIMITS.code.toLocaleString("en-US")} characters to test it.`;
  }
  const slugs = new Set<string>();
  for (const field of fields) {
    if (!authFieldSchema.safeParse(field).success || slugs.has(field.slug)) {
      return "Finish the auth fields above (each needs a label and its own valid slug) to fill in sample values.";
    }
    slugs.add(field.slug);
  }
  return null;
}

/** Only the current fields' values: a value typed for a field since removed is not sent. */
function valuesFor(fields: SendableField[], values: Record<string, string>) {
  return Object.fromEntries(fields.map((field) => [field.slug, values[field.slug] ?? ""]));
}
