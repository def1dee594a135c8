import type { AuthFieldOutput, IntegrationDetail } from "@/lib/integrations/contract";
import {
  type AuthType,
  type FieldType,
  OAUTH_AUTH_TYPES,
  OAUTH_CODE_PROPERTIES,
  OAUTH_SECRET_PROPERTIES,
  type OAuthSecretProperty,
} from "@/lib/integrations/schema";

/**
 * The auth editor's state, and the PATCH-shaped body it turns into. Kept free of React so the
 * rules about what is sent (and, as important, what is left out) can be read and tested alone.
 */

export type FieldDraft = {
  /** Stable across reordering, so a row keeps its inputs, focus and errors when it moves. */
  key: string;
  slug: string;
  label: string;
  type: FieldType;
  description: string;
  placeholder: string;
  required: boolean;
  /** Once the admin types a slug, the label stops suggesting one. Saved fields start edited. */
  slugEdited: boolean;
};

/**
 * A write-only OAuth value. The browser never learns the stored one: it sees only whether one is
 * stored, may type a replacement, or may ask for it to be removed.
 */
export type SecretDraft = { replacing: boolean; value: string; remove: boolean };

export type OAuthDraft = {
  scopes: string;
  label: string;
  authorizationCode: string;
  accessTokenCode: string;
  refreshTokenCode: string;
  secrets: Record<OAuthSecretProperty, SecretDraft>;
};

export type AuthDraft = {
  authType: AuthType;
  fields: FieldDraft[];
  testCode: string;
  oauth: OAuthDraft;
};

type OAuthClientBody = Partial<Record<keyof Omit<OAuthDraft, "secrets">, string | null>> &
  Partial<Record<OAuthSecretProperty, string | null>>;

export type AuthBody = {
  authType: AuthType;
  authFields: AuthFieldOutput[];
  authTestCode?: string | null;
  oauthClient?: OAuthClientBody;
};

let nextKey = 0;
const newKey = () => `row-${++nextKey}`;

export function isOAuthType(authType: AuthType): boolean {
  return OAUTH_AUTH_TYPES.includes(authType);
}

const blankSecret = (): SecretDraft => ({ replacing: false, value: "", remove: false });

export function draftFrom(integration: IntegrationDetail): AuthDraft {
  const client = integration.oauthClient;
  return {
    authType: integration.authType,
    fields: integration.authFields.map((field) => ({
      key: newKey(),
      slug: field.slug,
      label: field.label,
      type: field.type,
      description: field.description,
      placeholder: field.placeholder ?? "",
      required: field.required,
      slugEdited: true,
    })),
    testCode: integration.authTestCode ?? "",
    oauth: {
      scopes: client?.scopes ?? "",
      label: client?.label ?? "",
      authorizationCode: client?.authorizationCode ?? "",
      accessTokenCode: client?.accessTokenCode ?? "",
      refreshTokenCode: client?.refreshTokenCode ?? "",
      secrets: Object.fromEntries(
        OAUTH_SECRET_PROPERTIES.map((property) => [property, blankSecret()]),
      ) as Record<OAuthSecretProperty, SecretDraft>,
    },
  };
}

export function newField(): FieldDraft {
  return {
    key: newKey(),
    slug: "",
    label: "",
    type: "TEXT",
    description: "",
    placeholder: "",
    required: false,
    slugEdited: false,
  };
}

/**
 * The OAuth client the saved configuration keeps if the draft is saved, or null. A type change
 * deletes the client, even from OAUTH to OAUTH_DCR, so its stored values do not carry over.
 */
export function keptClient(draft: AuthDraft, saved: IntegrationDetail) {
  if (!isOAuthType(draft.authType) || draft.authType !== saved.authType) return null;
  return saved.oauthClient;
}

/** Which write-only values are stored and would still be after saving this draft's type. */
export function storedSecrets(
  draft: AuthDraft,
  saved: IntegrationDetail,
): Record<OAuthSecretProperty, boolean> {
  const client = keptClient(draft, saved);
  return Object.fromEntries(
    OAUTH_SECRET_PROPERTIES.map((property) => [property, client?.stored[property] ?? false]),
  ) as Record<OAuthSecretProperty, boolean>;
}

export function fieldBody(field: FieldDraft): AuthBody["authFields"][number] {
  return {
    slug: field.slug,
    label: field.label,
    type: field.type,
    description: field.description,
    placeholder: field.placeholder === "" ? null : field.placeholder,
    required: field.required,
  };
}

/**
 * The request for this draft. Fields are always sent, because the seed replaces them on every
 * call. Everything else is sent only when the admin changed it: the service keeps stored values
 * for what is left out, which is how a write-only credential survives a save that does not
 * mention it.
 */
export function bodyFrom(draft: AuthDraft, saved: IntegrationDetail): AuthBody {
  const body: AuthBody = { authType: draft.authType, authFields: draft.fields.map(fieldBody) };
  if (draft.testCode !== (saved.authTestCode ?? "")) {
    body.authTestCode = draft.testCode === "" ? null : draft.testCode;
  }
  if (isOAuthType(draft.authType)) {
    const client = oauthClientBody(draft, saved);
    if (client) body.oauthClient = client;
  }
  return body;
}

function oauthClientBody(draft: AuthDraft, saved: IntegrationDetail): OAuthClientBody | null {
  const base = keptClient(draft, saved);
  const body: OAuthClientBody = {};
  for (const key of ["scopes", "label"] as const) {
    const value = draft.oauth[key];
    if (value !== (base?.[key] ?? "")) body[key] = value === "" ? null : value;
  }
  for (const key of OAUTH_CODE_PROPERTIES) {
    const value = draft.oauth[key];
    if (value !== (base?.[key] ?? "")) body[key] = value;
  }
  const stored = storedSecrets(draft, saved);
  for (const property of OAUTH_SECRET_PROPERTIES) {
    const secret = draft.oauth.secrets[property];
    if (stored[property] && secret.remove) body[property] = null;
    else if (secret.value !== "") body[property] = secret.value;
  }
  return Object.keys(body).length > 0 ? body : null;
}

/** Whether saving the draft would change anything. */
export function isDirty(draft: AuthDraft, saved: IntegrationDetail): boolean {
  const body = bodyFrom(draft, saved);
  return (
    body.authType !== saved.authType ||
    body.authTestCode !== undefined ||
    body.oauthClient !== undefined ||
    JSON.stringify(body.authFields) !==
      JSON.stringify(saved.authFields.map(({ id: _, ...field }) => field))
  );
}

/**
 * Errors arrive keyed by path ("authFields.1.slug"). Rows can move after a save was refused, so
 * the index is swapped for the row's key ("authFields.row-7.slug") against the rows as they were
 * sent.
 */
export function errorsByRow(
  errors: Record<string, string>,
  fields: readonly FieldDraft[],
): Record<string, string> {
  const keyed: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const match = /^authFields\.(\d+)(\..+)?$/.exec(path);
    const row = match ? fields[Number(match[1])] : undefined;
    const key = row ? `authFields.${row.key}${match?.[2] ?? ""}` : path;
    keyed[key] ??= message;
  }
  return keyed;
}

export const fieldPath = (row: FieldDraft, property: keyof FieldDraft) =>
  `authFields.${row.key}.${property}`;
