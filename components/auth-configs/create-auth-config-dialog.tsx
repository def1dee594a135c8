"use client";

import { TriangleAlert } from "lucide-react";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import type {
  AuthConfigDetail,
  CreateAuthConfigFieldErrors,
  CreateAuthConfigFormInput,
} from "@/lib/auth-configs/contract";
import {
  AUTH_METHOD_LABELS,
  AUTH_METHODS,
  type AuthMethod,
  type CreateAuthConfigFields,
  createAuthConfigSchema,
} from "@/lib/auth-configs/schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { useCreateAuthConfig } from "./queries";

/**
 * What the form starts from: nothing (create), a config to duplicate under a new identifier, or
 * a config to replace under its own identifier. Never its secret.
 */
export type AuthConfigFormPrefill = { config: AuthConfigDetail; replace: boolean };

export type CreateAuthConfigDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  prefill: AuthConfigFormPrefill | null;
  /** A new key per opening, so every opening starts from a fresh form. */
  formKey: number;
  allowPrivateTokenUrls: boolean;
  onCreated: (config: AuthConfigDetail) => void;
};

export function CreateAuthConfigDialog({
  open,
  onOpenChange,
  prefill,
  formKey,
  allowPrivateTokenUrls,
  onCreated,
}: CreateAuthConfigDialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      {/* The fields scroll between a fixed header and footer, so the title and the buttons stay
          in view in a short window. */}
      <DialogContent className="flex max-w-2xl flex-col gap-0 overflow-hidden p-0">
        <DialogHeader className="border-line border-b px-6 pt-5 pb-4">
          <DialogTitle>{dialogTitle(prefill)}</DialogTitle>
          <DialogDescription>
            {prefill?.replace ? (
              <>
                Settings copied from{" "}
                <span className="break-all font-mono text-fg">{prefill.config.identifier}</span>.
                Enter the client secret (secrets are never copied) and change what needs changing.
                <UnreadableLeftEmpty config={prefill.config} />
              </>
            ) : prefill ? (
              <>
                Settings copied from{" "}
                <span className="break-all font-mono text-fg">{prefill.config.identifier}</span>.
                Choose a new identifier and enter the client secret: secrets are never copied.
                <UnreadableLeftEmpty config={prefill.config} />
              </>
            ) : (
              "OAuth 2.0 client credentials the platform uses to call another API. The credentials are stored encrypted."
            )}
          </DialogDescription>
        </DialogHeader>
        <CreateAuthConfigForm
          key={formKey}
          prefill={prefill}
          allowPrivateTokenUrls={allowPrivateTokenUrls}
          onCreated={onCreated}
          onCancel={() => onOpenChange(false)}
        />
      </DialogContent>
    </Dialog>
  );
}

/** Fields whose stored values do not open are not copied: the admin enters them again. */
function UnreadableLeftEmpty({ config }: { config: AuthConfigDetail }) {
  if (!config.unreadable) return null;
  return <> Fields whose stored values cannot be read are left empty.</>;
}

function dialogTitle(prefill: AuthConfigFormPrefill | null): string {
  if (!prefill) return "Create auth config";
  return prefill.replace ? "Replace auth config" : "Duplicate auth config";
}

const FIELD_ORDER: CreateAuthConfigFields[] = [
  "identifier",
  "tokenUrl",
  "scope",
  "clientId",
  "clientSecret",
  "authMethod",
  "audience",
  "description",
];

function CreateAuthConfigForm({
  prefill: from,
  allowPrivateTokenUrls,
  onCreated,
  onCancel,
}: {
  prefill: AuthConfigFormPrefill | null;
  allowPrivateTokenUrls: boolean;
  onCreated: (config: AuthConfigDetail) => void;
  onCancel: () => void;
}) {
  // The server parses with the same schema; this only spares a round trip for plain mistakes.
  const schema = useMemo(
    () => createAuthConfigSchema({ allowPrivateTokenUrls }),
    [allowPrivateTokenUrls],
  );
  const prefill = from?.config ?? null;
  const replacing = from?.replace ? from.config : null;
  const create = useCreateAuthConfig(replacing?.id);
  const [errors, setErrors] = useState<CreateAuthConfigFieldErrors>({});
  // Bumped by each rejected submit, naming the field to focus: the first with an error.
  const [rejected, setRejected] = useState<{ field: CreateAuthConfigFields } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!rejected) return;
    const control = formRef.current?.querySelector<HTMLElement>(`[name="${rejected.field}"]`);
    if (!control) return;
    control.focus({ preventScroll: true });
    // Scrolling to the label rather than the control keeps the field's name in view.
    const label = control.id ? formRef.current?.querySelector(`label[for="${control.id}"]`) : null;
    (label ?? control).scrollIntoView({ block: "nearest" });
  }, [rejected]);

  const reject = (fieldErrors: CreateAuthConfigFieldErrors) => {
    setErrors(fieldErrors);
    const field = FIELD_ORDER.find((name) => fieldErrors[name]);
    if (field) setRejected({ field });
  };

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readValues(new FormData(event.currentTarget));
    const parsed = schema.safeParse(values);
    if (!parsed.success) return reject(fieldErrorsOf<CreateAuthConfigFields>(parsed.error));
    setErrors({});
    let result: Awaited<ReturnType<typeof create.mutateAsync>>;
    try {
      result = await create.mutateAsync(values);
    } catch {
      return; // the hook has shown a toast; the form keeps what was typed
    }
    if (!result.ok) return reject(result.fieldErrors);
    onCreated(result.config);
  }

  // Typing in a field clears its error: the message described the old value.
  const clearError = (event: FormEvent<HTMLFormElement>) => {
    const name = (event.target as HTMLInputElement).name as CreateAuthConfigFields;
    if (errors[name]) setErrors(({ [name]: _, ...rest }) => rest);
  };

  const urlExample = "https://auth.example.com/oauth/token";

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      onChange={clearError}
      noValidate
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="grid min-h-0 flex-1 gap-5 overflow-y-auto px-6 py-5">
        <div
          role="note"
          className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text"
        >
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          {replacing ? (
            <p>
              Replace creates a new config under this identifier and deletes the current one in the
              same step: calls that use the identifier switch to the new settings at once, with no
              gap. Last used and tokens fetched carry over.
            </p>
          ) : (
            <p>
              Auth configs cannot be modified after creation. To change one later, use Replace on
              its detail.
            </p>
          )}
        </div>

        <Field
          label="Identifier"
          error={errors.identifier}
          hint={
            replacing
              ? "Kept as it is: callers name the config by its identifier."
              : "1–64 letters, digits, dots, underscores or hyphens; no spaces. Unique, ignoring case."
          }
        >
          <Input
            name="identifier"
            required
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            placeholder="partner-api"
            defaultValue={replacing?.identifier}
            readOnly={replacing !== null}
            className={replacing ? "bg-surface-subtle font-mono text-fg-muted" : "font-mono"}
          />
        </Field>

        <Field
          label="Access Token URL"
          error={errors.tokenUrl}
          hint={
            allowPrivateTokenUrls
              ? "The token endpoint of the OAuth 2.0 server."
              : "The token endpoint of the OAuth 2.0 server, over https."
          }
        >
          <Input
            name="tokenUrl"
            type="url"
            inputMode="url"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder={urlExample}
            defaultValue={prefill?.tokenUrl ?? undefined}
            className="font-mono"
          />
        </Field>

        <Field label="Scope" error={errors.scope} hint="Separate several scopes with spaces.">
          <Input
            name="scope"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="reports.read reports.write"
            defaultValue={prefill?.scope ?? undefined}
            className="font-mono"
          />
        </Field>

        <div className="grid gap-5 sm:grid-cols-2">
          <Field label="Client ID" error={errors.clientId}>
            <Input
              name="clientId"
              required
              autoComplete="off"
              spellCheck={false}
              defaultValue={prefill?.clientId ?? undefined}
              className="font-mono"
            />
          </Field>
          <Field label="Client Secret" error={errors.clientSecret}>
            <Input
              name="clientSecret"
              type="password"
              // Replacing is mostly about a new secret: start there, not on the fixed identifier.
              autoFocus={replacing !== null}
              required
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
            />
          </Field>
        </div>

        <Field
          label="Client authentication"
          error={errors.authMethod}
          hint="How the client ID and secret are sent."
        >
          <Select name="authMethod" defaultValue={prefill?.authMethod ?? "client_secret_basic"}>
            {AUTH_METHODS.map((method) => (
              <option key={method} value={method}>
                {AUTH_METHOD_LABELS[method]}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label="Audience"
          optional
          error={errors.audience}
          hint="Sent as the audience parameter, for token servers that need one."
        >
          <Input
            name="audience"
            autoComplete="off"
            spellCheck={false}
            defaultValue={prefill?.audience ?? undefined}
            className="font-mono"
          />
        </Field>

        <Field label="Description" optional error={errors.description}>
          <Textarea
            name="description"
            rows={2}
            maxLength={500}
            placeholder="What calls use this config, and who owns the client on the other side"
            defaultValue={prefill?.description ?? undefined}
          />
        </Field>
      </div>
      <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={create.isPending}>
          {replacing ? "Replace" : "Create"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function readValues(data: FormData): CreateAuthConfigFormInput {
  const text = (name: string) => {
    const value = data.get(name);
    return typeof value === "string" ? value : "";
  };
  return {
    identifier: text("identifier"),
    tokenUrl: text("tokenUrl"),
    scope: text("scope"),
    clientId: text("clientId"),
    clientSecret: text("clientSecret"),
    authMethod: text("authMethod") as AuthMethod,
    audience: text("audience"),
    description: text("description"),
  };
}
