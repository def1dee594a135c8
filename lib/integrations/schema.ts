import { z } from "zod";
import { checkHttpUrl, type HttpUrlProblem } from "./url-rules";

/**
 * The inputs of the integrations area, shared by the console's forms, its server actions and the
 * public REST API, so the same body gets the same answer everywhere. The auth update follows the
 * Langdock "Update Auth Configuration" contract (lib/integrations/README.md says where we decided
 * what it leaves open).
 */

export const AUTH_TYPES = ["NONE", "API_KEY", "OAUTH", "OAUTH_DCR", "SERVICE_ACCOUNT"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const AUTH_TYPE_INFO: Record<AuthType, { label: string; explanation: string }> = {
  NONE: { label: "None", explanation: "The service needs no credentials." },
  API_KEY: {
    label: "API key",
    explanation: "Each end user fills in the auth fields below, e.g. an API key.",
  },
  OAUTH: {
    label: "OAuth 2.0",
    explanation: "Each end user signs in at the service (authorization code with PKCE).",
  },
  OAUTH_DCR: {
    label: "OAuth 2.0 with dynamic registration",
    explanation: "Like OAuth 2.0, but Authdesk registers its own client at the service first.",
  },
  SERVICE_ACCOUNT: {
    label: "Service account",
    explanation: "One set of service credentials, filled in once, shared by every end user.",
  },
};

/** Types whose connections carry values for the auth fields (OAuth ones carry tokens). */
export const FIELD_BASED_AUTH_TYPES: readonly AuthType[] = ["NONE", "API_KEY", "SERVICE_ACCOUNT"];
export const OAUTH_AUTH_TYPES: readonly AuthType[] = ["OAUTH", "OAUTH_DCR"];

/**
 * `needs_reconnect`: the provider refused the connection's refresh token (`invalid_grant`), so
 * only the end user going through the connect flow again can make it work.
 */
export const CONNECTION_STATUSES = ["active", "needs_reconnect"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const FIELD_TYPES = [
  "TEXT",
  "MULTI_LINE_TEXT",
  "PASSWORD",
  "NUMBER",
  "EMBEDDING_MODEL",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
  TEXT: "Text",
  MULTI_LINE_TEXT: "Multi-line text",
  PASSWORD: "Password (masked)",
  NUMBER: "Number",
  EMBEDDING_MODEL: "Embedding model",
};

export const LIMITS = {
  name: 100,
  description: 500,
  slug: 100,
  label: 100,
  fieldDescription: 500,
  placeholder: 200,
  code: 1_000,
  scopes: 2_000,
  clientId: 500,
  clientSecret: 500,
  oauthLabel: 100,
  url: 2_048,
  fields: 50,
  endUserId: 200,
  value: 10_000,
  returnUrls: 20,
} as const;

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Length as a person counts it: grapheme clusters, so "👍🏽" or "é" written as e + accent is one.
 * Limits in this area count these, not UTF-16 code units or bytes.
 */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of segmenter.segment(value)) count++;
  return count;
}

/**
 * A grapheme can hold any number of combining marks, so a string within its character limit
 * could still be megabytes: no value may exceed 16 UTF-16 units per allowed character (a family
 * emoji is 11).
 */
const UNITS_PER_CHARACTER = 16;

/** Whether `value` has at most `max` characters (see characterCount), checked cheaply first. */
export function withinCharacters(value: string, max: number): boolean {
  return value.length <= max * UNITS_PER_CHARACTER && characterCount(value) <= max;
}

/**
 * A string of at most `max` characters (see characterCount), trimmed first when asked. NUL is
 * refused: PostgreSQL text cannot hold it, and no label or code needs it.
 */
function limitedText(max: number, options: { trim?: boolean } = {}) {
  const base = options.trim ? z.string().trim() : z.string();
  return base
    .refine(
      (value) => withinCharacters(value, max),
      `Use at most ${max.toLocaleString("en-US")} characters`,
    )
    .refine((value) => !value.includes("\0"), "Remove the NUL character (\\u0000)");
}

/** Slugs are keys of `secrets` in test code: no spaces, and never a name of Object's prototype. */
const SLUG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const RESERVED_SLUGS = new Set(["__proto__", "constructor", "prototype"]);

export const authFieldSchema = z
  .object({
    slug: limitedText(LIMITS.slug)
      .min(1, "Enter a slug")
      .regex(
        SLUG_PATTERN,
        "Use letters, digits, _ . and - (no spaces), starting with a letter, digit or _",
      )
      .refine((slug) => !RESERVED_SLUGS.has(slug), "This slug is reserved; choose another")
      .describe(
        `The field's key in test code's \`secrets\`, unique within the integration; ${chars(LIMITS.slug)}.`,
      ),
    label: limitedText(LIMITS.label, { trim: true })
      .min(1, "Enter a label")
      .describe(`What end users see; ${chars(LIMITS.label)}.`),
    type: z.enum(FIELD_TYPES, { message: `Use one of ${FIELD_TYPES.join(", ")}` }),
    description: limitedText(LIMITS.fieldDescription)
      .default("")
      .describe(`Help text; ${chars(LIMITS.fieldDescription)}.`),
    placeholder: limitedText(LIMITS.placeholder)
      .nullable()
      .optional()
      .describe(`Shown in the empty input; ${chars(LIMITS.placeholder)}.`),
    required: z.boolean({ message: "Use true or false" }).default(false),
  })
  .strict();

export type AuthFieldInput = z.output<typeof authFieldSchema>;

export const codeSchema = limitedText(LIMITS.code);

/** The fields, in order, each slug used once. */
export const authFieldsSchema = z
  .array(authFieldSchema)
  .max(LIMITS.fields, `Use at most ${LIMITS.fields} fields`)
  .superRefine((fields, context) => {
    const seen = new Map<string, number>();
    fields.forEach((field, index) => {
      const first = seen.get(field.slug);
      if (first === undefined) {
        seen.set(field.slug, index);
        return;
      }
      context.addIssue({
        code: "custom",
        path: [index, "slug"],
        message: `Slug "${field.slug}" is already used by field ${first + 1}`,
      });
    });
  });

function urlSchema(allowPrivateUrls: boolean) {
  return limitedText(LIMITS.url).superRefine((value, context) => {
    const problem = urlProblem(value, allowPrivateUrls);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });
}

function urlProblem(value: string, allowPrivateUrls: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "Enter an absolute URL, like https://example.com/oauth/authorize";
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && allowPrivateUrls) return undefined;
  return "Use an https URL";
}

/** How the API description words a limit: people's characters, not bytes or UTF-16 units. */
function chars(max: number): string {
  return `at most ${max.toLocaleString("en-US")} characters (grapheme clusters)`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const WRITE_ONLY = "Write-only: sealed at rest and never returned.";
const CODE = `JavaScript, the body of an async function; ${chars(LIMITS.code)}. Checked at save time.`;

/** Every property optional: one left out keeps its stored value; `null` clears it. */
function oauthClientSchema(allowPrivateUrls: boolean) {
  return z
    .object({
      scopes: limitedText(LIMITS.scopes)
        .nullable()
        .optional()
        .describe(`Space-separated; ${chars(LIMITS.scopes)}.`),
      authUrl: urlSchema(allowPrivateUrls).nullable().optional().describe(WRITE_ONLY),
      tokenUrl: urlSchema(allowPrivateUrls).nullable().optional().describe(WRITE_ONLY),
      clientId: limitedText(LIMITS.clientId)
        .nullable()
        .optional()
        .describe(`${WRITE_ONLY} ${capitalised(chars(LIMITS.clientId))}.`),
      clientSecret: limitedText(LIMITS.clientSecret)
        .nullable()
        .optional()
        .describe(`${WRITE_ONLY} ${capitalised(chars(LIMITS.clientSecret))}.`),
      label: limitedText(LIMITS.oauthLabel)
        .nullable()
        .optional()
        .describe(`The connect button's label; ${chars(LIMITS.oauthLabel)}.`),
      authorizationCode: codeSchema.nullable().optional().describe(CODE),
      accessTokenCode: codeSchema.nullable().optional().describe(CODE),
      refreshTokenCode: codeSchema.nullable().optional().describe(CODE),
    })
    .strict();
}

export type OAuthClientInput = z.output<ReturnType<typeof oauthClientSchema>>;
export const OAUTH_CODE_PROPERTIES = [
  "authorizationCode",
  "accessTokenCode",
  "refreshTokenCode",
] as const;
export const OAUTH_SECRET_PROPERTIES = ["authUrl", "tokenUrl", "clientId", "clientSecret"] as const;
export type OAuthSecretProperty = (typeof OAUTH_SECRET_PROPERTIES)[number];

/** PATCH /api/integrations/v1/{integrationId}/auth's body, and the console's auth editor. */
export function updateAuthSchema(options: { allowPrivateUrls: boolean }) {
  return z
    .object({
      authType: z.enum(AUTH_TYPES, { message: `Use one of ${AUTH_TYPES.join(", ")}` }),
      authFields: authFieldsSchema
        .optional()
        .describe("Fully replaced on every call: left out means no fields. Not allowed with NONE."),
      authTestCode: codeSchema
        .nullable()
        .optional()
        .describe(
          `JavaScript run with \`(secrets, fetch)\` to check an end user's values; ${chars(LIMITS.code)}. Left out: kept; null: cleared.`,
        ),
      oauthClient: oauthClientSchema(options.allowPrivateUrls)
        .nullable()
        .optional()
        .describe(
          "Only for OAUTH and OAUTH_DCR. A property left out keeps its stored value; null clears it; null for the whole object deletes the client.",
        ),
    })
    .strict()
    .superRefine((input, context) => {
      if (input.authType === "NONE" && input.authFields?.length) {
        context.addIssue({
          code: "custom",
          path: ["authFields"],
          message: "NONE takes no auth fields: its connections carry no credentials",
        });
      }
      if (input.oauthClient && !OAUTH_AUTH_TYPES.includes(input.authType)) {
        context.addIssue({
          code: "custom",
          path: ["oauthClient"],
          message: "oauthClient is only for the OAUTH and OAUTH_DCR auth types",
        });
      }
    });
}

export type UpdateAuthInput = z.output<ReturnType<typeof updateAuthSchema>>;

export const createIntegrationSchema = z
  .object({
    name: limitedText(LIMITS.name, { trim: true }).min(1, "Enter a name"),
    description: limitedText(LIMITS.description, { trim: true }).default(""),
  })
  .strict();

export type CreateIntegrationInput = z.output<typeof createIntegrationSchema>;
export type CreateIntegrationFields = keyof CreateIntegrationInput;

export const integrationIdSchema = z.uuid({ message: "The integration ID must be a UUID" });

/**
 * A connection's values as sent: strings, or numbers for NUMBER fields. Sizes are bounded here,
 * before anything looks at the text; checkConnectionValues applies each field's rules.
 */
export const connectionValuesSchema = z
  .record(
    z.string().max(LIMITS.slug),
    z.union([z.string().max(LIMITS.value * UNITS_PER_CHARACTER), z.number()]),
  )
  .refine((values) => Object.keys(values).length <= LIMITS.fields, "Too many values");

/** The platform's id for one of its end users: what connections and connect links are keyed by. */
export const endUserIdSchema = limitedText(LIMITS.endUserId, { trim: true }).min(
  1,
  "Enter the end user's id",
);

export const createConnectionSchema = z
  .object({
    endUserId: endUserIdSchema.optional(),
    values: connectionValuesSchema.default({}),
  })
  .strict();

export type CreateConnectionInput = z.output<typeof createConnectionSchema>;

type FieldRule = Pick<AuthFieldInput, "slug" | "label" | "type" | "required">;

export type ConnectionValuesResult =
  | { ok: true; values: Record<string, string> }
  /** Keyed by slug. */
  | { ok: false; errors: Record<string, string> };

/**
 * Checks values against an integration's fields: required ones present, numbers numeric, no
 * unknown slug, at most 10,000 characters each. Values are kept as sent (a NUMBER value as its
 * trimmed text, or a JSON number's decimal form), because `secrets` holds strings.
 */
export function checkConnectionValues(
  fields: readonly FieldRule[],
  values: Record<string, string | number>,
): ConnectionValuesResult {
  const errors: Record<string, string> = {};
  const accepted: Record<string, string> = {};
  const known = new Set(fields.map((field) => field.slug));
  for (const slug of Object.keys(values)) {
    if (!known.has(slug)) errors[slug] = "This integration has no field with this slug";
  }
  for (const field of fields) {
    const raw = Object.hasOwn(values, field.slug) ? values[field.slug] : undefined;
    const checked = checkValue(field, raw);
    if (checked.error) errors[field.slug] = checked.error;
    else if (checked.value !== undefined) accepted[field.slug] = checked.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, values: accepted };
}

function checkValue(
  field: FieldRule,
  raw: string | number | undefined,
): { value?: string; error?: string } {
  if (typeof raw === "number") {
    if (field.type !== "NUMBER") return { error: `${field.label} must be text` };
    return Number.isFinite(raw)
      ? { value: String(raw) }
      : { error: `${field.label} must be a number` };
  }
  const text = raw ?? "";
  // Length first: everything after it looks at the text.
  if (!withinCharacters(text, LIMITS.value)) {
    return { error: `Use at most ${LIMITS.value.toLocaleString("en-US")} characters` };
  }
  if (text.trim() === "") return field.required ? { error: `Enter ${field.label}` } : {};
  if (field.type !== "NUMBER") return { value: text };
  const trimmed = text.trim();
  return NUMBER_PATTERN.test(trimmed) && Number.isFinite(Number(trimmed))
    ? { value: trimmed }
    : { error: `${field.label} must be a number` };
}

/** A decimal number, optionally signed, with an optional exponent; no alternation that backtracks. */
const NUMBER_PATTERN = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A slug suggested from a label: "API Key" → "api_key". */
export function slugFromLabel(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, LIMITS.slug);
}

/**
 * POST …/connect-sessions and the console's "Connect as…". The return URL is only bounded here;
 * whether the integration allows it is the service's question (returnUrlAllowed).
 */
export const createConnectSessionSchema = z
  .object({
    endUserId: endUserIdSchema,
    returnUrl: limitedText(LIMITS.url)
      .optional()
      .describe(
        "Where the end user's browser goes afterwards, with `connection_id` and `status=connected` (or `error`) added to its query. Must match the integration's return-URL allowlist.",
      ),
  })
  .strict();

export type CreateConnectSessionInput = z.output<typeof createConnectSessionSchema>;

/**
 * One entry of an integration's return-URL allowlist: an absolute http(s) URL without fragment,
 * credentials or query (the query of a return URL is the platform's own and never compared), https
 * unless the operator allows private URLs. An entry ending in "/" allows every path under it.
 */
export function returnUrlEntrySchema(options: { allowPrivateUrls: boolean }) {
  return limitedText(LIMITS.url, { trim: true })
    .min(1, "Enter a URL")
    .superRefine((value, context) => {
      const problem = returnUrlEntryProblem(value, options.allowPrivateUrls);
      if (problem) context.addIssue({ code: "custom", message: problem });
    });
}

const RETURN_URL_MESSAGES: Record<HttpUrlProblem, string> = {
  not_absolute: "Enter an absolute URL, like https://app.example.com/connected",
  not_https: "Use an https URL",
  credentials: "Remove the user name and password from the URL",
};

function returnUrlEntryProblem(value: string, allowPrivateUrls: boolean): string | undefined {
  const checked = checkHttpUrl(value, { allowHttp: allowPrivateUrls });
  if (!checked.ok) return RETURN_URL_MESSAGES[checked.problem];
  const { url } = checked;
  if (url.hash || value.includes("#")) return "Remove the fragment (#…): browsers keep it private";
  if (url.search || value.includes("?")) {
    return "Remove the query (?…): any query is allowed, and the platform's own is kept";
  }
  return undefined;
}

/** The whole allowlist, as the console saves it: at most 20 entries, each once. */
export function connectReturnUrlsSchema(options: { allowPrivateUrls: boolean }) {
  return z
    .array(returnUrlEntrySchema(options))
    .max(LIMITS.returnUrls, `Use at most ${LIMITS.returnUrls} return URLs`)
    .superRefine((urls, context) => {
      urls.forEach((url, index) => {
        if (urls.indexOf(url) !== index) {
          context.addIssue({
            code: "custom",
            path: [index],
            message: "This URL is already listed",
          });
        }
      });
    });
}
