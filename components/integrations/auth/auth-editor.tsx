"use client";

import { Save } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { plural } from "@/components/shared/format";
import { useLeaveGuard } from "@/components/shared/use-leave-guard";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import { fieldErrorsByPath } from "@/lib/forms/field-errors";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { AUTH_TYPE_INFO, updateAuthSchema } from "@/lib/integrations/schema";
import { cn } from "@/lib/utils/cn";
import { useSaveAuth } from "../queries";
import {
  type AuthBody,
  type AuthDraft,
  bodyFrom,
  draftFrom,
  errorsByRow,
  isDirty,
  isOAuthType,
  keptClient,
  storedSecrets,
} from "./auth-draft";
import { AuthFieldsEditor } from "./auth-fields-editor";
import { AuthTypeChoice } from "./auth-type-choice";
import { CodeField } from "./code-field";
import { OAuthClientForm } from "./oauth-client-form";
import { SampleTest } from "./sample-test";
import { TypeChangeDialog } from "./type-change-dialog";

type Errors = Record<string, string>;

const TEST_CODE_PLACEHOLDER = `// For example:
const response = await fetch("https://api.example.com/me", {
  headers: { Authorization: "Bearer " + secrets.api_key },
});
if (!response.ok) throw new Error("Invalid credentials");
return { ok: true };`;

/**
 * The Auth tab: the whole configuration in one form, saved with one request (the public API's
 * PATCH …/auth). Errors come back keyed by path and show beside their controls; a save that
 * changes the type asks first, saying how many connections it deletes.
 */
export function AuthEditor({
  integration,
  allowPrivateUrls,
}: {
  integration: IntegrationDetail;
  allowPrivateUrls: boolean;
}) {
  const [draft, setDraft] = useState<AuthDraft>(() => draftFrom(integration));
  const [errors, setErrors] = useState<Errors>({});
  // Bumped by each refused save: the first control with an error then gets the focus.
  const [refusals, setRefusals] = useState(0);
  const [confirming, setConfirming] = useState<AuthBody | null>(null);
  const { save, pending } = useSaveAuth(integration.id);
  const schema = useMemo(() => updateAuthSchema({ allowPrivateUrls }), [allowPrivateUrls]);
  const formRef = useRef<HTMLFormElement>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);
  // Where the focus goes when the type-change confirmation closes after sending: the status (the
  // Save button is disabled once saved) or the first control the server refused. Left null
  // (Cancel), the focus goes back to Save.
  const focusAfterDialog = useRef<"status" | "error" | null>(null);
  const dirty = isDirty(draft, integration);
  const canChange = useCan("admin");

  // Leaving the page (reload, another site) with unsaved edits asks first.
  useLeaveGuard(dirty);

  const focusFirstError = useCallback(() => {
    const control = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    control?.focus({ preventScroll: true });
    control?.scrollIntoView({ block: "center" });
  }, []);

  useEffect(() => {
    if (refusals > 0) focusFirstError();
  }, [refusals, focusFirstError]);

  const reject = (fieldErrors: Errors, rows = draft.fields) => {
    setErrors(errorsByRow(fieldErrors, rows));
    setRefusals((count) => count + 1);
  };

  const clearError = (path: string) =>
    setErrors((current) => {
      if (!(path in current)) return current;
      const { [path]: _, ...rest } = current;
      return rest;
    });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    focusAfterDialog.current = null;
    const body = bodyFrom(draft, integration);
    const parsed = schema.safeParse(body);
    if (!parsed.success) return reject(fieldErrorsByPath(parsed.error));
    setErrors({});
    if (body.authType !== integration.authType) setConfirming(body);
    else void send(body);
  }

  async function send(body: AuthBody) {
    const rows = draft.fields;
    const answer = await save(body);
    setConfirming(null);
    if (!answer) return;
    if (!answer.ok) {
      focusAfterDialog.current = "error";
      return reject(answer.fieldErrors, rows);
    }
    setDraft(draftFrom(answer.integration));
    setErrors({});
    focusAfterDialog.current = "status";
    toast.success("Auth configuration saved", {
      description:
        answer.connectionsDeleted > 0
          ? `${plural(answer.connectionsDeleted, "connection", "connections")} deleted with the type change.`
          : undefined,
    });
    // The Save button goes quiet once nothing is left to save: keep the focus nearby.
    statusRef.current?.focus();
  }

  const discard = () => {
    setDraft(draftFrom(integration));
    setErrors({});
  };

  const oauth = isOAuthType(draft.authType);
  // NONE has no fields; the editor stays while there are fields to remove, saved or in the draft.
  const showFields =
    draft.authType !== "NONE" || draft.fields.length > 0 || integration.authFields.length > 0;
  const problemCount = Object.keys(errors).length;

  return (
    <div className="grid min-w-0 gap-6">
      <form ref={formRef} onSubmit={submit} noValidate className="grid min-w-0 gap-6">
        {/* A Viewer sees the configuration in its controls, disabled; a fieldset disables them all. */}
        <fieldset disabled={!canChange} className="contents">
          <AuthTypeChoice
            value={draft.authType}
            savedType={integration.authType}
            error={errors.authType}
            onChange={(authType) => {
              setDraft((current) => ({ ...current, authType }));
              clearError("authType");
              clearError("oauthClient");
            }}
          />

          {draft.authType === "NONE" && draft.fields.length > 0 ? (
            <p className="rounded-lg border border-line bg-surface-subtle px-3 py-2.5 text-fg-muted text-sm">
              {AUTH_TYPE_INFO.NONE.label} takes no auth fields: end users fill in nothing. Remove
              these fields to save.
            </p>
          ) : null}
          {showFields ? (
            <AuthFieldsEditor
              fields={draft.fields}
              onChange={(fields) => setDraft((current) => ({ ...current, fields }))}
              errors={errors}
              onErrorsChange={setErrors}
            />
          ) : (
            <p className="rounded-lg border border-line bg-surface-subtle px-3 py-2.5 text-fg-muted text-sm">
              {AUTH_TYPE_INFO.NONE.label}: end users fill in nothing, so there are no auth fields.
            </p>
          )}

          {oauth ? (
            <OAuthClientForm
              draft={draft.oauth}
              stored={storedSecrets(draft, integration)}
              onChange={(oauthDraft) => setDraft((current) => ({ ...current, oauth: oauthDraft }))}
              errors={errors}
              clientReset={
                integration.oauthClient !== null &&
                draft.authType !== integration.authType &&
                keptClient(draft, integration) === null
              }
              allowPrivateUrls={allowPrivateUrls}
              onClearError={clearError}
            />
          ) : null}

          <CodeField
            label="Test code"
            optional
            value={draft.testCode}
            onChange={(testCode) => {
              setDraft((current) => ({ ...current, testCode }));
              clearError("authTestCode");
            }}
            error={errors.authTestCode}
            placeholder={canChange ? TEST_CODE_PLACEHOLDER : undefined}
            readOnly={!canChange}
            minLines={8}
            hint={
              <>
                Checks an end user&apos;s values before a connection is stored: the body of an async
                function called with <code className="font-mono text-fg text-xs">secrets</code> and{" "}
                <code className="font-mono text-fg text-xs">fetch</code>. Return to pass, throw to
                fail.
              </>
            }
          />
        </fieldset>

        {canChange ? (
          <SaveBar
            dirty={dirty}
            pending={pending && confirming === null}
            problemCount={problemCount}
            unplaced={unplacedErrors(errors)}
            statusRef={statusRef}
            onDiscard={discard}
          />
        ) : (
          <p className="border-line border-t pt-4 text-fg-muted text-sm">{VIEWER_CAN_ONLY_LOOK}</p>
        )}
      </form>

      {/* Testing runs code and is audited like the auth-config Test: an Admin's to do. */}
      {canChange ? (
        <SampleTest integrationId={integration.id} code={draft.testCode} fields={draft.fields} />
      ) : null}

      <TypeChangeDialog
        integrationId={integration.id}
        open={confirming !== null}
        onOpenChange={(open) => (open ? undefined : setConfirming(null))}
        from={integration.authType}
        to={draft.authType}
        pending={pending}
        onConfirm={() => (confirming ? void send(confirming) : undefined)}
        onClosed={(event) => {
          if (!focusAfterDialog.current) return;
          event.preventDefault();
          if (focusAfterDialog.current === "error") focusFirstError();
          else statusRef.current?.focus();
        }}
      />
    </div>
  );
}

/**
 * Save and Discard, with what is pending in words. It sticks to the bottom of the window while
 * the form is taller than it, so Save is in reach from any field.
 */
function SaveBar({
  dirty,
  pending,
  problemCount,
  unplaced,
  statusRef,
  onDiscard,
}: {
  dirty: boolean;
  pending: boolean;
  problemCount: number;
  unplaced: string[];
  statusRef: React.Ref<HTMLParagraphElement>;
  onDiscard: () => void;
}) {
  return (
    <div
      className={cn(
        "-mx-5 grid gap-2 border-line border-t bg-surface/95 px-5 py-3",
        // Only while there is something to save: a bar that says "saved" needs no place on top.
        (dirty || problemCount > 0) && "sticky bottom-0 z-10 backdrop-blur-sm",
      )}
    >
      {unplaced.length > 0 ? (
        <ul role="alert" className="grid gap-1 text-danger-text text-sm">
          {unplaced.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p
          ref={statusRef}
          tabIndex={-1}
          role="status"
          className={
            problemCount > 0
              ? "text-danger-text text-sm outline-hidden"
              : "text-fg-muted text-sm outline-hidden"
          }
        >
          {problemCount > 0
            ? `${plural(problemCount, "problem", "problems")} to fix`
            : dirty
              ? "Unsaved changes"
              : "All changes saved"}
        </p>
        <div className="ml-auto flex gap-2">
          {dirty ? (
            <Button type="button" variant="ghost" onClick={onDiscard} disabled={pending}>
              Discard
            </Button>
          ) : null}
          <Button type="submit" pending={pending} disabled={!dirty}>
            {pending ? null : <Save aria-hidden="true" />}
            Save
          </Button>
        </div>
      </div>
    </div>
  );
}

/** Errors with no control of their own to stand beside (say, a problem with the whole body). */
function unplacedErrors(errors: Errors): string[] {
  const placed =
    /^(authType|authFields|authTestCode|oauthClient)$|^authFields\.row-\d+\.|^oauthClient\.\w+$/;
  return Object.entries(errors)
    .filter(([path]) => !placed.test(path))
    .map(([, message]) => message);
}
