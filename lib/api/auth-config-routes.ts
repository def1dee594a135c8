import "server-only";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Executor } from "@/db/client";
import { accessCallerOf } from "@/lib/api-access/service";
import { type ApiAuthVariables, requireAnyScope } from "@/lib/api-auth/middleware";
import { createAuthConfigAccessChecker } from "@/lib/auth-configs/access";
import { type TokenBroker, TokenBrokerError } from "@/lib/auth-configs/token-broker";
import { API_TAGS } from "./openapi";
import { problem } from "./problem";
import { CALLER_SECURITY, problemResponse } from "./route-schemas";

/**
 * POST /api/v1/auth-configs/{identifier}/token: programs get an outbound access token from the
 * token broker. Callers need View only or Modify on "All (other APIs)" (`all:read` or
 * `all:write`) and a place on the config's access list (lib/auth-configs/access.ts);
 * authentication and the rate limit are the /api middleware's.
 */
const READ_ALL = "all:read";
const WRITE_ALL = "all:write";

/**
 * A config whose stored credentials do not open: our storage (or key configuration) is at
 * fault, so a 5xx. 500 rather than 503, because it does not mend by itself and clients that
 * retry 503s would only hammer us; the type tells programs it is this and not a bug.
 */
export const CONFIG_UNREADABLE_TYPE = "urn:authdesk:problem:auth-config-unreadable";

const BrokeredTokenSchema = z
  .object({
    access_token: z.string().openapi({ description: "The other API's access token." }),
    token_type: z.string().openapi({ description: "As the token server said, usually Bearer." }),
    expires_at: z.iso.datetime().openapi({ description: "When the token expires." }),
    scope: z.string().nullable().openapi({ description: "The granted scope, if the server said." }),
  })
  .openapi("BrokeredToken");

export const authConfigTokenRoute = createRoute({
  method: "post",
  path: "/api/v1/auth-configs/{identifier}/token",
  operationId: "getAuthConfigToken",
  tags: [API_TAGS.authConfigs],
  summary: "Get an access token for an auth config",
  description:
    "Returns a valid access token for the auth config, fetched from its token server or served from the broker's cache. Needs the scope `all:read` or `all:write`, and the auth config's API access must include the caller (set by an admin beside the config in the console).",
  security: CALLER_SECURITY,
  middleware: [requireAnyScope([READ_ALL, WRITE_ALL])],
  request: {
    params: z.object({
      identifier: z.string().openapi({
        description: "The auth config's identifier, as shown in the console.",
        example: "payments-api",
      }),
    }),
  },
  responses: {
    200: {
      description: "A token valid for at least a few more seconds",
      content: { "application/json": { schema: BrokeredTokenSchema } },
    },
    400: problemResponse("Malformed credentials"),
    401: problemResponse("No, or invalid, credentials"),
    403: problemResponse(
      "Missing scope, a caller outside the auth config's API access, or a browser request",
    ),
    404: problemResponse("No auth config with this identifier"),
    429: problemResponse("Too many requests"),
    500: problemResponse(
      `The config's stored credentials cannot be decrypted (\`type\` ${CONFIG_UNREADABLE_TYPE}): restore the encryption key that sealed them, or re-create the config. Nothing is sent to the token server.`,
    ),
    502: problemResponse("The token server failed or refused"),
  },
});

export function registerAuthConfigRoutes(
  app: OpenAPIHono<{ Variables: ApiAuthVariables }>,
  deps: { db: Executor; tokenBroker: TokenBroker },
): void {
  const { db, tokenBroker } = deps;
  const checkAccess = createAuthConfigAccessChecker(db);
  app.openapi(authConfigTokenRoute, async (c) => {
    const { identifier } = c.req.valid("param");
    const access = await checkAccess(identifier, accessCallerOf(c.get("apiCaller")));
    if (access === "not_found") return c.json(NOT_FOUND, 404, PROBLEM_CONTENT_TYPE);
    if (access === "forbidden") {
      return problem(c, 403, "No access to this auth config", {
        detail:
          "This auth config's API access does not include this caller. An admin can grant it beside the config in the console.",
      });
    }
    try {
      const token = await tokenBroker.getAccessToken(identifier);
      return c.json(
        {
          access_token: token.accessToken,
          token_type: token.tokenType,
          expires_at: token.expiresAt.toISOString(),
          scope: token.scope,
        },
        200,
        { "Cache-Control": "no-store", Pragma: "no-cache" },
      );
    } catch (error) {
      if (!(error instanceof TokenBrokerError)) throw error;
      const failure = brokerFailure(error);
      if (failure.retryAfterSeconds !== undefined) {
        c.header("Retry-After", String(failure.retryAfterSeconds));
      }
      return c.json(failure.body, failure.body.status, PROBLEM_CONTENT_TYPE);
    }
  });
}

const PROBLEM_CONTENT_TYPE = { "content-type": "application/problem+json" };

const NOT_FOUND = {
  type: "about:blank",
  title: "Auth config not found",
  status: 404 as const,
  detail: "There is no auth config with this identifier.",
};

/** The broker's message is its own plain words; the upstream body never reaches here. */
function brokerFailure(error: TokenBrokerError) {
  if (error.code === "config_unreadable") {
    return {
      body: {
        type: CONFIG_UNREADABLE_TYPE,
        title: "Auth config cannot be read",
        status: 500 as const,
        detail: error.message,
        code: error.code,
        identifier: error.config ?? null,
      },
    };
  }
  if (error.code === "config_not_found") return { body: { ...NOT_FOUND, detail: error.message } };
  return {
    retryAfterSeconds: error.retryAfterSeconds,
    body: {
      type: "about:blank",
      title: "Could not get a token",
      status: 502 as const,
      detail: error.message,
      code: error.code,
    },
  };
}
