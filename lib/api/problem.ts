import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** RFC 9457 problem details, the error shape of every /api response. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  extra: Omit<Problem, "title" | "status"> = {},
) {
  const body: Problem = { type: "about:blank", title, status, ...extra };
  return c.body(JSON.stringify(body), status, { "content-type": "application/problem+json" });
}
