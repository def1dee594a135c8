import "server-only";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, Env } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Database } from "@/db/client";
import type { LastUsedRecorder } from "@/lib/api-auth/last-used";
import { REALM } from "@/lib/api-auth/middleware";
import { CLIENT_ADDRESS_HEADER, PROTOCOL_HEADER } from "@/lib/http/request-context";
import type { AuthenticatedClient, ClientAuthenticator } from "@/lib/oauth/clients";
import { grantScopes } from "@/lib/oauth/grant";
import { authorizationServerMetadata, OAUTH_PATHS } from "@/lib/oauth/metadata";
import { parseForm, readClientCredentials } from "@/lib/oauth/request";
import {
  ClientCredentialsGrantSchema,
  GRANT_FAILURES,
  IntrospectionRequestSchema,
  type IntrospectionResponseSchema,
  type OAuthErrorCode,
  parseOAuthParams,
  RevocationRequestSchema,
  TOKEN_PARAMETER_FAILURES,
  type TokenResponseSchema,
} from "@/lib/oauth/schema";
import type { TokenStore } from "@/lib/oauth/tokens";
import { limitBodySize } from "./body-limit";
import { documentOAuthRoutes } from "./oauth-openapi";

/**
 * The OAuth 2.0 authorization server: token (RFC 6749, client credentials only), introspection
 * (RFC 7662), revocation (RFC 7009) and metadata (RFC 8414). Errors use RFC 6749 §5.2's JSON
 * shape, not problem details, because that is what OAuth clients parse.
 */
export interface OAuthRouteDependencies {
  db: Database;
  clients: ClientAuthenticator;
  tokens: TokenStore;
  lastUsed: LastUsedRecorder;
  /** The issuer; when absent, the origin the request was made to. */
  publicUrl: string | undefined;
}

/** Answers are checked against their documented schemas by the compiler, at no cost per request. */
type Introspection = z.input<typeof IntrospectionResponseSchema>;

/** Token responses must not be cached (RFC 6749 §5.1); nor may introspection answers. */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
const MAX_BODY_BYTES = 16 * 1024;
const SAME_ANSWER_FOR_ANY_BAD_CLIENT = "Client authentication failed.";

export function registerOAuthRoutes<E extends Env>(
  app: OpenAPIHono<E>,
  deps: OAuthRouteDependencies,
): void {
  documentOAuthRoutes(app.openAPIRegistry);
  app.use("/oauth/*", refuseBrowsers, limitBody);
  app.post(OAUTH_PATHS.token, (c) => token(c, deps));
  app.post(OAUTH_PATHS.introspection, (c) => introspect(c, deps));
  app.post(OAUTH_PATHS.revocation, (c) => revoke(c, deps));
  for (const path of [OAUTH_PATHS.token, OAUTH_PATHS.introspection, OAUTH_PATHS.revocation]) {
    app.all(path, (c) => {
      c.header("Allow", "POST");
      return oauthError(c, 405, "invalid_request", "Use POST.");
    });
  }
  app.get(OAUTH_PATHS.metadata, async (c) => {
    const metadata = await authorizationServerMetadata(deps.db, issuerFor(c, deps.publicUrl));
    return c.json(metadata, 200, { "Cache-Control": "no-store" });
  });
}

async function token(c: Context, deps: OAuthRouteDependencies): Promise<Response> {
  const params = await readForm(c);
  if (params instanceof Response) return params;
  const request = parseOAuthParams(ClientCredentialsGrantSchema, GRANT_FAILURES, params);
  if (!request.ok) return oauthError(c, 400, request.error, request.description);
  const client = await authenticate(c, deps, params);
  if (client instanceof Response) return client;
  const grant = grantScopes(client.scopes, request.value.scope);
  if (!grant.ok) return oauthError(c, 400, grant.error, grant.description);
  const issued = deps.tokens.issue(client, grant.scopes);
  deps.lastUsed.record(client.id);
  return c.json(
    {
      access_token: issued.accessToken,
      token_type: "Bearer",
      expires_in: issued.expiresInSeconds,
      scope: issued.scope,
    } satisfies z.input<typeof TokenResponseSchema>,
    200,
    NO_STORE,
  );
}

/**
 * A client may introspect only its own tokens: API clients call our API, they are not resource
 * servers for one another, and telling one client about another's tokens would leak who else
 * holds access. Someone else's token is therefore as inactive as an unknown one (RFC 7662 §2.2).
 */
async function introspect(c: Context, deps: OAuthRouteDependencies): Promise<Response> {
  const request = await readTokenRequest(c, deps, IntrospectionRequestSchema);
  if (request instanceof Response) return request;
  const { client, presented } = request;
  const active = await deps.tokens.findActive(presented);
  if (!active || active.clientId !== client.id) {
    return c.json({ active: false } satisfies Introspection, 200, NO_STORE);
  }
  return c.json(
    {
      active: true,
      scope: active.scopes.join(" "),
      client_id: active.clientKey,
      token_type: "Bearer",
      exp: epochSeconds(active.expiresAt),
      iat: epochSeconds(active.issuedAt),
      sub: active.clientKey,
    } satisfies Introspection,
    200,
    NO_STORE,
  );
}

/**
 * A client revokes its own tokens. Unknown tokens and other clients' tokens get the same 200 and
 * stay as they are: RFC 7009 §2.2 answers 200 for invalid tokens, and refusing other clients'
 * tokens with an error (as §2.1 suggests) would confirm that they are live tokens. The
 * token_type_hint is accepted and ignored: there is one kind of token.
 */
async function revoke(c: Context, deps: OAuthRouteDependencies): Promise<Response> {
  const request = await readTokenRequest(c, deps, RevocationRequestSchema);
  if (request instanceof Response) return request;
  const { client, presented } = request;
  await deps.tokens.revoke(presented, client.id);
  return c.body(null, 200, NO_STORE);
}

/**
 * Introspection and revocation both take an authenticated client and a `token` parameter. The
 * client is authenticated first, so a request without credentials gets invalid_client whatever
 * else is wrong with it.
 */
async function readTokenRequest(
  c: Context,
  deps: OAuthRouteDependencies,
  schema: typeof IntrospectionRequestSchema | typeof RevocationRequestSchema,
): Promise<{ client: AuthenticatedClient; presented: string } | Response> {
  const params = await readForm(c);
  if (params instanceof Response) return params;
  const client = await authenticate(c, deps, params);
  if (client instanceof Response) return client;
  const request = parseOAuthParams(schema, TOKEN_PARAMETER_FAILURES, params);
  if (!request.ok) return oauthError(c, 400, request.error, request.description);
  deps.lastUsed.record(client.id);
  return { client, presented: request.value.token };
}

async function readForm(c: Context): Promise<Map<string, string> | Response> {
  const form = parseForm(c.req.header("content-type"), await c.req.text());
  return form.ok ? form.params : oauthError(c, 400, "invalid_request", form.description);
}

/** The calling client, or the error response to send. */
async function authenticate(
  c: Context,
  deps: OAuthRouteDependencies,
  params: Map<string, string>,
): Promise<AuthenticatedClient | Response> {
  const read = readClientCredentials(c.req.header("authorization"), params);
  if (!read.ok) {
    return read.error === "invalid_client"
      ? invalidClient(c, read.description)
      : oauthError(c, 400, read.error, read.description);
  }
  if (read.credentials.method === "none") {
    return invalidClient(c, "Client authentication is required: HTTP Basic or client_secret_post.");
  }
  const { clientId, secret } = read.credentials;
  const result = await deps.clients.authenticate(
    { clientId, secret },
    c.req.header(CLIENT_ADDRESS_HEADER) || null,
  );
  if (result.ok) return result.client;
  if (result.error === "throttled") {
    // invalid_client is RFC 6749's own code, so every client library understands it, and during
    // the wait a right secret gets the same answer as a wrong one.
    c.header("Retry-After", String(result.retryAfterSeconds));
    return oauthError(
      c,
      429,
      "invalid_client",
      `Too many failed attempts; retry in ${result.retryAfterSeconds} s.`,
    );
  }
  return invalidClient(c, SAME_ANSWER_FOR_ANY_BAD_CLIENT);
}

/**
 * 401 with a Basic challenge whichever method was tried: RFC 6749 §5.2 requires it when Basic
 * was used, and RFC 9110 §15.5.2 requires a challenge on every 401.
 */
function invalidClient(c: Context, description: string): Response {
  c.header("WWW-Authenticate", `Basic realm="${REALM}", charset="UTF-8"`);
  return oauthError(c, 401, "invalid_client", description);
}

function oauthError(
  c: Context,
  status: ContentfulStatusCode,
  error: OAuthErrorCode,
  description: string,
): Response {
  return c.json({ error, error_description: description }, status, NO_STORE);
}

/** Secrets belong on servers; a page that sends one to us has already leaked it. */
async function refuseBrowsers(c: Context, next: () => Promise<void>) {
  if (c.req.header("origin") === undefined && c.req.header("sec-fetch-site") === undefined) {
    return next();
  }
  return oauthError(
    c,
    403,
    "invalid_request",
    "Browser requests are not accepted: call the token endpoint from your backend.",
  );
}

/**
 * Bodies over the limit get 413. A declared Content-Length is checked before anything is read
 * (Node's parser holds the body to it), which keeps the body off web streams: reading it with
 * `c.req.text()` then takes @hono/node-server's direct path. Chunked bodies are counted as
 * they stream by Hono's bodyLimit.
 */
const limitBody = limitBodySize(MAX_BODY_BYTES, (c) =>
  oauthError(c, 413, "invalid_request", "The request body is too large."),
);

function issuerFor(c: Context, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const url = new URL(c.req.url);
  // server.ts sets the protocol header from the socket, or from a proxy it was told to trust.
  const protocol = c.req.header(PROTOCOL_HEADER) === "https" ? "https:" : url.protocol;
  return `${protocol}//${url.host}`;
}

function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
