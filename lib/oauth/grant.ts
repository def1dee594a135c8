/**
 * Which scopes a client-credentials grant gets (RFC 6749 §3.3): all of the client's scopes when
 * it asks for none, exactly those it asks for when it holds them all, and `invalid_scope` when
 * it asks for one it does not hold (rather than quietly granting less than it asked for).
 *
 * A client with no permissions at all gets `invalid_scope` too, not a token: a token that no
 * endpoint would accept is an admin's oversight, and saying so at the token endpoint is clearer
 * than a 403 on every call later.
 */
import "server-only";

export type ScopeGrant =
  | { ok: true; scopes: string[] }
  | { ok: false; error: "invalid_scope"; description: string };

export function grantScopes(held: string[], requested: string[] | undefined): ScopeGrant {
  if (held.length === 0) {
    return {
      ok: false,
      error: "invalid_scope",
      description:
        "This client has no permissions; an admin must give it View only or Modify on an API group.",
    };
  }
  if (requested === undefined) return { ok: true, scopes: held };
  const holds = new Set(held);
  const missing = requested.filter((scope) => !holds.has(scope));
  if (missing.length > 0) {
    return {
      ok: false,
      error: "invalid_scope",
      description: `This client may not request: ${missing.join(" ")}.`,
    };
  }
  return { ok: true, scopes: [...requested].sort() };
}
