import "server-only";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Database } from "@/db/client";
import { type ApiAuthVariables, requireAnyScope } from "@/lib/api-auth/middleware";
import { publicOrigin } from "@/lib/http/public-origin";
import {
  CONNECT_SESSION_LIFETIME_MS,
  createConnectSession,
} from "@/lib/integrations/connect-sessions";
import { createConnectSessionSchema } from "@/lib/integrations/schema";
import { INTEGRATION_API_SCOPE } from "@/lib/oauth/scopes";
import { assertNever } from "@/lib/utils/assert-never";
import { actorOf, integrationNotFound, resolveIntegration } from "./integration-routes";
import { API_TAGS } from "./openapi";
import { problem, validationProblem } from "./problem";
import { CALLER_SECURITY, problemResponse } from "./route-schemas";

/**
 * Connect links (lib/integrations/README.md, "The hosted connect page"): a program asks for a
 * single-use link for one of its end users and sends them to it; Authdesk's hosted page takes
 * their credentials, so the program never handles them. The same checks as every integration
 * route: scope, integration id, access list, then the body.
 */
export interface ConnectRouteDependencies {
  db: Database;
  /** The origin links are made on; without it, each request's own origin. */
  publicUrl: string | undefined;
}

type ConnectEnv = { Variables: ApiAuthVariables };

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

const ConnectSessionSchema = z
  .object({
    id: z.string().openapi({ example: "cs_0123456789abcdef0123" }),
    url: z.url().openapi({
      description:
        "The link to send the end user's browser to. Works once, until `expiresAt`; never stored (only its hash is).",
      example: "https://authdesk.example.com/connect/3q2-7wEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    }),
    expiresAt: z.iso.datetime(),
  })
  .openapi("ConnectSession");

const createConnectSessionRoute = createRoute({
  method: "post",
  path: "/api/integrations/v1/{integrationId}/connect-sessions",
  operationId: "createIntegrationConnectSession",
  summary: "Create a connect link for an end user",
  description: `A single-use link to Authdesk's hosted connect page, valid for ${CONNECT_SESSION_LIFETIME_MS / 60_000} minutes. The end user opens it in a browser and fills in the integration's auth fields (or signs in at the service, for OAUTH and OAUTH_DCR); on success the connection is stored for \`endUserId\` and the browser goes to \`returnUrl\` with \`connection_id\` and \`status=connected\` added to its query (or \`error\` when the link no longer works). \`returnUrl\` must match the integration's return-URL allowlist, set in the console. Not for SERVICE_ACCOUNT integrations. Needs INTEGRATION_API.`,
  tags: [API_TAGS.integrations],
  security: CALLER_SECURITY,
  request: {
    params: z.object({
      integrationId: z.string().openapi({
        description: "UUID of the integration",
        example: "550e8400-e29b-41d4-a716-446655440000",
      }),
    }),
    body: {
      required: true,
      content: { "application/json": { schema: createConnectSessionSchema } },
    },
  },
  responses: {
    201: {
      description: "The link; `Cache-Control: no-store`",
      content: { "application/json": { schema: ConnectSessionSchema } },
    },
    400: problemResponse(
      "Invalid integration ID or body, or a returnUrl outside the allowlist (path `returnUrl`)",
    ),
    401: problemResponse("Invalid or missing credentials"),
    403: problemResponse("Missing scope, a browser request, or no access to this integration"),
    404: problemResponse("Integration not found"),
    409: problemResponse("A SERVICE_ACCOUNT integration: its one connection is made by an admin"),
    413: problemResponse("Body too large"),
    415: problemResponse("Body is not JSON"),
    429: problemResponse("Rate limit exceeded"),
  },
});

export function registerConnectRoutes(
  app: OpenAPIHono<ConnectEnv>,
  deps: ConnectRouteDependencies,
): void {
  app.openapi(
    {
      ...createConnectSessionRoute,
      middleware: [requireAnyScope([INTEGRATION_API_SCOPE]), resolveIntegration(deps.db)],
    },
    async (c) => {
      const { endUserId, returnUrl } = c.req.valid("json");
      const result = await createConnectSession(
        deps.db,
        {
          integrationId: c.req.valid("param").integrationId,
          endUserId,
          returnUrl,
          origin: originOf(c, deps.publicUrl),
        },
        actorOf(c),
      );
      if (result.ok) {
        const { id, url, expiresAt } = result.session;
        return c.json({ id, url, expiresAt: expiresAt.toISOString() }, 201, NO_STORE);
      }
      switch (result.error) {
        case "not_found":
          return integrationNotFound(c);
        case "return_url_not_allowed":
          return validationProblem(c, [
            {
              path: ["returnUrl"],
              message:
                "This return URL is not on the integration's allowlist (Connections tab in the console)",
            },
          ]);
        case "not_connectable":
          return problem(c, 409, "Not connectable through a link", {
            detail:
              "A SERVICE_ACCOUNT integration has one connection for everyone, made by an admin; end users do not connect to it.",
          });
        default:
          return assertNever(result);
      }
    },
  );
}

/** Hono's request URL carries the Host the caller used; server.ts says whether it was https. */
function originOf(c: Context, publicUrl: string | undefined): string {
  const url = new URL(c.req.url);
  return publicOrigin(publicUrl, { host: url.host, get: (name) => c.req.header(name) });
}
