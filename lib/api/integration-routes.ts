import "server-only";
import { createRoute, type OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { Database } from "@/db/client";
import { accessCallerOf } from "@/lib/api-access/service";
import type { ApiCaller } from "@/lib/api-auth/authenticate";
import { type ApiAuthVariables, requireAnyScope } from "@/lib/api-auth/middleware";
import type { ActorContext } from "@/lib/audit/service";
import type { Keyring } from "@/lib/crypto";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/request-context";
import {
  CONNECTION_ID,
  createConnection,
  deleteConnection,
  listConnections,
} from "@/lib/integrations/connections";
import {
  connectionOutput,
  integrationAuthOutput,
  sandboxReportOutput,
} from "@/lib/integrations/contract";
import type {
  AccessRefusal,
  Credentials,
  CredentialsResult,
  FreshCredentials,
  NeedsReconnectReason,
} from "@/lib/integrations/oauth/fresh-credentials";
import {
  createConnectionSchema,
  integrationIdSchema,
  updateAuthSchema,
} from "@/lib/integrations/schema";
import {
  checkApiAccess,
  getIntegration,
  type Integration,
  updateIntegrationAuth,
} from "@/lib/integrations/service";
import { INTEGRATION_API_SCOPE } from "@/lib/oauth/scopes";
import type { Sandbox, SandboxOutcome } from "@/lib/sandbox/types";
import { assertNever } from "@/lib/utils/assert-never";
import { limitBodySize } from "./body-limit";
import { API_TAGS } from "./openapi";
import { problem, validationProblem } from "./problem";
import { CALLER_SECURITY, problemResponse } from "./route-schemas";

/**
 * The integrations API: the seed's PATCH …/auth (Langdock's "Update Auth Configuration"), a GET
 * of the same shape, and connections. Bearer tokens need INTEGRATION_API for every change and
 * for reading credentials; reading the configuration or the connection list also accepts
 * `integrations:read`. lib/integrations/README.md has the decisions behind each answer.
 */
export interface IntegrationRouteDependencies {
  db: Database;
  keyring: Keyring;
  sandbox: Sandbox;
  /** The operator's setting: OAuth URLs may use plain http (tests and labs). */
  allowPrivateUrls: boolean;
  /** Serves …/credentials; one per process, so its single flight covers every caller. */
  freshCredentials: FreshCredentials;
}

type IntegrationEnv = { Variables: ApiAuthVariables };

const BASE = "/api/integrations/v1/{integrationId}";
const READ_SCOPES: [string, ...string[]] = [INTEGRATION_API_SCOPE, "integrations:read"];
/** Far above the largest valid body (50 fields and four 1,000-character code strings). */
const MAX_BODY_BYTES = 256 * 1024;
/** Requests that run code (a PATCH's syntax checks, a connection's test) in flight per caller. */
const SANDBOX_RUNS_PER_CALLER = 2;
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
/** RFC 9457 problem types of our own: not links, but stable names a program can switch on. */
const NEEDS_RECONNECT_TYPE = "urn:authdesk:problem:needs-reconnect";
const REFRESH_FAILED_TYPE = "urn:authdesk:problem:refresh-failed";
/** 500, not 503: our storage or key configuration is at fault, and it does not mend by itself. */
const CONNECTION_UNREADABLE_TYPE = "urn:authdesk:problem:connection-unreadable";

const COMMON_ERRORS = {
  400: problemResponse("Invalid integration ID or request body; `errors` names each field path"),
  401: problemResponse("Invalid or missing credentials"),
  403: problemResponse("Missing scope, a browser request, or no access to this integration"),
  404: problemResponse("Integration not found"),
  429: problemResponse("Rate limit exceeded, or too many requests running code at once"),
};

const IntegrationParams = z.object({
  integrationId: z.string().openapi({
    description: "UUID of the integration",
    example: "550e8400-e29b-41d4-a716-446655440000",
  }),
});
const ConnectionParams = IntegrationParams.extend({
  connectionId: z.string().openapi({ example: "conn_0123456789abcdef0123" }),
});

const IntegrationEnvelope = z
  .object({ integration: integrationAuthOutput })
  .openapi("IntegrationAuthConfiguration");
const ConnectionSchema = connectionOutput
  .extend({
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastTestedAt: z.iso.datetime().nullable(),
  })
  .openapi("Connection");

/** What runs after the scope check: finding the integration, and sharing the sandbox. */
type Guards = MiddlewareHandler<IntegrationEnv>[];

/**
 * Every integration route checks, in order: the scope (403), the integration id (400 if not a
 * UUID, 404 if no such integration, 403 if this caller may not manage it), then the body (400).
 */
function integrationRoute<Config extends Omit<RouteConfig, "security" | "path" | "middleware">>(
  path: string,
  scopes: [string, ...string[]],
  guards: Guards,
  config: Config,
) {
  return createRoute({
    ...config,
    path: `${BASE}${path}`,
    security: CALLER_SECURITY,
    middleware: [requireAnyScope(scopes), ...guards],
  });
}

const getAuthRoute = (guards: Guards) =>
  integrationRoute("", READ_SCOPES, guards, {
    method: "get",
    operationId: "getIntegrationAuth",
    summary: "Read an integration's auth configuration",
    description:
      "The same shape as the PATCH answer. Write-only OAuth credentials are never returned.",
    tags: [API_TAGS.integrations],
    request: { params: IntegrationParams },
    responses: {
      200: {
        description: "The auth configuration",
        content: { "application/json": { schema: IntegrationEnvelope } },
      },
      ...COMMON_ERRORS,
    },
  });

function patchAuthRoute(allowPrivateUrls: boolean, guards: Guards) {
  return integrationRoute("/auth", [INTEGRATION_API_SCOPE], guards, {
    method: "patch",
    operationId: "updateIntegrationAuth",
    summary: "Update auth configuration",
    description:
      "Configures how end users connect: authType, authFields (fully replaced on every call), authTestCode and the write-only oauthClient. Changing authType deletes every connection and the OAuth client; NONE, API_KEY and SERVICE_ACCOUNT delete any OAuth client. Needs INTEGRATION_API.",
    tags: [API_TAGS.integrations],
    request: {
      params: IntegrationParams,
      body: {
        required: true,
        content: { "application/json": { schema: updateAuthSchema({ allowPrivateUrls }) } },
      },
    },
    responses: {
      200: {
        description: "The updated configuration",
        content: { "application/json": { schema: IntegrationEnvelope } },
      },
      ...COMMON_ERRORS,
      413: problemResponse("Body too large"),
      415: problemResponse("Body is not JSON"),
      503: problemResponse("The code could not be checked right now; retry"),
    },
  });
}

const listConnectionsRoute = (guards: Guards) =>
  integrationRoute("/connections", READ_SCOPES, guards, {
    method: "get",
    operationId: "listIntegrationConnections",
    summary: "List an integration's connections",
    description:
      "Newest first, without credentials. Pass `nextCursor` back as `cursor` for the next page.",
    tags: [API_TAGS.integrations],
    request: {
      params: IntegrationParams,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).optional(),
        cursor: z.string().max(200).optional(),
      }),
    },
    responses: {
      200: {
        description: "A page of connections",
        content: {
          "application/json": {
            schema: z.object({
              connections: z.array(ConnectionSchema),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      ...COMMON_ERRORS,
    },
  });

const createConnectionRoute = (guards: Guards) =>
  integrationRoute("/connections", [INTEGRATION_API_SCOPE], guards, {
    method: "post",
    operationId: "createIntegrationConnection",
    summary: "Create (or replace) a connection",
    description:
      "Stores an end user's values for the auth fields (for SERVICE_ACCOUNT, the service connection: leave endUserId out) after authTestCode passes in the sandbox. Posting again for the same end user replaces the values. OAuth integrations connect through the authorization flow instead.",
    tags: [API_TAGS.integrations],
    request: {
      params: IntegrationParams,
      body: { required: true, content: { "application/json": { schema: createConnectionSchema } } },
    },
    responses: {
      201: {
        description: "Created",
        content: {
          "application/json": {
            schema: z.object({ connection: ConnectionSchema, replaced: z.literal(false) }),
          },
        },
      },
      200: {
        description: "Replaced the end user's existing connection",
        content: {
          "application/json": {
            schema: z.object({ connection: ConnectionSchema, replaced: z.literal(true) }),
          },
        },
      },
      ...COMMON_ERRORS,
      409: problemResponse(
        "The integration uses OAuth, or its auth configuration changed meanwhile",
      ),
      413: problemResponse("Body too large"),
      415: problemResponse("Body is not JSON"),
      422: problemResponse("authTestCode rejected the values; `test` says how"),
      503: problemResponse("The sandbox is busy; retry"),
    },
  });

const deleteConnectionRoute = (guards: Guards) =>
  integrationRoute("/connections/{connectionId}", [INTEGRATION_API_SCOPE], guards, {
    method: "delete",
    operationId: "deleteIntegrationConnection",
    summary: "Delete a connection",
    tags: [API_TAGS.integrations],
    request: { params: ConnectionParams },
    responses: { 204: { description: "Deleted" }, ...COMMON_ERRORS },
  });

const OAuthAccessToken = z
  .object({
    accessToken: z.string(),
    tokenType: z.string().openapi({ example: "Bearer" }),
    expiresAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: "null: the token does not expire" }),
    scope: z.string().nullable(),
  })
  .openapi("OAuthAccessToken", {
    description:
      "An OAuth connection's access token, refreshed ahead of expiry. The refresh token is never returned: only Authdesk refreshes, so a provider that rotates refresh tokens never sees one used twice.",
  });
const FieldValues = z
  .record(z.string(), z.string())
  .openapi("ConnectionFieldValues", { description: "A field connection's values, slug → value" });

const credentialsRoute = (guards: Guards) =>
  integrationRoute("/connections/{connectionId}/credentials", [INTEGRATION_API_SCOPE], guards, {
    method: "get",
    operationId: "getIntegrationConnectionCredentials",
    summary: "Read a connection's credentials",
    description:
      "For the program that calls the service on the end user's behalf. A field connection answers the values the end user connected with. An OAuth connection answers a valid access token: one with less than min(60 s, 10 % of its lifetime) left is refreshed first, once per connection however many programs ask at once. A refresh the provider refuses with invalid_grant marks the connection needs_reconnect (409 from then on). Every read is audited; answers are `Cache-Control: no-store`. Needs INTEGRATION_API.",
    tags: [API_TAGS.integrations],
    request: { params: ConnectionParams },
    responses: {
      200: {
        description: "The credentials",
        content: {
          "application/json": {
            schema: z.object({
              connection: ConnectionSchema,
              credentials: z.union([OAuthAccessToken, FieldValues]),
            }),
          },
        },
      },
      ...COMMON_ERRORS,
      404: problemResponse("Integration or connection not found"),
      409: problemResponse(
        `The connection needs reconnecting (\`type\` ${NEEDS_RECONNECT_TYPE}, \`error: "needs_reconnect"\`): the provider refused its refresh token, or it has none and the token expired. The end user must connect again.`,
      ),
      500: problemResponse(
        `The connection's stored credentials cannot be decrypted (\`type\` ${CONNECTION_UNREADABLE_TYPE}, \`error: "unreadable"\`): restore the encryption key that sealed them, or have the end user connect again. Nothing is sent to the provider.`,
      ),
      502: problemResponse(
        'The provider did not refresh the token (`error: "refresh_failed"`, `reason` says why); the connection stays active. Retry after `Retry-After` seconds.',
      ),
      503: problemResponse(
        "A refresh failed moments ago or another instance is still refreshing (`reason` backing_off or busy). Retry after `Retry-After` seconds.",
      ),
    },
  });

export function registerIntegrationRoutes(
  app: OpenAPIHono<IntegrationEnv>,
  deps: IntegrationRouteDependencies,
): void {
  const resolve = [resolveIntegration(deps.db)];
  // The credentials read checks access in the same statement that reads (one round trip).
  const validateId = [validateIntegrationId];
  const resolveAndShare = [...resolve, sandboxShare(SANDBOX_RUNS_PER_CALLER)];
  app.use("/api/integrations/*", limitBody);

  app.openapi(getAuthRoute(resolve), async (c) => {
    const integration = await getIntegration(deps.db, c.req.valid("param").integrationId);
    if (!integration) return integrationNotFound(c);
    return c.json({ integration: authShape(integration) }, 200);
  });

  app.openapi(patchAuthRoute(deps.allowPrivateUrls, resolveAndShare), async (c) => {
    const result = await updateIntegrationAuth(
      deps.db,
      deps,
      c.req.valid("param").integrationId,
      c.req.valid("json"),
      actorOf(c),
    );
    if (result.ok) return c.json({ integration: authShape(result.integration) }, 200);
    switch (result.error) {
      case "not_found":
        return integrationNotFound(c);
      case "invalid_code":
        return validationProblem(c, [{ path: result.path, message: result.message }]);
      case "sandbox_unavailable":
        return sandboxUnavailable(
          c,
          "The code could not be checked right now. Nothing was saved; retry shortly.",
        );
      default:
        return assertNever(result);
    }
  });

  app.openapi(listConnectionsRoute(resolve), async (c) => {
    const query = c.req.valid("query");
    const page = await listConnections(deps.db, c.req.valid("param").integrationId, query);
    if ("error" in page) {
      return validationProblem(c, [
        { path: ["cursor"], message: "This cursor is not one we gave out" },
      ]);
    }
    return c.json(
      { connections: page.connections.map(serializeConnection), nextCursor: page.nextCursor },
      200,
    );
  });

  app.openapi(createConnectionRoute(resolveAndShare), async (c) => {
    const result = await createConnection(
      deps.db,
      deps,
      c.req.valid("param").integrationId,
      c.req.valid("json"),
      actorOf(c),
    );
    if (result.ok) {
      const connection = serializeConnection(result.connection);
      return result.replaced
        ? c.json({ connection, replaced: true as const }, 200)
        : c.json({ connection, replaced: false as const }, 201);
    }
    switch (result.error) {
      case "not_found":
        return integrationNotFound(c);
      case "invalid":
        return validationProblem(c, result.issues);
      case "oauth_flow_required":
        return problem(c, 409, "Connect through OAuth", {
          detail: `This integration's auth type is ${result.authType}: end users connect through the OAuth authorization flow, not with posted values.`,
        });
      case "auth_changed":
        return problem(c, 409, "Auth configuration changed", {
          detail:
            "The integration's auth configuration changed while the values were being tested. Nothing was stored; send them again.",
        });
      case "test_failed":
        return problem(c, 422, "Credentials test failed", {
          detail: `authTestCode rejected these values: ${describeFailure(result.test)}`,
          test: testReport(result.test),
        });
      case "sandbox_unavailable":
        return sandboxUnavailable(
          c,
          "The credentials could not be tested right now. Nothing was stored; retry shortly.",
        );
      default:
        return assertNever(result);
    }
  });

  app.openapi(deleteConnectionRoute(resolve), async (c) => {
    const { connectionId } = c.req.valid("param");
    if (!CONNECTION_ID.test(connectionId)) return connectionNotFound(c);
    const result = await deleteConnection(
      deps.db,
      c.req.valid("param").integrationId,
      connectionId,
      actorOf(c),
    );
    if (!result.ok) return connectionNotFound(c);
    return c.body(null, 204);
  });

  app.openapi(credentialsRoute(validateId), async (c) => {
    const { integrationId, connectionId } = c.req.valid("param");
    const caller = accessCallerOf(c.get("apiCaller"));
    if (!CONNECTION_ID.test(connectionId)) {
      // The same order of answers as every other route: access first, then the connection.
      const access = await checkApiAccess(deps.db, integrationId, caller);
      return access === "allowed" ? connectionNotFound(c) : accessProblem(c, access);
    }
    const result = await deps.freshCredentials.getCredentialsCheckingAccess(
      integrationId,
      connectionId,
      actorOf(c),
      caller,
    );
    if (!result.ok) return credentialsProblem(c, result);
    return c.json(
      {
        connection: serializeConnection(result.connection),
        credentials: serializeCredentials(result.credentials),
      },
      200,
      NO_STORE,
    );
  });
}

function serializeCredentials(credentials: Credentials) {
  if (credentials.kind === "fields") return credentials.values;
  const { token } = credentials;
  return {
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    scope: token.scope,
  };
}

function credentialsProblem(
  c: Context,
  result: Exclude<CredentialsResult, { ok: true }> | AccessRefusal,
) {
  switch (result.error) {
    case "integration_not_found":
      return accessProblem(c, "not_found");
    case "forbidden":
      return accessProblem(c, "forbidden");
    case "not_found":
      return connectionNotFound(c);
    case "needs_reconnect":
      return problem(c, 409, "Connection needs reconnecting", {
        type: NEEDS_RECONNECT_TYPE,
        error: "needs_reconnect",
        reason: result.reason,
        detail: NEEDS_RECONNECT_DETAIL[result.reason],
      });
    case "refresh_failed": {
      c.header("Retry-After", String(result.retryAfterSeconds));
      const waiting = result.reason === "backing_off" || result.reason === "busy";
      return problem(c, waiting ? 503 : 502, "Token refresh failed", {
        type: REFRESH_FAILED_TYPE,
        error: "refresh_failed",
        reason: result.reason,
        detail: waiting
          ? "The token is being refreshed, or a refresh failed moments ago; retry shortly."
          : "The provider did not refresh the access token. The connection stays active; retry shortly.",
      });
    }
    case "unreadable":
      return problem(c, 500, "Connection credentials cannot be read", {
        type: CONNECTION_UNREADABLE_TYPE,
        error: "unreadable",
        detail: `The stored credentials of connection ${c.req.param("connectionId")} cannot be decrypted: they were sealed with an encryption key this server does not have, or changed in the database. Restore the key that sealed them to AUTHDESK_ENCRYPTION_KEYS (or the key file), or have the end user connect again. Nothing was sent to the provider.`,
      });
    default:
      return assertNever(result);
  }
}

const limitBody = limitBodySize(MAX_BODY_BYTES, (c) =>
  problem(c, 413, "Request body too large", {
    detail: `The limit is ${MAX_BODY_BYTES / 1024} KiB.`,
  }),
);

/**
 * After the scope check: a malformed id is a 400, an id that exists nowhere a 404, and an
 * integration the caller may not manage a 403 (the seed's "No access to this integration").
 */
export function resolveIntegration(db: Database): MiddlewareHandler<IntegrationEnv> {
  return async (c, next) => {
    const parsed = integrationIdSchema.safeParse(c.req.param("integrationId"));
    if (!parsed.success) return invalidIntegrationId(c);
    const access = await checkApiAccess(db, parsed.data, accessCallerOf(c.get("apiCaller")));
    if (access !== "allowed") return accessProblem(c, access);
    await next();
  };
}

/** The 400 of resolveIntegration alone, for a route that checks access in its own statement. */
const validateIntegrationId: MiddlewareHandler<IntegrationEnv> = async (c, next) => {
  if (!integrationIdSchema.safeParse(c.req.param("integrationId")).success) {
    return invalidIntegrationId(c);
  }
  await next();
};

function invalidIntegrationId(c: Context) {
  return validationProblem(c, [
    { path: ["integrationId"], message: "The integration ID must be a UUID" },
  ]);
}

function accessProblem(c: Context, access: "not_found" | "forbidden") {
  if (access === "not_found") return integrationNotFound(c);
  return problem(c, 403, "No access to this integration", {
    detail: "This integration accepts API calls only from the API clients an admin chose for it.",
  });
}

export function actorOf(c: Context<IntegrationEnv>): ActorContext {
  const caller: ApiCaller = c.get("apiCaller");
  const clientAddress = c.req.header(CLIENT_ADDRESS_HEADER) || null;
  return caller.kind === "client"
    ? { actor: { type: "api_client", id: caller.clientId, label: caller.clientKey }, clientAddress }
    : { actor: { type: "till", id: caller.tillId, label: `till ${caller.tillId}` }, clientAddress };
}

/** Exactly the seed's `integration` object: parsed through the allowlist, so nothing else leaks. */
function authShape(integration: Integration) {
  return integrationAuthOutput.parse(integration);
}

function serializeConnection(connection: z.output<typeof connectionOutput>) {
  const parsed = connectionOutput.parse(connection);
  return {
    ...parsed,
    createdAt: parsed.createdAt.toISOString(),
    updatedAt: parsed.updatedAt.toISOString(),
    lastTestedAt: parsed.lastTestedAt?.toISOString() ?? null,
  };
}

function describeFailure(outcome: SandboxOutcome): string {
  return outcome.ok ? "" : `${outcome.error.name}: ${outcome.error.message}`;
}

function testReport(outcome: SandboxOutcome) {
  return sandboxReportOutput.parse(outcome);
}

function sandboxUnavailable(c: Context, detail: string) {
  c.header("Retry-After", "1");
  return problem(c, 503, "Sandbox unavailable", { detail });
}

export function integrationNotFound(c: Context) {
  return problem(c, 404, "Integration not found", { detail: "No integration has this ID." });
}

function connectionNotFound(c: Context) {
  return problem(c, 404, "Connection not found", {
    detail: "This integration has no connection with this ID.",
  });
}

/**
 * At most `perCaller` sandbox runs (tests and syntax checks) at once per caller, in this process:
 * the sandbox's workers are this process's, and one client must not hold all of them while
 * everyone else waits. The requests-per-minute quota shared by all instances still applies.
 */
function sandboxShare(perCaller: number): MiddlewareHandler<IntegrationEnv> {
  const running = new Map<string, number>();
  return async (c, next) => {
    const caller = c.get("apiCaller");
    const key = caller.kind === "client" ? caller.clientId : caller.tillId;
    const count = running.get(key) ?? 0;
    if (count >= perCaller) {
      c.header("Retry-After", "1");
      return problem(c, 429, "Too many requests", {
        detail: `At most ${perCaller} requests that run code may be in progress per client; retry when one finishes.`,
      });
    }
    running.set(key, count + 1);
    try {
      await next();
    } finally {
      const left = (running.get(key) ?? 1) - 1;
      if (left === 0) running.delete(key);
      else running.set(key, left);
    }
  };
}

/**
 * The exhaustive-switch guard. Not lib/forms/action-support's: that module reads Next's request
 * headers, which server.ts (outside Next) cannot load, so importing it stops the server at start.
 */

const NEEDS_RECONNECT_DETAIL: Record<NeedsReconnectReason, string> = {
  invalid_grant:
    "The provider no longer accepts this connection's refresh token. The end user must connect again.",
  invalid_client:
    "The provider no longer knows the OAuth client this connection was made with. The end user must connect again.",
  client_changed:
    "The integration's OAuth client changed since this connection was made, and its refresh token belongs to the old one. The end user must connect again.",
  no_refresh_token:
    "The access token expired and the provider issued no refresh token. The end user must connect again.",
  unknown: "The end user must connect again.",
};
