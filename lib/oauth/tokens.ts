import "server-only";
import { lt, sql } from "drizzle-orm";
import { createBatcher } from "@/db/batcher";
import type { Database, Executor } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { apiClients, revokedAccessTokens } from "@/db/schema";
import { sweepSometimes } from "@/db/sweep";
import type { Keyring } from "@/lib/crypto";
import { type AccessTokenClaims, createAccessTokenSigner } from "./access-tokens";
import {
  effectiveScopes,
  epochSeconds,
  type PermissionRow,
  permissionsJson,
} from "./client-scopes";
import type { AuthenticatedClient } from "./clients";

/**
 * Issuing, checking and revoking access tokens. Tokens are signed (lib/oauth/access-tokens.ts),
 * so issuing one writes nothing. Every use checks the signature and then, in one indexed lookup,
 * that the client still exists (deleting a client stops its tokens at once, on every instance),
 * that the token is not on the revocation list nor issued before the client's "Revoke all
 * tokens", and which of its scopes the client still holds.
 * Times are the database's clock, so instances with skewed clocks agree on expiry.
 *
 * Lookups are batched (db/batcher.ts): the tokens presented while one lookup runs are checked
 * together by the next, a prepared statement.
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
  issue(client: AuthenticatedClient, scopes: string[]): IssuedToken;
  /**
   * The token's client and scopes when the token is live: signed by us, not revoked, not expired,
   * and its client not deleted. Anything without our signature is answered without a query.
   */
  findActive(token: string): Promise<ActiveToken | undefined>;
  /**
   * Revokes a token if it belongs to `clientId`. Tokens of other clients and strings that are
   * no token at all are left alone without saying so (RFC 7009 answers 200 either way).
   */
  revoke(token: string, clientId: string): Promise<void>;
}

interface ClientState {
  clientId: string;
  clientKey: string;
  tillId: string;
  /** Epoch seconds; tokens issued at or before it are refused. */
  tokensValidAfter: number | null;
  permissions: PermissionRow[];
}

interface TokenChecks {
  /** The database's clock, epoch seconds. */
  now: number;
  clients: Map<string, ClientState>;
  revokedTokenIds: Set<string>;
}

export function createTokenStore(db: Database, keyring: Keyring): TokenStore {
  const signer = createAccessTokenSigner(keyring);
  const lookups = createBatcher(prepareTokenLookup(db));

  function issue(client: AuthenticatedClient, scopes: string[]): IssuedToken {
    const expiresInSeconds = client.tokenTtlMinutes * 60;
    const scope = scopes.join(" ");
    const { token } = signer.sign({
      clientId: client.id,
      scope,
      issuedAt: issueTime(client),
      expiresAt: client.authenticatedAt + expiresInSeconds,
    });
    return { accessToken: token, expiresInSeconds, scope };
  }

  async function findActive(token: string): Promise<ActiveToken | undefined> {
    const claims = signer.verify(token);
    if (!claims) return undefined;
    const checks = await lookups.submit(claims);
    const client = checks.clients.get(claims.clientId);
    if (
      !client ||
      checks.revokedTokenIds.has(claims.tokenId) ||
      claims.expiresAt <= checks.now ||
      (client.tokensValidAfter !== null && claims.issuedAt <= client.tokensValidAfter)
    ) {
      return undefined;
    }
    return {
      clientId: client.clientId,
      clientKey: client.clientKey,
      tillId: client.tillId,
      scopes: effectiveScopes(claims.scope, client.permissions),
      issuedAt: new Date(claims.issuedAt * 1000),
      expiresAt: new Date(claims.expiresAt * 1000),
    };
  }

  async function revoke(token: string, clientId: string): Promise<void> {
    const claims = signer.verify(token);
    if (!claims || claims.clientId !== clientId) return;
    try {
      await db
        .insert(revokedAccessTokens)
        .values({
          tokenId: claims.tokenId,
          clientId,
          expiresAt: new Date(claims.expiresAt * 1000),
        })
        .onConflictDoNothing();
    } catch (error) {
      // The client was deleted meanwhile, which stops its tokens anyway.
      if (!isForeignKeyViolation(error)) throw error;
    }
    sweepSometimes(db, "oauth", () => deleteExpiredRevocations(db));
  }

  return { issue, findActive, revoke };
}

/**
 * One statement for a batch of presented tokens: the clients they name, each with its current
 * permissions, which of their token ids are revoked, and the database's time. Left-joined to a
 * single row so the time and the revocations come back even when no client matches.
 */
function prepareTokenLookup(db: Database): (batch: AccessTokenClaims[]) => Promise<TokenChecks[]> {
  const statement = db
    .select({
      now: sql<number>`extract(epoch from now())::float8`,
      revoked: sql<string[]>`coalesce((
        select json_agg(${revokedAccessTokens.tokenId}) from ${revokedAccessTokens}
        where ${revokedAccessTokens.tokenId} = any(${sql.placeholder("tokenIds")}::text[])
      ), '[]'::json)`,
      clientId: apiClients.id,
      clientKey: apiClients.clientKey,
      tillId: apiClients.tillId,
      tokensValidAfter: epochSeconds(apiClients.tokensValidAfter),
      permissions: permissionsJson(apiClients.id),
    })
    .from(sql`(select 1) as "one"`)
    .leftJoin(apiClients, sql`${apiClients.id} = any(${sql.placeholder("clientIds")}::text[])`)
    .prepare("oauth_check_tokens");

  return async (batch) => {
    const rows = await statement.execute({
      clientIds: [...new Set(batch.map((claims) => claims.clientId))],
      tokenIds: batch.map((claims) => claims.tokenId),
    });
    const clients = new Map<string, ClientState>();
    for (const { clientId, clientKey, tillId, tokensValidAfter, permissions } of rows) {
      if (clientId && clientKey && tillId) {
        const validAfter = tokensValidAfter === null ? null : Number(tokensValidAfter);
        clients.set(clientId, {
          clientId,
          clientKey,
          tillId,
          tokensValidAfter: validAfter,
          permissions,
        });
      }
    }
    const first = rows[0];
    const checks: TokenChecks = {
      now: Number(first?.now ?? 0),
      clients,
      revokedTokenIds: new Set(first?.revoked ?? []),
    };
    return batch.map(() => checks);
  };
}

/**
 * A token's issue time, in the whole seconds tokens carry: normally when its client was
 * authenticated. Tokens issued at or before a "Revoke all tokens" are refused, and the revocation
 * time has a fraction, so a token issued in the same second after a revocation would be refused
 * too; it is dated the next second instead (its expiry does not move).
 */
function issueTime(client: AuthenticatedClient): number {
  const { authenticatedAt, tokensValidAfter } = client;
  if (tokensValidAfter === null || authenticatedAt > tokensValidAfter) return authenticatedAt;
  return Math.floor(tokensValidAfter) + 1;
}

/** A revocation outlives its token by nothing: once the token has expired it is refused anyway. */
export async function deleteExpiredRevocations(executor: Executor): Promise<void> {
  await executor.delete(revokedAccessTokens).where(lt(revokedAccessTokens.expiresAt, sql`now()`));
}
