/**
 * The OAuth endpoints' form parameters and answers as zod schemas. The routes in lib/api validate
 * requests with them, and the OpenAPI document (/api/openapi.json, the console's Docs page) is
 * generated from the same schemas, so the description cannot drift from what is accepted.
 *
 * The form itself (media type, no repeated parameter, no NUL) is read by `parseForm` in
 * request.ts; these schemas judge the parameters it found. They are not strict: RFC 6749 §3.2
 * says unrecognised parameters are ignored.
 */
import "server-only";
import { z } from "zod";

export const OAUTH_ERROR_CODES = [
  "invalid_request",
  "invalid_client",
  "invalid_scope",
  "unsupported_grant_type",
] as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by spaces. */
const SCOPE_PARAM = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/** The requested scopes without repeats; `undefined` when none were asked for. */
function scopeList(value: string): string[] | undefined {
  const tokens = value.split(" ").filter((token) => token !== "");
  return tokens.length === 0 ? undefined : [...new Set(tokens)];
}

/** Repeated spaces are forgiven; characters outside RFC 6749's scope-token are not. */
export const ScopeParamSchema = z.string().regex(SCOPE_PARAM).transform(scopeList).meta({
  description:
    "Space-separated scopes to ask for, such as `all:read transaction:read`. Leave it out for every scope the client holds; asking for one it does not hold is `invalid_scope`, never a smaller grant.",
  example: "all:read",
});

/** client_secret_post (RFC 6749 §2.3.1): the credentials in the body instead of HTTP Basic. */
const clientSecretPostFields = {
  client_id: z.string().optional().meta({
    description:
      "The client key (`adk_ck_…`), with client_secret_post. With HTTP Basic it may be repeated here, and must then match the header's.",
  }),
  client_secret: z.string().optional().meta({
    description:
      "The client secret (`adk_cs_…`), with client_secret_post only: sending it beside an Authorization header is `invalid_request`.",
  }),
};

export const ClientCredentialsGrantSchema = z
  .object({
    grant_type: z.literal("client_credentials").meta({
      description: "The only grant this server issues.",
    }),
    scope: ScopeParamSchema.optional(),
    ...clientSecretPostFields,
  })
  .meta({ id: "ClientCredentialsGrantRequest" });

const presentedToken = z.string().min(1).meta({ description: "The access token in question." });

const tokenTypeHint = z.string().optional().meta({
  description: "Accepted and ignored: this server issues one kind of token.",
  example: "access_token",
});

export const IntrospectionRequestSchema = z
  .object({ token: presentedToken, token_type_hint: tokenTypeHint, ...clientSecretPostFields })
  .meta({ id: "IntrospectionRequest" });

export const RevocationRequestSchema = z
  .object({ token: presentedToken, token_type_hint: tokenTypeHint, ...clientSecretPostFields })
  .meta({ id: "RevocationRequest" });

export interface OAuthFailure {
  error: OAuthErrorCode;
  description: string;
}

/**
 * What a field that fails its schema means in RFC 6749 §5.2's words, given the value sent
 * (`undefined` when absent). The order of the entries is the order the fields are judged in.
 */
export type FieldFailures = Record<string, (value: string | undefined) => OAuthFailure>;

export const GRANT_FAILURES: FieldFailures = {
  grant_type: (value) =>
    // An empty value counts as absent (RFC 6749 §3.2).
    value
      ? { error: "unsupported_grant_type", description: "Only client_credentials is supported." }
      : { error: "invalid_request", description: "grant_type is required." },
  scope: () => ({ error: "invalid_scope", description: "The scope is malformed." }),
};

export const TOKEN_PARAMETER_FAILURES: FieldFailures = {
  token: () => ({ error: "invalid_request", description: "token is required." }),
};

export type OAuthFormResult<T> = { ok: true; value: T } | ({ ok: false } & OAuthFailure);

/** Judges the form's parameters with `schema`; a failure is the first failing field's error. */
export function parseOAuthParams<S extends z.ZodType>(
  schema: S,
  failures: FieldFailures,
  params: Map<string, string>,
): OAuthFormResult<z.output<S>> {
  const result = schema.safeParse(Object.fromEntries(params));
  if (result.success) return { ok: true, value: result.data };
  const failed = new Set(result.error.issues.map((issue) => issue.path[0]));
  for (const [field, failure] of Object.entries(failures)) {
    if (failed.has(field)) return { ok: false, ...failure(params.get(field)) };
  }
  // Every field that can fail has its words above; this keeps a new one from becoming a 500.
  return { ok: false, error: "invalid_request", description: "The request is malformed." };
}

export const OAuthErrorSchema = z
  .object({
    error: z.enum(OAUTH_ERROR_CODES),
    error_description: z.string().meta({ description: "What was wrong, for people." }),
  })
  .meta({
    id: "OAuthError",
    description: "An RFC 6749 §5.2 error, sent with Cache-Control: no-store.",
  });

export const TokenResponseSchema = z
  .object({
    access_token: z.string().meta({
      description:
        "`adk_at_<claims>.<signature>`; send it as `Authorization: Bearer <token>` to /api.",
    }),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().positive().meta({
      description: "Seconds until it expires: the client's token expiry setting.",
    }),
    scope: z.string().meta({ description: "The scopes granted, space-separated." }),
  })
  .meta({ id: "TokenResponse", description: "RFC 6749 §5.1. There is no refresh token." });

const ActiveTokenSchema = z
  .object({
    active: z.literal(true),
    scope: z.string(),
    client_id: z.string().meta({ description: "The client key of the token's client." }),
    token_type: z.literal("Bearer"),
    exp: z.number().int().meta({ description: "Expiry, in seconds since the epoch." }),
    iat: z.number().int().meta({ description: "Issue time, in seconds since the epoch." }),
    sub: z.string().meta({ description: "The client key again." }),
  })
  .meta({ id: "ActiveToken", description: "One of the calling client's own live tokens." });

const InactiveTokenSchema = z.strictObject({ active: z.literal(false) }).meta({
  id: "InactiveToken",
  description:
    "Unknown, expired, revoked or malformed, its client deleted, or another client's token: they are indistinguishable.",
});

export const IntrospectionResponseSchema = z
  .union([ActiveTokenSchema, InactiveTokenSchema])
  .meta({ id: "IntrospectionResponse", description: "RFC 7662 §2.2." });

export const AuthorizationServerMetadataSchema = z
  .object({
    issuer: z.string().meta({
      description: "AUTHDESK_PUBLIC_URL, or else the origin the request was made to.",
    }),
    token_endpoint: z.string(),
    introspection_endpoint: z.string(),
    revocation_endpoint: z.string(),
    grant_types_supported: z.array(z.literal("client_credentials")),
    response_types_supported: z.array(z.string()).meta({
      description: "Empty: there is no authorization endpoint.",
    }),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    introspection_endpoint_auth_methods_supported: z.array(z.string()),
    revocation_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()).meta({
      description: "Every scope the API groups define.",
    }),
  })
  .meta({ id: "AuthorizationServerMetadata", description: "RFC 8414 §2." });
