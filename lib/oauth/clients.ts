import "server-only";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { apiClients } from "@/db/schema";
import { credentialMatches, hashCredential } from "@/lib/api-clients/credentials";
import { type CounterState, liveCountersJson } from "@/lib/rate-limit/counter";
import {
  type FailureLimits,
  failureCounters,
  recordFailure,
  throttleVerdict,
} from "@/lib/rate-limit/failures";
import { type PermissionRow, permissionsJson } from "./client-scopes";
import { scopesForPermissions } from "./scopes";

/**
 * Authentication of API clients at the OAuth endpoints (client_secret_basic and
 * client_secret_post both end here).
 *
 * An unknown client and a wrong secret take the same path: the same single query (the client
 * row, its permissions and the failure counters, fetched together), one SHA-256 and one
 * constant-time comparison, against a decoy hash when there is no client, so neither the answer
 * nor its timing says which client ids exist.
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
}

export type ClientAuthResult =
  | { ok: true; client: AuthenticatedClient }
  | { ok: false; error: "invalid_client" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

interface ClientRow {
  counters: CounterState[];
  id: string | null;
  clientKey: string | null;
  secretHash: string | null;
  tokenTtlMinutes: number | null;
  tillId: string | null;
  permissions: PermissionRow[];
}

/** A hash no secret matches, compared against when the client does not exist. */
const DECOY_SECRET_HASH = hashCredential(randomBytes(32).toString("hex"));

export async function authenticateClient(
  executor: Executor,
  presented: { clientId: string; secret: string },
  context: { clientAddress: string | null; limits: FailureLimits },
): Promise<ClientAuthResult> {
  const counters = failureCounters(
    { kind: "client", id: presented.clientId },
    context.clientAddress,
    context.limits,
  );
  const row = await findClient(
    executor,
    presented.clientId,
    counters.map((counter) => counter.key),
  );
  const verdict = throttleVerdict(counters, row.counters);
  if (verdict.throttled) {
    return { ok: false, error: "throttled", retryAfterSeconds: verdict.retryAfterSeconds };
  }
  const matches = credentialMatches(presented.secret, row.secretHash ?? DECOY_SECRET_HASH);
  if (!matches || !isKnown(row)) {
    await recordFailure(executor, counters);
    return { ok: false, error: "invalid_client" };
  }
  return {
    ok: true,
    client: {
      id: row.id,
      clientKey: row.clientKey,
      tillId: row.tillId,
      tokenTtlMinutes: row.tokenTtlMinutes,
      scopes: scopesForPermissions(row.permissions),
    },
  };
}

type KnownClientRow = ClientRow & {
  id: string;
  clientKey: string;
  tillId: string;
  tokenTtlMinutes: number;
};

function isKnown(row: ClientRow): row is KnownClientRow {
  return row.id !== null && row.clientKey !== null && row.tillId !== null;
}

/** Always one row: the counters, and the client's columns (null when there is no such client). */
async function findClient(
  executor: Executor,
  clientKey: string,
  counterKeys: string[],
): Promise<ClientRow> {
  const [row] = await queryRows<ClientRow>(
    executor,
    sql`select
      ${liveCountersJson(counterKeys)} as "counters",
      ${apiClients.id} as "id",
      ${apiClients.clientKey} as "clientKey",
      ${apiClients.secretHash} as "secretHash",
      ${apiClients.tokenTtlMinutes} as "tokenTtlMinutes",
      ${apiClients.tillId} as "tillId",
      ${permissionsJson(apiClients.id)} as "permissions"
    from (select 1) as "one"
    left join ${apiClients} on ${apiClients.clientKey} = ${clientKey}`,
  );
  if (!row) throw new Error("The client lookup returned no row");
  return row;
}
