import "server-only";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { createBatcher } from "@/db/batcher";
import type { Database } from "@/db/client";
import { apiClients } from "@/db/schema";
import { credentialMatchesAny, hashCredential } from "@/lib/api-clients/credentials";
import { type CounterState, liveCountersJson } from "@/lib/rate-limit/counter";
import {
  type FailureCounters,
  type FailureLimits,
  failureCounters,
  recordFailure,
  refuseAttempt,
  throttleVerdict,
} from "@/lib/rate-limit/failures";
import { epochSeconds, type PermissionRow, permissionsJson } from "./client-scopes";
import { scopesForPermissions } from "./scopes";

/**
 * Authentication of API clients at the OAuth endpoints (client_secret_basic and
 * client_secret_post both end here).
 *
 * An unknown client and a wrong secret take the same path: the same lookup (the client row, its
 * permissions and the failure counters, fetched together), one SHA-256 and one constant-time
 * comparison, against a decoy hash when there is no client, so neither the answer nor its timing
 * says which client ids exist.
 *
 * Lookups are batched (db/batcher.ts): the requests that arrive while one lookup runs share the
 * next, a prepared statement PostgreSQL plans once per connection. Nothing is cached between
 * requests, so a client deleted or a counter filled on another instance counts at once.
 *
 * After a roll, the previous secret is accepted too until its grace period ends, by the
 * database's clock: the lookup returns its hash only while `previous_secret_expires_at` is in
 * the future. Both hashes are always compared (decoys standing in for absent ones), so the
 * timing does not tell whether a roll is under way either.
 */
export interface AuthenticatedClient {
  /** The row id (`cli_…`), which tokens reference. */
  id: string;
  /** The public client key, the OAuth client_id. */
  clientKey: string;
  tillId: string;
  tokenTtlMinutes: number;
  /** Every scope the client's permissions grant, sorted. */
  scopes: string[];
  /** When the lookup ran, by the database's clock (epoch seconds): its tokens' issue time. */
  authenticatedAt: number;
  /** "Revoke all tokens" refuses tokens issued at or before this (epoch seconds); null if never. */
  tokensValidAfter: number | null;
}

export type ClientAuthResult =
  | { ok: true; client: AuthenticatedClient }
  | { ok: false; error: "invalid_client" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

export interface ClientAuthenticator {
  authenticate(
    presented: { clientId: string; secret: string },
    clientAddress: string | null,
  ): Promise<ClientAuthResult>;
}

interface ClientRow {
  id: string;
  clientKey: string;
  secretHash: string;
  /** Null unless a previous secret is still in its grace period. */
  previousSecretHash: string | null;
  tokenTtlMinutes: number;
  tillId: string;
  tokensValidAfter: number | null;
  permissions: PermissionRow[];
}

interface Lookup {
  clientKey: string;
  counterKeys: string[];
}

interface LookupResult {
  client: ClientRow | undefined;
  /** The database's clock, epoch seconds. */
  now: number;
  /** The live ones among the lookup's counter keys. */
  counters: CounterState[];
}

/** A hash no secret matches, compared against when the client does not exist. */
const DECOY_SECRET_HASH = hashCredential(randomBytes(32).toString("hex"));

export function createClientAuthenticator(
  db: Database,
  limits: FailureLimits,
): ClientAuthenticator {
  const lookups = createBatcher(prepareClientLookup(db));

  async function authenticate(
    presented: { clientId: string; secret: string },
    clientAddress: string | null,
  ): Promise<ClientAuthResult> {
    const counters = failureCounters(
      { kind: "client", id: presented.clientId },
      clientAddress,
      limits,
    );
    const found = await lookups.submit({
      clientKey: presented.clientId,
      counterKeys: counters.keys,
    });
    const verdict = throttleVerdict(counters, found.counters);
    if (verdict.throttled) {
      const retryAfterSeconds = await refuseAttempt(db, counters, verdict);
      return { ok: false, error: "throttled", retryAfterSeconds };
    }
    const { client } = found;
    const matches = credentialMatchesAny(presented.secret, [
      client?.secretHash ?? DECOY_SECRET_HASH,
      client?.previousSecretHash ?? DECOY_SECRET_HASH,
    ]);
    if (!matches || !client) return fail(db, counters);
    const { id, clientKey, tillId, tokenTtlMinutes, tokensValidAfter, permissions } = client;
    return {
      ok: true,
      client: {
        id,
        clientKey,
        tillId,
        tokenTtlMinutes,
        scopes: scopesForPermissions(permissions),
        authenticatedAt: Math.floor(found.now),
        tokensValidAfter: tokensValidAfter === null ? null : Number(tokensValidAfter),
      },
    };
  }

  return { authenticate };
}

async function fail(db: Database, counters: FailureCounters): Promise<ClientAuthResult> {
  await recordFailure(db, counters);
  return { ok: false, error: "invalid_client" };
}

/**
 * One statement for a whole batch: every client asked for, each with its permissions, and the
 * live counters among every key asked for. Left-joined to a single row, so the counters come
 * back even when no client matches.
 */
function prepareClientLookup(db: Database): (batch: Lookup[]) => Promise<LookupResult[]> {
  const statement = db
    .select({
      now: sql<number>`extract(epoch from now())::float8`,
      counters: liveCountersJson(sql.placeholder("counterKeys")),
      id: apiClients.id,
      clientKey: apiClients.clientKey,
      secretHash: apiClients.secretHash,
      previousSecretHash: sql<string | null>`case
        when ${apiClients.previousSecretExpiresAt} > now() then ${apiClients.previousSecretHash}
      end`,
      tokenTtlMinutes: apiClients.tokenTtlMinutes,
      tillId: apiClients.tillId,
      tokensValidAfter: epochSeconds(apiClients.tokensValidAfter),
      permissions: permissionsJson(apiClients.id),
    })
    .from(sql`(select 1) as "one"`)
    .leftJoin(
      apiClients,
      sql`${apiClients.clientKey} = any(${sql.placeholder("clientKeys")}::text[])`,
    )
    .prepare("oauth_find_clients");

  return async (batch) => {
    const rows = await statement.execute({
      clientKeys: [...new Set(batch.map((lookup) => lookup.clientKey))],
      counterKeys: [...new Set(batch.flatMap((lookup) => lookup.counterKeys))],
    });
    const clients = new Map<string, ClientRow>();
    for (const row of rows) if (isClientRow(row)) clients.set(row.clientKey, row);
    const live = (rows[0]?.counters ?? []) as CounterState[];
    const now = Number(rows[0]?.now ?? 0);
    return batch.map((lookup) => ({
      client: clients.get(lookup.clientKey),
      now,
      counters: live.filter((counter) => lookup.counterKeys.includes(counter.key)),
    }));
  };
}

function isClientRow(row: Partial<Record<keyof ClientRow, unknown>>): row is ClientRow {
  return typeof row.id === "string" && typeof row.clientKey === "string";
}
