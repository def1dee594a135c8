"use client";

import { Info } from "lucide-react";
import { useId } from "react";
import { CopyButton } from "@/components/api-clients/copy-button";
import { useCan } from "@/components/auth/role-context";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { CALLBACK_PATH } from "@/lib/integrations/connect-contract";
import type { OAuthSecretProperty } from "@/lib/integrations/schema";
import { useConnectOrigin } from "../connect-origin";
import type { OAuthDraft, SecretDraft } from "./auth-draft";
import { CodeField } from "./code-field";
import { WriteOnlyField } from "./write-only-field";

type Errors = Record<string, string>;

const SECRET_FIELDS: {
  property: OAuthSecretProperty;
  label: string;
  masked?: boolean;
  url?: boolean;
  placeholder?: string;
}[] = [
  {
    property: "authUrl",
    label: "Authorization URL",
    url: true,
    placeholder: "https://example.com/oauth/authorize",
  },
  {
    property: "tokenUrl",
    label: "Token URL",
    url: true,
    placeholder: "https://example.com/oauth/token",
  },
  { property: "clientId", label: "Client ID" },
  { property: "clientSecret", label: "Client secret", masked: true },
];

const CODE_FIELDS = [
  { property: "authorizationCode", label: "Authorization code" },
  { property: "accessTokenCode", label: "Access token code" },
  { property: "refreshTokenCode", label: "Refresh token code" },
] as const;

/**
 * The OAuth client of an OAUTH or OAUTH_DCR integration. The URLs and credentials are write-only
 * (see WriteOnlyField). The three code strings use the same editor as the test code: they are
 * JavaScript too, parsed at save time, and highlighting and bracket matching help as much there.
 */
export function OAuthClientForm({
  draft,
  stored,
  onChange,
  errors,
  clientReset,
  allowPrivateUrls,
  onClearError,
}: {
  draft: OAuthDraft;
  stored: Record<OAuthSecretProperty, boolean>;
  onChange: (draft: OAuthDraft) => void;
  errors: Errors;
  /** The saved type has a client that saving this draft deletes (a change between OAuth types). */
  clientReset: boolean;
  allowPrivateUrls: boolean;
  /** Typing in a control clears its error: the message described the old value. */
  onClearError: (path: string) => void;
}) {
  const headingId = useId();
  const canChange = useCan("admin");
  const codeHintId = useId();
  const set = <Key extends Exclude<keyof OAuthDraft, "secrets">>(key: Key, value: string) => {
    onChange({ ...draft, [key]: value });
    onClearError(`oauthClient.${key}`);
  };
  const setSecret = (property: OAuthSecretProperty, secret: SecretDraft) => {
    onChange({ ...draft, secrets: { ...draft.secrets, [property]: secret } });
    onClearError(`oauthClient.${property}`);
  };

  return (
    <section aria-labelledby={headingId} className="grid gap-4">
      <div>
        <h3 id={headingId} className="font-medium text-fg text-sm">
          OAuth client
        </h3>
        <p className="mt-0.5 text-fg-muted text-sm">
          How Authdesk signs end users in at the service. URLs and credentials are stored encrypted
          and never shown again.
        </p>
      </div>
      {errors.oauthClient ? <p className="text-danger-text text-sm">{errors.oauthClient}</p> : null}
      {clientReset ? (
        <p className="flex gap-2 rounded-lg border border-info-text/20 bg-info-subtle px-3 py-2.5 text-info-text text-sm">
          <Info className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          Changing the type deletes the stored OAuth client. What you enter here becomes the new
          one, so enter its URLs and credentials again.
        </p>
      ) : null}

      <CallbackUrl />

      <div className="grid gap-4 @lg:grid-cols-2">
        <Field
          label="Scopes"
          optional
          error={errors["oauthClient.scopes"]}
          hint="Separate several scopes with spaces."
          className="@lg:col-span-2"
        >
          <Input
            value={draft.scopes}
            onChange={(event) => set("scopes", event.target.value)}
            autoComplete="off"
            spellCheck={false}
            placeholder="openid profile offline_access"
            className="font-mono"
          />
        </Field>
        <Field
          label="Connect button label"
          optional
          error={errors["oauthClient.label"]}
          hint="What end users see on the button that starts the sign-in."
          className="@lg:col-span-2"
        >
          <Input
            value={draft.label}
            onChange={(event) => set("label", event.target.value)}
            autoComplete="off"
            placeholder="Sign in with Example"
          />
        </Field>
        {SECRET_FIELDS.map((field) => (
          <WriteOnlyField
            key={field.property}
            label={field.label}
            stored={stored[field.property]}
            draft={draft.secrets[field.property]}
            onChange={(secret) => setSecret(field.property, secret)}
            error={errors[`oauthClient.${field.property}`]}
            masked={field.masked}
            inputMode={field.url ? "url" : "text"}
            placeholder={field.placeholder}
            hint={field.url && !allowPrivateUrls ? "An https URL." : undefined}
            // URLs get the full width: they are long, and cut off they are hard to check.
            className={field.url ? "@lg:col-span-2" : undefined}
          />
        ))}
      </div>

      <div className="grid gap-4">
        <p id={codeHintId} className="text-fg-muted text-sm">
          Custom code for a step of the flow, each the body of an async function. Leave one empty
          for the standard OAuth 2.0 step.
        </p>
        {CODE_FIELDS.map((field) => (
          <CodeField
            key={field.property}
            label={field.label}
            optional
            minLines={3}
            value={draft[field.property]}
            onChange={(value) => set(field.property, value)}
            error={errors[`oauthClient.${field.property}`]}
            describedBy={codeHintId}
            readOnly={!canChange}
          />
        ))}
      </div>
    </section>
  );
}

/**
 * The redirect URI to register at the provider: where it sends end users back after they sign
 * in (the hosted connect page's callback). Not an input: it follows from where Authdesk runs.
 */
function CallbackUrl() {
  const url = `${useConnectOrigin()}${CALLBACK_PATH}`;
  return (
    <fieldset className="grid min-w-0 gap-1.5">
      <legend className="mb-1.5 font-medium text-fg text-sm">Callback URL</legend>
      <div className="flex min-w-0 items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded-md border border-line bg-surface-subtle px-3 py-2 font-mono text-xs">
          {url}
        </code>
        <CopyButton value={url} label="Copy callback URL" />
      </div>
      <p className="text-fg-subtle text-sm">
        Register this redirect URI with the service's OAuth app. For OAuth with dynamic
        registration, Authdesk registers it itself.
      </p>
    </fieldset>
  );
}
