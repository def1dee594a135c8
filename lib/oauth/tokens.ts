import "server-only";
import { and, eq, gt, isNull, lt, sql } from "drizzle-orm";
import { createBatcher } from "@/db/batcher";
import type { Database, Executor } from "@/db/client";
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
 *
 * Issuing and looking up are batched (db/batcher.ts): tokens issued while an insert runs are
 * written together by the next one, and a token is answered only once its row is committed, so
 * every token handed out is already in the database when its client first sees it.
 */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
  scope: string;
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

export interface TokenStore {
  /** Undefined when the client was deleted between its authentication and the insert. */
  issue(client: AuthenticatedClient, scopes: string[]): Promise<IssuedToken | undefined>;
  /**
   * The token's client and scopes when the token is live: issued by us, not revoked, not
   * expired, and its client not deleted. Strings that cannot be our tokens (wrong prefix or
   * checksum) are answered without a query.
   */
  findActive(token: string): Promise<ActiveToken | undefined>;
  /**
   * Revokes a token if it belongs to `clientId`. Tokens of other clients and strings that are
   * no token at all are left alone without saying so (RFC 7009 answers 200 either way).
   */
  revoke(token: string, clientId: string): Promise<void>;
}

interface NewToken {
  tokenHash: string;
  clientId: string;
  scope: string;
  ttlMinutes: number;
}

export function createTokenStore(db: Database): TokenStore {
  const inserts = createBatcher(prepareTokenInsert(db));
  const lookups = createBatcher(prepareTokenLookup(db));

  async function issue(client: AuthenticatedClient, scopes: string[]) {
    const accessToken = generateCredential("access_token");
    const scope = scopes.join(" ");
    const stored = await inserts.submit({
      tokenHash: hashCredential(accessToken),
      clientId: client.id,
      scope,
      ttlMinutes: client.tokenTtlMinutes,
    });
    deleteLongExpiredTokensSometimes(db);
    if (!stored) return undefined;
    return { accessToken, expiresInSeconds: client.tokenTtlMinutes * 60, scope };
  }

  async function findActive(token: string) {
    if (!isWellFormedCredential(token, "access_token")) return undefined;
    return lookups.submit(hashCredential(token));
  }

  async function revoke(token: string, clientId: string) {
    if (!isWellFormedCredential(token, "access_token")) return;
    await db
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

  return { issue, findActive, revoke };
}

/**
 * One insert for a batch of tokens, from arrays. Joining the clients skips a client deleted
 * before the statement began; a delete that commits while it runs fails the foreign key check
 * instead, and then the batch runs once more, when the join sees the delete.
 */
function prepareTokenInsert(db: Database): (batch: NewToken[]) => Promise<boolean[]> {
  const statement = db
    .insert(accessTokens)
    .select(
      sql`select t.token_hash, t.client_id, t.scope, now(), now() + make_interval(mins => t.ttl), null
        from unnest(
          ${sql.placeholder("tokenHashes")}::text[],
          ${sql.placeholder("clientIds")}::text[],
          ${sql.placeholder("scopes")}::text[],
          ${sql.placeholder("ttls")}::int[]
        ) as t(token_hash, client_id, scope, ttl)
        join ${apiClients} on ${apiClients.id} = t.client_id`,
    )
    .returning({ tokenHash: accessTokens.tokenHash })
    .prepare("oauth_insert_tokens");

  const insert = (batch: NewToken[]) =>
    statement.execute({
      tokenHashes: batch.map((token) => token.tokenHash),
      clientIds: batch.map((token) => token.clientId),
      scopes: batch.map((token) => token.scope),
      ttls: batch.map((token) => token.ttlMinutes),
    });

  return async (batch) => {
    const rows = await insert(batch).catch((error: unknown) => {
      if (isForeignKeyViolation(error)) return insert(batch);
      throw error;
    });
    const stored = new Set(rows.map((row) => row.tokenHash));
    return batch.map((token) => stored.has(token.tokenHash));
  };
}

/** One indexed lookup for a batch of token hashes, joined to each client and its permissions. */
function prepareTokenLookup(
  db: Database,
): (tokenHashes: string[]) => Promise<(ActiveToken | undefined)[]> {
  const statement = db
    .select({
      tokenHash: accessTokens.tokenHash,
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
        sql`${accessTokens.tokenHash} = any(${sql.placeholder("tokenHashes")}::text[])`,
        isNull(accessTokens.revokedAt),
        gt(accessTokens.expiresAt, sql`now()`),
      ),
    )
    .prepare("oauth_find_tokens");

  return async (tokenHashes) => {
    const rows = await statement.execute({ tokenHashes: [...new Set(tokenHashes)] });
    const found = new Map(
      rows.map(({ tokenHash, permissions, scope, ...token }) => [
        tokenHash,
        { ...token, scopes: effectiveScopes(scope, permissions) },
      ]),
    );
    return tokenHashes.map((tokenHash) => found.get(tokenHash));
  };
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
