import "server-only";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Database } from "@/db/client";
import { checkHealth } from "@/lib/health";
import { problem } from "./problem";

/**
 * The programs' endpoints (/api, /oauth, /.well-known), served outside Next's router because
 * Next costs about 1 ms of CPU per request and these are called by machines, often.
 */
export interface ApiDependencies {
  db: Database;
}

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
  summary: "Database reachable and every migration applied",
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthSchema } } },
    503: { description: "Not ready", content: { "application/json": { schema: HealthSchema } } },
  },
});

export function createApiApp({ db }: ApiDependencies) {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problem(c, 400, "Invalid request", { errors: z.treeifyError(result.error) });
      }
    },
  });

  app.openapi(healthRoute, async (c) => {
    const health = await checkHealth(db);
    return c.json(health, health.status === "ok" ? 200 : 503);
  });

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: { title: "Authdesk API", version: "1" },
  });

  app.notFound((c) => problem(c, 404, "Not found", { detail: `No endpoint at ${c.req.path}` }));
  app.onError((error, c) => {
    // The cause is logged here; the caller gets a generic problem without internals.
    console.error("[api] unhandled error on %s %s:", c.req.method, c.req.path, error);
    return problem(c, 500, "Internal server error");
  });
  return app;
}
