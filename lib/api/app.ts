import "server-only";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { Database } from "@/db/client";
import { createBasicVerifier } from "@/lib/api-auth/basic";
import { createLastUsedRecorder, type LastUsedRecorder } from "@/lib/api-auth/last-used";
import { type ApiAuthVariables, apiAuthentication } from "@/lib/api-auth/middleware";
import type { TokenBroker } from "@/lib/auth-configs/token-broker";
import type { Keyring } from "@/lib/crypto";
import { checkHealth } from "@/lib/health";
import {
  createFreshCredentials,
  type FreshCredentials,
} from "@/lib/integrations/oauth/fresh-credentials";
import { createClientAuthenticator } from "@/lib/oauth/clients";
import { createTokenStore } from "@/lib/oauth/tokens";
import { DEFAULT_FAILURE_LIMITS, type FailureLimits } from "@/lib/rate-limit/failures";
import { createSharedQuota } from "@/lib/rate-limit/quota";
import type { Sandbox } from "@/lib/sandbox/types";
import { registerAuthConfigRoutes } from "./auth-config-routes";
import { registerConnectRoutes } from "./connect-routes";
import { registerIntegrationRoutes } from "./integration-routes";
import { registerOAuthRoutes } from "./oauth-routes";
import { API_DOCUMENT_CONFIG, API_TAGS, OPENAPI_PATH } from "./openapi";
import { problem, validationProblem } from "./problem";

/**
 * The programs' endpoints (/api, /oauth, /.well-known), served outside Next's router because
 * Next costs about 1 ms of CPU per request and these are called by machines, often.
 */
export interface ApiDependencies {
  db: Database;
  /** Signs access tokens (with keys derived from it); every instance must share it. */
  keyring: Keyring;
  /**
   * Serves POST /api/v1/auth-configs/{identifier}/token; server.ts passes the runtime's. Benches
   * that measure the router alone leave it out, and then that route does not exist.
   */
  tokenBroker?: TokenBroker;
  /** The OAuth issuer (an origin); without it, each request's own origin. */
  publicUrl?: string;
  limits?: Partial<ApiLimits>;
  /**
   * Serves /api/integrations/v1/…; server.ts passes the runtime's sandbox. Left out (benches of
   * the router alone), those routes do not exist.
   */
  integrations?: { sandbox: Sandbox; allowPrivateUrls: boolean };
  /**
   * Serves the integrations' …/credentials with tokens refreshed once per connection: server.ts
   * passes the runtime's, so one process has one single flight. Left out, each app makes its own,
   * and then stands for an instance of its own (tests of several instances rely on that).
   */
  freshCredentials?: FreshCredentials;
  /** Tests pass their own to wait for its writes; otherwise one is made per app. */
  lastUsed?: LastUsedRecorder;
}

export interface ApiLimits {
  /** Requests per minute per API client (or till), shared by every instance. */
  requestsPerMinute: number;
  /** Failed client or till authentications allowed per subject and per address. */
  failures: FailureLimits;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  requestsPerMinute: 6_000,
  failures: DEFAULT_FAILURE_LIMITS,
};

/** /api paths anyone may call: probes and the API description. Everything else needs a caller. */
const PUBLIC_API_PATHS = new Set(["/api/health", OPENAPI_PATH]);

const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.enum(["reachable", "unreachable"]),
    migrations: z.object({ applied: z.number().int(), expected: z.number().int() }),
  })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/api/health",
  operationId: "getHealth",
  tags: [API_TAGS.health],
  summary: "Database reachable and every migration applied",
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "Not ready", content: { "application/json": { schema: HealthSchema } } },
  },
});

/** doc31 mounts the route that serves the document; this describes it in the document. */
const openApiDocumentRoute = createRoute({
  method: "get",
  path: OPENAPI_PATH,
  operationId: "getOpenApiDocument",
  tags: [API_TAGS.description],
  summary: "This API's OpenAPI 3.1 document",
  responses: {
    200: {
      description: "The document.",
      content: { "application/json": { schema: { type: "object" } } },
    },
  },
});

export function createApiApp(deps: ApiDependencies) {
  const { db } = deps;
  const limits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const lastUsed = deps.lastUsed ?? createLastUsedRecorder(db);
  const app = new OpenAPIHono<{ Variables: ApiAuthVariables }>({
    defaultHook: (result, c) => {
      if (!result.success) return validationProblem(c, result.error.issues);
    },
  });

  const tokens = createTokenStore(db, deps.keyring);
  const authenticate = apiAuthentication(
    { db, tokens, basic: createBasicVerifier({ limits: limits.failures }), lastUsed },
    createSharedQuota(db, { limit: limits.requestsPerMinute, windowSeconds: 60 }),
  );
  app.use("/api/*", (c, next) =>
    PUBLIC_API_PATHS.has(c.req.path) ? next() : authenticate(c, next),
  );

  app.openapi(healthRoute, async (c) => {
    const health = await checkHealth(db);
    return c.json(health, health.status === "ok" ? 200 : 503);
  });
  if (deps.tokenBroker) registerAuthConfigRoutes(app, { db, tokenBroker: deps.tokenBroker });
  if (deps.integrations) {
    const { sandbox, allowPrivateUrls } = deps.integrations;
    const freshCredentials =
      deps.freshCredentials ??
      createFreshCredentials({ db, keyring: deps.keyring, sandbox, allowPrivateUrls });
    registerIntegrationRoutes(app, {
      db,
      keyring: deps.keyring,
      sandbox,
      allowPrivateUrls,
      freshCredentials,
    });
    // After the integration routes: their body limit (app.use) covers these too.
    registerConnectRoutes(app, { db, publicUrl: deps.publicUrl });
  }
  registerOAuthRoutes(app, {
    db,
    clients: createClientAuthenticator(db, limits.failures),
    tokens,
    lastUsed,
    publicUrl: deps.publicUrl,
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An access token from POST /oauth/token (client credentials).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "basicAuth", {
    type: "http",
    scheme: "basic",
    description: "A till's code and password, when the organisation allows Basic authentication.",
  });
  app.doc31(OPENAPI_PATH, API_DOCUMENT_CONFIG);
  app.openAPIRegistry.registerPath(openApiDocumentRoute);

  app.notFound((c) => problem(c, 404, "Not found", { detail: `No endpoint at ${c.req.path}` }));
  app.onError((error, c) => {
    // Hono's own refusals (malformed JSON, an unsupported media type) are the caller's mistake.
    if (error instanceof HTTPException && error.status < 500) {
      return problem(c, error.status, error.message || "Bad request");
    }
    // The cause is logged here; the caller gets a generic problem without internals.
    console.error("[api] unhandled error on %s %s:", c.req.method, c.req.path, error);
    return problem(c, 500, "Internal server error");
  });
  return app;
}
