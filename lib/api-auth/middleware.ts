import "server-only";
import type { Context, MiddlewareHandler } from "hono";
import { problem } from "@/lib/api/problem";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/request-context";
import type { SharedQuota } from "@/lib/rate-limit/quota";
import {
  type ApiAuthFailure,
  type ApiAuthServices,
  type ApiCaller,
  authenticateApiRequest,
  hasAnyScope,
} from "./authenticate";

/**
 * Hono glue for lib/api-auth: `apiAuthentication` finds the caller (or answers for it) and
 * spends one request of the caller's quota; `requireAnyScope` guards a route. Errors are RFC
 * 9457 problem details that carry RFC 6750's error code in an `error` member and in the
 * `WWW-Authenticate: Bearer` challenge. No CORS header is ever set: this API is for servers.
 */
export interface ApiAuthVariables {
  apiCaller: ApiCaller;
}

export const REALM = "authdesk";

export function apiAuthentication(
  services: ApiAuthServices,
  quota: SharedQuota,
): MiddlewareHandler<{ Variables: ApiAuthVariables }> {
  return async (c, next) => {
    const address = c.req.header(CLIENT_ADDRESS_HEADER);
    const result = await authenticateApiRequest(services, {
      authorization: c.req.header("authorization"),
      origin: c.req.header("origin"),
      secFetchSite: c.req.header("sec-fetch-site"),
      clientAddress: address || null,
    });
    if (!result.ok) return authFailureResponse(c, result.failure);
    const verdict = await quota.take(quotaKey(result.caller));
    if (!verdict.allowed) {
      c.header("Retry-After", String(verdict.retryAfterSeconds));
      return problem(c, 429, "Too many requests", {
        detail: `This client's request limit is used up; retry in ${verdict.retryAfterSeconds} s.`,
      });
    }
    c.set("apiCaller", result.caller);
    await next();
  };
}

function quotaKey(caller: ApiCaller): string {
  return caller.kind === "client" ? `api:client:${caller.clientId}` : `api:till:${caller.tillId}`;
}

/** 403 insufficient_scope unless the caller holds one of `anyOf` (the first is the one named). */
export function requireAnyScope(
  anyOf: [string, ...string[]],
): MiddlewareHandler<{ Variables: ApiAuthVariables }> {
  return async (c, next) => {
    if (hasAnyScope(c.get("apiCaller"), anyOf)) return next();
    const needed = anyOf.join(" ");
    c.header("WWW-Authenticate", bearerChallenge({ error: "insufficient_scope", scope: needed }));
    return problem(c, 403, "Insufficient scope", {
      error: "insufficient_scope",
      detail: `This endpoint needs one of these scopes: ${needed}.`,
      scope: needed,
    });
  };
}

export function authFailureResponse(c: Context, failure: ApiAuthFailure): Response {
  switch (failure.code) {
    case "browser_request":
      return problem(c, 403, "Browser requests are not accepted", {
        detail:
          "This API is for servers. Requests with an Origin or Sec-Fetch-Site header are refused; call it from your backend.",
      });
    case "no_credentials":
      c.header("WWW-Authenticate", bearerChallenge({}));
      return problem(c, 401, "Authentication required", {
        detail: "Send an access token as Authorization: Bearer <token>.",
      });
    case "malformed_bearer": {
      const description = "The Bearer credentials are malformed.";
      c.header("WWW-Authenticate", bearerChallenge({ error: "invalid_request", description }));
      return problem(c, 400, "Invalid request", { error: "invalid_request", detail: description });
    }
    case "malformed_basic":
      return problem(c, 400, "Invalid request", {
        error: "invalid_request",
        detail: "The Basic credentials must be base64 of code:password.",
      });
    case "invalid_token": {
      const description = "The access token is invalid, expired or revoked.";
      c.header("WWW-Authenticate", bearerChallenge({ error: "invalid_token", description }));
      return problem(c, 401, "Invalid access token", {
        error: "invalid_token",
        detail: description,
      });
    }
    case "basic_disabled":
      c.header("WWW-Authenticate", bearerChallenge({}));
      return problem(c, 401, "Basic authentication is disabled", {
        detail: "This organisation accepts only Bearer access tokens.",
      });
    case "invalid_basic":
      c.header("WWW-Authenticate", `Basic realm="${REALM}", charset="UTF-8"`);
      return problem(c, 401, "Invalid till credentials", {
        detail: "The till code or password is wrong.",
      });
    case "throttled":
      c.header("Retry-After", String(failure.retryAfterSeconds));
      return problem(c, 429, "Too many failed attempts", {
        detail: `Retry in ${failure.retryAfterSeconds} s.`,
      });
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

/** RFC 6750 §3; the values here are our own constants, so they need no escaping. */
function bearerChallenge(parts: { error?: string; description?: string; scope?: string }): string {
  const params = [`realm="${REALM}"`];
  if (parts.error) params.push(`error="${parts.error}"`);
  if (parts.description) params.push(`error_description="${parts.description}"`);
  if (parts.scope) params.push(`scope="${parts.scope}"`);
  return `Bearer ${params.join(", ")}`;
}
