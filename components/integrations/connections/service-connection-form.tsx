"use client";

import { type FormEvent, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import type { IntegrationDetail, SandboxReport } from "@/lib/integrations/contract";
import { checkConnectionValues } from "@/lib/integrations/schema";
import { FieldValueInputs } from "../field-value-inputs";
import { useSaveServiceConnection } from "../queries";
import { TestReport } from "../test-report";

/**
 * The one service connection of a SERVICE_ACCOUNT integration, as a form generated from its
 * saved auth fields. The server tests the values with the saved test code and stores them only if
 * it passes; a failed test shows its report. The values are cleared once stored.
 */
export function ServiceConnectionForm({
  integration,
  exists,
}: {
  integration: IntegrationDetail;
  /** A service connection is stored already, so saving replaces it. */
  exists: boolean;
}) {
  const headingId = useId();
  const { saveConnection, pending } = useSaveServiceConnection(integration.id);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failed, setFailed] = useState<SandboxReport | null>(null);
  const fields = integration.authFields;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailed(null);
    // The same check the server makes, to spare a round trip (and a sandbox run) for a blank.
    const checked = checkConnectionValues(fields, values);
    if (!checked.ok) {
      return setErrors(
        Object.fromEntries(
          Object.entries(checked.errors).map(([slug, m]) => [`values.${slug}`, m]),
        ),
      );
    }
    setErrors({});
    const answer = await saveConnection(values);
    if (!answer) return;
    if (answer.ok) {
      setValues({});
      toast.success(answer.replaced ? "Service connection replaced" : "Service connection added", {
        description: integration.authTestCode ? "The test code passed." : undefined,
      });
    } else if ("testFailed" in answer) setFailed(answer.testFailed);
    else setErrors(answer.fieldErrors);
  }

  const formErrors = Object.entries(errors).filter(([path]) => !path.startsWith("values."));

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-labelledby={headingId}
      className="grid min-w-0 gap-4 rounded-lg border border-line bg-surface-subtle p-4"
    >
      <div>
        <h3 id={headingId} className="font-medium text-fg text-sm">
          {exists ? "Replace the service connection" : "Add the service connection"}
        </h3>
        <p className="mt-0.5 text-fg-muted text-sm">
          One set of credentials, shared by every end user.{" "}
          {integration.authTestCode
            ? "The test code checks them first; only values that pass are stored."
            : "There is no test code, so they are stored as entered."}
        </p>
      </div>
      {fields.length === 0 ? (
        <p className="text-fg-muted text-sm">
          This integration has no saved auth fields. Add them on the Auth tab first.
        </p>
      ) : (
        <>
          <FieldValueInputs
            fields={fields}
            values={values}
            errors={errors}
            onChange={(slug, value) => {
              setValues((current) => ({ ...current, [slug]: value }));
              setErrors(({ [`values.${slug}`]: _, ...rest }) => rest);
            }}
          />
          {formErrors.length > 0 ? (
            <ul role="alert" className="grid gap-1 text-danger-text text-sm">
              {formErrors.map(([path, message]) => (
                <li key={path}>{message}</li>
              ))}
            </ul>
          ) : null}
          <div>
            <Button type="submit" pending={pending}>
              {exists ? "Replace service connection" : "Add service connection"}
            </Button>
          </div>
        </>
      )}
      <div aria-live="polite" className="min-w-0">
        {failed ? (
          <TestReport
            report={failed}
            title="The test failed, so nothing was stored"
            onDismiss={() => setFailed(null)}
          />
        ) : null}
      </div>
    </form>
  );
}
