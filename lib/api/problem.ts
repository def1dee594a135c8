import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONValue } from "hono/utils/types";

/** RFC 9457 problem details, the error shape of every /api response. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problem<Status extends ContentfulStatusCode>(
  c: Context,
  status: Status,
  title: string,
  extra: Omit<Problem, "title" | "status"> = {},
) {
  const body = { type: "about:blank", title, status, ...extra } as ProblemBody;
  // c.json keeps a content type given here, and types the answer for OpenAPI routes' handlers.
  return c.json(body, status, { "content-type": "application/problem+json" });
}

/** The JSON-typed view of a Problem, which is what OpenAPI route handlers must return. */
type ProblemBody = {
  type: string;
  title: string;
  status: number;
  [extension: string]: JSONValue;
};

export interface FieldIssue {
  /** Where in the request, e.g. ["authFields", 1, "slug"]; written "authFields.1.slug". */
  path: readonly PropertyKey[];
  message: string;
}

/**
 * 400 for a request that does not validate: every problem with its field path, and the first
 * one in `detail` so a person reading a log sees what to fix.
 */
export function validationProblem(c: Context, issues: readonly FieldIssue[]) {
  const errors = issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  const first = errors[0];
  return problem(c, 400, "Invalid request", {
    detail: first ? `${first.path || "body"}: ${first.message}` : "The request is invalid.",
    errors,
  });
}
