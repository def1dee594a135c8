import "server-only";
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { z } from "zod";
import { OAUTH_PATHS } from "@/lib/oauth/metadata";
import {
  AuthorizationServerMetadataSchema,
  ClientCredentialsGrantSchema,
  IntrospectionRequestSchema,
  IntrospectionResponseSchema,
  OAuthErrorSchema,
  RevocationRequestSchema,
  TokenResponseSchema,
} from "@/lib/oauth/schema";
import { API_TAGS } from "./openapi";

/**
 * The OAuth routes in the OpenAPI document. They are plain Hono routes (their form bodies are
 * read without Hono's validators, see oauth-routes.ts), so they are registered here, from the
 * schemas the routes parse with.
 */
export function documentOAuthRoutes(registry: OpenAPIHono["openAPIRegistry"]): void {
  registry.registerComponent("securitySchemes", CLIENT_SECRET_BASIC, {
    type: "http",
    scheme: "basic",
    description:
      "client_secret_basic (RFC 6749 §2.3.1): the client key as user name and the client secret as password, each form-urlencoded before they are joined and base64-encoded. Or client_secret_post: send client_id and client_secret in the form body instead, without an Authorization header. One method per request.",
  });
  for (const operation of [tokenOperation, introspectionOperation, revocationOperation]) {
    registry.registerPath(operation);
  }
  registry.registerPath(metadataOperation);
}

const CLIENT_SECRET_BASIC = "clientSecretBasic";

type ResponseConfig = Exclude<RouteConfig["responses"][string], { $ref: string }>;
type ResponseHeaders = Record<
  string,
  { description: string; schema: { type: "string" | "integer" } }
>;

/**
 * HTTP Basic, or nothing at the HTTP level: the empty requirement is client_secret_post, whose
 * credentials travel in the form body where OpenAPI's security schemes cannot point.
 */
const CLIENT_AUTHENTICATION: RouteConfig["security"] = [{ [CLIENT_SECRET_BASIC]: [] }, {}];

const FORM = "application/x-www-form-urlencoded";

const NO_STORE_HEADERS: ResponseHeaders = {
  "Cache-Control": { description: "no-store", schema: { type: "string" } },
};

const formBody = (schema: z.ZodType) => ({ required: true, content: { [FORM]: { schema } } });

function oauthError(description: string, headers?: ResponseHeaders): ResponseConfig {
  return {
    description,
    // Errors carry Cache-Control: no-store too; OAuthError's description says so once for all.
    headers,
    content: { "application/json": { schema: OAuthErrorSchema } },
  };
}

/** The failures every client-authenticated endpoint shares. */
const CLIENT_FAILURES: Record<number, ResponseConfig> = {
  401: oauthError(
    "`invalid_client`: no credentials, an unknown client or a wrong secret (one answer for both), or an Authorization scheme other than Basic.",
    {
      "WWW-Authenticate": {
        description: 'Basic realm="authdesk", charset="UTF-8"',
        schema: { type: "string" },
      },
    },
  ),
  403: oauthError("`invalid_request`: a browser request (Origin or Sec-Fetch-Site present)."),
  413: oauthError("`invalid_request`: the body is over 16 KiB."),
  429: oauthError(
    "`invalid_client`: too many failed authentications for this client or from this address; even the right secret waits.",
    {
      "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
    },
  ),
};

const tokenOperation: RouteConfig = {
  method: "post",
  path: OAUTH_PATHS.token,
  operationId: "issueToken",
  tags: [API_TAGS.oauth],
  summary: "Issue an access token (client credentials)",
  description:
    "RFC 6749 §4.4. Tokens are signed, not stored: they work on every instance sharing the keyring, and each use checks that the client still exists and the token is not revoked.",
  security: CLIENT_AUTHENTICATION,
  request: { body: formBody(ClientCredentialsGrantSchema) },
  responses: {
    200: {
      description: "The token.",
      headers: NO_STORE_HEADERS,
      content: { "application/json": { schema: TokenResponseSchema } },
    },
    400: oauthError(
      "`invalid_request`: not a form, a repeated parameter, a missing grant_type, Basic and client_secret together, or malformed Basic credentials. `unsupported_grant_type`: any grant but client_credentials. `invalid_scope`: a malformed scope, one the client does not hold, or a client without permissions.",
    ),
    ...CLIENT_FAILURES,
  },
};

const introspectionOperation: RouteConfig = {
  method: "post",
  path: OAUTH_PATHS.introspection,
  operationId: "introspectToken",
  tags: [API_TAGS.oauth],
  summary: "Introspect one of your tokens",
  description:
    "RFC 7662. A client may introspect only its own tokens: any other token, like an unknown one, is just inactive.",
  security: CLIENT_AUTHENTICATION,
  request: { body: formBody(IntrospectionRequestSchema) },
  responses: {
    200: {
      description: "Whether the token is active, and if so what it carries.",
      headers: NO_STORE_HEADERS,
      content: { "application/json": { schema: IntrospectionResponseSchema } },
    },
    400: oauthError(
      "`invalid_request`: not a form, a repeated parameter, no token, Basic and client_secret together, or malformed Basic credentials.",
    ),
    ...CLIENT_FAILURES,
  },
};

const revocationOperation: RouteConfig = {
  method: "post",
  path: OAUTH_PATHS.revocation,
  operationId: "revokeToken",
  tags: [API_TAGS.oauth],
  summary: "Revoke one of your tokens",
  description:
    "RFC 7009. The token stops working at once on every instance. Unknown tokens and other clients' tokens get the same 200 and are left alone, so the answer never confirms that someone else's token is live.",
  security: CLIENT_AUTHENTICATION,
  request: { body: formBody(RevocationRequestSchema) },
  responses: {
    200: { description: "Revoked, or nothing to revoke. No body.", headers: NO_STORE_HEADERS },
    400: oauthError(
      "`invalid_request`: not a form, a repeated parameter, no token, Basic and client_secret together, or malformed Basic credentials.",
    ),
    ...CLIENT_FAILURES,
  },
};

const metadataOperation: RouteConfig = {
  method: "get",
  path: OAUTH_PATHS.metadata,
  operationId: "getAuthorizationServerMetadata",
  tags: [API_TAGS.oauth],
  summary: "Authorization server metadata",
  description:
    "RFC 8414: the endpoints, the grant and client authentication methods, and every scope the API groups define. Client libraries discover the server from it.",
  responses: {
    200: {
      description: "The metadata.",
      content: { "application/json": { schema: AuthorizationServerMetadataSchema } },
    },
  },
};
