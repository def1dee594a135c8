import "server-only";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { accessTokens, apiClients } from "@/db/schema";
import {
  generateCredential,
  hashCredential,
  isWellFormedCredential,
} from "@/lib/api-clients/credentials";
import { effectiveScopes, permissionsJson } from "./client-scopes";
import type { AuthenticatedClient } from "./clients";

/**
 * Access tokens are opaque (`adk_at_…`, 256 random bits and a checksum). Only their SHA-256 is
 * stored, with the client, scope and expiry, and every use looks the hash up, so revocation
 * (by /oauth/revoke, or by deleting the client, which cascades) holds at once on every
 * instance. Expiry is judged by the database's clock for the same reason.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
  scope: string;
}

/** Undefined when the client was deleted between its authentication and this insert. */
export async function issueAccessToken(
  executor: Executor,
  client: AuthenticatedClient,
  scopes: string[],
): Promise<IssuedToken | undefined> {
  const accessToken = generateCredential("access_token");
  const scope = scopes.join(" ");
  try {
    await executor.insert(accessTokens).values({
      tokenHash: hashCredential(accessToken),
      clientId: client.id,
      scope,
      issuedAt: sql`now()`,
      expiresAt: sql`now() + make_interval(mins => ${client.tokenTtlMinutes})`,
    });
  } catch (error) {
    if (isForeignKeyViolation(error)) return undefined;
    throw error;
  }
  deleteLongExpiredTokensSometimes(executor);
  return { accessToken, expiresInSeconds: client.tokenTtlMinutes * 60, scope };
}

export interface ActiveToken {
  /** The client's row id. */
  clientId: string;
  /** The client's public key, the OAuth client_id. */
  clientKey: string;
  tillId: string;
  /** The scopes the token may use now (see effectiveScopes). */
  scopes: string[];
  issuedAt: Date;
  expiresAt: Date;
}

/**
 * The token's client and scopes when the token is live: issued by us, not revoked, not expired,
 * and its client not deleted. One query by primary key, joined to the client and its
 * permissions. Strings that cannot be our tokens (wrong prefix or checksum) are answered
 * without a query.
 */
export async function findActiveToken(
  executor: Executor,
  token: string,
): Promise<ActiveToken | undefined> {
  if (!isWellFormedCredential(token, "access_token")) return undefined;
  const [row] = await executor
    .select({
      clientId: accessTokens.clientId,
      clientKey: apiClients.clientKey,
      tillId: apiClients.tillId,
      scope: accessTokens.scope,
      issuedAt: accessTokens.issuedAt,
      expiresAt: accessTokens.expiresAt,
      permissions: permissionsJson(apiClients.id),
    })
    .from(accessTokens)
    .innerJoin(apiClients, eq(apiClients.id, accessTokens.clientId))
    .where(
      and(
        eq(accessTokens.tokenHash, hashCredential(token)),
        isNull(accessTokens.revokedAt),
        gt(accessTokens.expiresAt, sql`now()`),
      ),
    );
  if (!row) return undefined;
  const { permissions, scope, ...rest } = row;
  return { ...rest, scopes: effectiveScopes(scope, permissions) };
}

/**
 * Revokes a token if it belongs to `clientId`. Tokens of other clients and strings that are no
 * token at all are left alone without saying so (RFC 7009 answers 200 either way).
 */
export async function revokeToken(
  executor: Executor,
  token: string,
  clientId: string,
): Promise<void> {
  if (!isWellFormedCredential(token, "access_token")) return;
  await executor
    .update(accessTokens)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(accessTokens.tokenHash, hashCredential(token)),
        eq(accessTokens.clientId, clientId),
        isNull(accessTokens.revokedAt),
      ),
    );
}

/** Expired tokens are kept a day (for anyone investigating a client's recent use), then deleted. */
const KEEP_EXPIRED_MS = 24 * 3600_000;
const SWEEP_INTERVAL_MS = 10 * 60_000;
const lastSweepAt = new WeakMap<object, number>();

export async function deleteLongExpiredTokens(executor: Executor): Promise<void> {
  const before = new Date(Date.now() - KEEP_EXPIRED_MS);
  await executor.delete(accessTokens).where(lt(accessTokens.expiresAt, before));
}

/** At most every ten minutes per database handle, in the background of an issuance. */
function deleteLongExpiredTokensSometimes(executor: Executor): void {
  const now = Date.now();
  if (now - (lastSweepAt.get(executor) ?? 0) < SWEEP_INTERVAL_MS) return;
  lastSweepAt.set(executor, now);
  deleteLongExpiredTokens(executor).catch((error: unknown) => {
    console.warn("[oauth] deleting expired tokens failed:", (error as Error).message);
  });
}
