import "server-only";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { apiGroups } from "@/db/schema";
import { allScopes } from "./client-scopes";
import type { AuthorizationServerMetadataSchema } from "./schema";

export const OAUTH_PATHS = {
  token: "/oauth/token",
  introspection: "/oauth/introspect",
  revocation: "/oauth/revoke",
  metadata: "/.well-known/oauth-authorization-server",
} as const;

const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"];

/**
 * RFC 8414 authorization server metadata. The issuer is an origin (scheme, host, port) with no
 * path, so every endpoint sits at its root and the metadata at the well-known path of RFC 8414
 * §3. There is no authorization endpoint (client credentials only), so the response types are
 * the empty list.
 */
export async function authorizationServerMetadata(
  executor: Executor,
  issuer: string,
  now: () => number = Date.now,
): Promise<z.input<typeof AuthorizationServerMetadataSchema>> {
  return {
    issuer,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    introspection_endpoint: `${issuer}${OAUTH_PATHS.introspection}`,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revocation}`,
    grant_types_supported: ["client_credentials"],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    scopes_supported: await supportedScopes(executor, now),
  };
}

/**
 * The metadata is public and unauthenticated, so its one database read (the API groups, for
 * scopes_supported) is cached for a few seconds per instance instead of being paid by every
 * request anyone sends. A change of groups through the console forgets the cache at once in
 * this process (forgetSupportedScopes); other instances serve the old list for at most
 * SCOPES_TTL_MS. Concurrent misses share one read.
 */
export const SCOPES_TTL_MS = 5_000;

interface ScopesEntry {
  scopes?: string[];
  readAtMs: number;
  pending?: Promise<string[]>;
}

/**
 * On globalThis because server.ts (which serves the metadata) and Next's bundle (whose actions
 * change groups) each load their own copy of this module. By database handle, so tests that
 * open several databases in one process never see each other's groups.
 */
const SCOPES_CACHE = Symbol.for("authdesk.oauth-scopes-cache");
type ScopesCache = { generation: number; entries: WeakMap<Executor, ScopesEntry> };
const holder = globalThis as typeof globalThis & { [SCOPES_CACHE]?: ScopesCache };

function scopesCache(): ScopesCache {
  holder[SCOPES_CACHE] ??= { generation: 0, entries: new WeakMap() };
  return holder[SCOPES_CACHE];
}

/** Called after API groups change: the next metadata request reads them afresh. */
export function forgetSupportedScopes(): void {
  const cache = scopesCache();
  cache.generation += 1;
  cache.entries = new WeakMap();
}

function supportedScopes(executor: Executor, now: () => number): Promise<string[]> {
  const cache = scopesCache();
  const entry = cache.entries.get(executor) ?? { readAtMs: 0 };
  cache.entries.set(executor, entry);
  if (entry.scopes && now() - entry.readAtMs < SCOPES_TTL_MS) return Promise.resolve(entry.scopes);
  if (entry.pending) return entry.pending;
  const generation = cache.generation;
  const pending = executor
    .select({ slug: apiGroups.slug })
    .from(apiGroups)
    .then((groups) => allScopes(groups.map((group) => group.slug)));
  entry.pending = pending;
  pending.then(
    (scopes) => {
      // A read that started before a change must not be kept after it.
      if (cache.generation === generation) Object.assign(entry, { scopes, readAtMs: now() });
    },
    () => {},
  );
  pending
    .finally(() => {
      if (entry.pending === pending) entry.pending = undefined;
    })
    .catch(() => {});
  return pending;
}
