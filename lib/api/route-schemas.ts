import "server-only";
import { type RouteConfig, z } from "@hono/zod-openapi";

/** What the /api routes' OpenAPI descriptions share: their error body and who may call them. */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({
        description: "For a 400: each problem with its field path, e.g. authFields.1.slug.",
      }),
  })
  .loose()
  .openapi("Problem", {
    description: "RFC 9457 problem details, the error shape of every /api response.",
  });

export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Either scheme the /api middleware accepts (components registered in app.ts). */
export const CALLER_SECURITY: RouteConfig["security"] = [{ bearerAuth: [] }, { basicAuth: [] }];
