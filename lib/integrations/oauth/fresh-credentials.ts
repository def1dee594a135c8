import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { integrationConnections, integrations } from "@/db/schema";
import { type ActorContext, recordAudit, recordAuditAtMostEvery } from "@/lib/audit/service";
import { open, SealError } from "@/lib/crypto";
import { connectionValuesSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import { assertNever } from "@/lib/utils/assert-never";
import {
  type ConnectionView,
  connectionKey,
  connectionView,
  openTokenSet,
  sealTokenSet,
} from "../connections";
import { OAUTH_AUTH_TYPES } from "../schema";
import type { IntegrationCaller } from "../service";
import { type CachedReadRequest, CREDENTIALS_READ_ACTION, readCached } from "./cached-read";
import { forgetRegistration, loadOAuthClient, oauthClientKey } from "./client";
import { refreshTokens } from "./protocol";
import {
  type OAuthClientConfig,
  type OAuthDependencies,
  OAuthError,
  type OAuthErrorCode,
  type TokenSet,
} from "./types";

/**
 * Fresh credentials for programs: GET …/connections/{id}/credentials. Field connections answer
 * their values; OAuth connections answer an access token that is refreshed ahead of expiry.
 *
 * - A token is served while more than min(60 s, 10 % of its lifetime) remains, as the token
 *   broker does. Within that margin the caller waits for a refresh, so a program never gets a
 *   token with seconds to live when a longer one could be had; if the refresh fails for a
 *   reason that is not the end user's (provider down, busy), the old token is served while it
 *   is still valid.
 * - One refresh per connection at a time in this process: callers share one promise.
 * - One refresh per connection at a time across instances: the refresher first claims a lease on
 *   the row with a compare-and-swap UPDATE (the database's clock; no lock or transaction is held
 *   over the HTTP call). Everyone else polls the row until credentials_revision moves. The lease
 *   (30 s) outlasts the refresh request's total timeout (10 s), so a refresh token is never sent
 *   by two instances: the second can only claim once the first has written, failed or died.
 * - The result is written only where credentials_revision is still the one read, and bumps it.
 *   A provider that sends no refresh token keeps the old one.
 * - invalid_grant (or an expired token with no refresh token) marks the connection
 *   needs_reconnect, unless the revision moved meanwhile (someone else refreshed or the end user
 *   reconnected: their token is the answer). Other failures leave it active, release the lease
 *   and start a back-off in this process (1 s, 2 s … 60 s, or the provider's Retry-After).
 * - Every read of credentials is audited in the same transaction as the read; every refresh and
 *   every needs_reconnect writes an audit event too. Never a token value.
 */

export interface FreshCredentialsOptions extends OAuthDependencies {
  /** How long a claim to refresh lasts. Default 30,000: longer than any refresh can take. */
  leaseMs?: number;
  /** How often a caller waiting for another instance's refresh looks at the row. Default 75. */
  pollIntervalMs?: number;
}

export interface OAuthCredentials {
  accessToken: string;
  tokenType: string;
  expiresAt: Date | null;
  scope: string | null;
}

export type Credentials =
  | { kind: "fields"; values: Record<string, string> }
  /** Never the refresh token: a program refreshing behind our back would break rotation. */
  | { kind: "oauth"; token: OAuthCredentials };

export type RefreshFailureReason =
  | Exclude<OAuthErrorCode, "invalid_grant">
  /** A refresh failed moments ago; this connection waits before the provider is asked again. */
  | "backing_off"
  /** Another instance held the refresh lease for longer than a refresh can take. */
  | "busy";

export const NEEDS_RECONNECT_REASONS = [
  /** The provider refused the refresh token. */
  "invalid_grant",
  /** The provider no longer knows the client the tokens were issued to (a forgotten registration). */
  "invalid_client",
  /** The integration's OAuth client changed (or is gone) since the connect: its refresh token
   * belongs to another client and is never sent to this one. */
  "client_changed",
  /** The token expired and the provider never issued a refresh token. */
  "no_refresh_token",
] as const;
export type NeedsReconnectReason = (typeof NEEDS_RECONNECT_REASONS)[number] | "unknown";

export type CredentialsResult =
  | { ok: true; connection: ConnectionView; credentials: Credentials }
  /** No such connection in this integration (or no such integration, when access is not asked). */
  | { ok: false; error: "not_found" }
  /** The end user must connect again; nothing we can retry will help. */
  | { ok: false; error: "needs_reconnect"; reason: NeedsReconnectReason }
  /** The token could not be refreshed just now and the old one has expired; retry later. */
  | {
      ok: false;
      error: "refresh_failed";
      reason: RefreshFailureReason;
      retryAfterSeconds: number;
    }
  /**
   * A sealed value this needs (the connection's credentials, or the integration's OAuth client)
   * does not open: sealed under a key this server lacks, or changed in the database. Nothing
   * was sent anywhere; restoring the key, or connecting again, mends it.
   */
  | { ok: false; error: "unreadable" };

/** Only when getCredentials checks access: the answers resolveIntegration gives elsewhere. */
export type AccessRefusal = { ok: false; error: "integration_not_found" | "forbidden" };

export interface FreshCredentials {
  /** For callers that have checked access to the integration themselves (or need none). */
  getCredentials(
    integrationId: string,
    connectionId: string,
    context: ActorContext,
  ): Promise<CredentialsResult>;
  /**
   * The API route's: checks `access` to the integration in the same statement that reads a
   * cached token, so the common case costs one round trip instead of two.
   */
  getCredentialsCheckingAccess(
    integrationId: string,
    connectionId: string,
    context: ActorContext,
    access: IntegrationCaller,
  ): Promise<CredentialsResult | AccessRefusal>;
  /** Waits for refreshes in flight; new calls are refused. */
  close(): Promise<void>;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_POLL_MS = 75;
const REFRESH_AHEAD_MAX_MS = 60_000;
const REFRESH_AHEAD_FRACTION = 0.1;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** Back-off entries this old are dropped when the map is swept. */
const FORGET_FAILURES_AFTER_MS = 10 * 60_000;
const SWEEP_ABOVE_ENTRIES = 1_000;

type RefreshOutcome = { ok: true } | Exclude<CredentialsResult, { ok: true }>;
type Failure = Extract<CredentialsResult, { error: "refresh_failed" }>;

/** An OAuth connection that needs a refresh, as the caller read it. */
interface StaleConnection {
  id: string;
  integrationId: string;
  revision: number;
}

/** The row as the refresher claimed it: the refresh token comes from exactly this revision. */
interface ClaimedConnection extends StaleConnection {
  valuesSealed: string;
  tokenExpiresAt: Date | null;
  /** Null only for rows written before connections recorded their client. */
  oauthClientKey: string | null;
}

interface Backoff {
  failures: number;
  untilMs: number;
}

type ReadMode =
  /** Serve a token outside the refresh-ahead margin; anything older asks for a refresh. */
  | "fresh"
  /** Serve any token that has not expired (after a refresh, or when one failed). */
  | "unexpired";

type Read = { served: CredentialsResult } | { stale: StaleConnection };

export function createFreshCredentials(options: FreshCredentialsOptions): FreshCredentials {
  const { db, keyring } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const flights = new Map<string, Promise<RefreshOutcome>>();
  const backoffs = new Map<string, Backoff>();
  let closed = false;

  async function getCredentials(
    integrationId: string,
    connectionId: string,
    context: ActorContext,
  ): Promise<CredentialsResult> {
    const result = await serve(integrationId, connectionId, context);
    // Only a statement that checks access refuses with these; without `access` none does.
    if (isAccessRefusal(result)) throw new Error(`Unexpected ${result.error} without access`);
    return result;
  }

  async function serve(
    integrationId: string,
    connectionId: string,
    context: ActorContext,
    access?: IntegrationCaller,
  ): Promise<CredentialsResult | AccessRefusal> {
    if (closed) throw new Error("Fresh credentials are closed");
    try {
      return await serveOpening(integrationId, connectionId, context, access);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      await auditUnreadable(db, integrationId, connectionId, error);
      return { ok: false, error: "unreadable" };
    }
  }

  async function serveOpening(
    integrationId: string,
    connectionId: string,
    context: ActorContext,
    access?: IntegrationCaller,
  ): Promise<CredentialsResult | AccessRefusal> {
    const cached = await serveCached(db, keyring, {
      integrationId,
      connectionId,
      context,
      access,
      nowMs: Date.now(),
      refreshAhead: { maxMs: REFRESH_AHEAD_MAX_MS, fraction: REFRESH_AHEAD_FRACTION },
    });
    if (cached && "served" in cached) return cached.served;
    const first =
      cached ?? (await auditedRead(db, keyring, integrationId, connectionId, context, "fresh"));
    if ("served" in first) return first.served;
    const outcome = await refreshOnce(first.stale, context);
    if (outcome.ok || outcome.error === "refresh_failed") {
      // After a refresh, the newest token; after a failure, the old one while it still works.
      const next = await auditedRead(
        db,
        keyring,
        integrationId,
        connectionId,
        context,
        "unexpired",
      );
      if ("served" in next) return next.served;
      return outcome.ok ? busy(1) : outcome;
    }
    return outcome;
  }

  /** All callers in this process share one refresh per connection. */
  function refreshOnce(stale: StaleConnection, context: ActorContext): Promise<RefreshOutcome> {
    const existing = flights.get(stale.id);
    if (existing) return existing;
    const backoff = backoffs.get(stale.id);
    if (backoff && Date.now() < backoff.untilMs) {
      return Promise.resolve(failure("backing_off", retryAfter(backoff.untilMs)));
    }
    const flight = refreshAcrossInstances(stale, context)
      .then((outcome) => noteOutcome(stale.id, outcome))
      .finally(() => {
        if (flights.get(stale.id) === flight) flights.delete(stale.id);
      });
    flights.set(stale.id, flight);
    return flight;
  }

  /**
   * Claims the lease and refreshes, or waits for whoever holds it. Bounded by time: a lease that
   * outlives its holder lapses, and then this caller claims it.
   */
  async function refreshAcrossInstances(
    stale: StaleConnection,
    context: ActorContext,
  ): Promise<RefreshOutcome> {
    // The client first (for a pre-registered OAUTH_DCR client, that is discovery over HTTP), so
    // that none of the lease's time goes to it: the lease must outlast the refresh alone.
    const client = await currentClient(stale, context);
    if ("ok" in client) return client;
    const deadline = Date.now() + leaseMs + 5 * pollMs;
    let sawLeaseHeld = false;
    while (Date.now() < deadline) {
      const claimed = await claimLease(db, stale, leaseMs);
      if (claimed) return refreshAsLeaseHolder(claimed, client, context);
      const row = await observe(db, stale.id);
      if (!row) return { ok: false, error: "not_found" };
      if (row.revision !== stale.revision) return { ok: true };
      if (row.status !== "active") return needsReconnect(row.lastRefreshError);
      if (!row.leaseActive && sawLeaseHeld && row.leaseReleased) {
        // The holder gave the lease back without writing: its refresh failed. Asking again at
        // once would hammer the provider; report its failure instead.
        return failure(asFailureReason(row.lastRefreshError), 1);
      }
      // Held: wait. Lapsed (its holder died) or released before we saw it held: claim next time.
      sawLeaseHeld ||= row.leaseActive;
      await sleep(pollMs);
    }
    return busy(1);
  }

  /**
   * The integration's OAuth client now. An OAUTH_DCR integration whose registration is gone (the
   * server forgot it) can never refresh this connection's tokens: it needs a reconnect. Anything
   * else (settings an admin left incomplete, discovery failing) is a refresh failure like any
   * other, which fixing the settings or the server mends.
   */
  async function currentClient(
    stale: StaleConnection,
    context: ActorContext,
  ): Promise<OAuthClientConfig | RefreshOutcome> {
    try {
      return await loadOAuthClient(options, stale.integrationId);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.details.unregistered) {
        return markNeedsReconnect(db, stale, "client_changed", context);
      }
      return failure(asFailureReason(error.code), error.details.retryAfterSeconds ?? 1);
    }
  }

  async function refreshAsLeaseHolder(
    claimed: ClaimedConnection,
    client: OAuthClientConfig,
    context: ActorContext,
  ): Promise<RefreshOutcome> {
    const current = storedTokens(keyring, claimed.id, claimed.valuesSealed, claimed.tokenExpiresAt);
    if (!current.refreshToken) {
      return markNeedsReconnect(db, claimed, "no_refresh_token", context);
    }
    // A refresh token goes only to the client it was issued to: another client (a new client id
    // or token URL, a new registration) may be another party altogether.
    if (claimed.oauthClientKey !== null && claimed.oauthClientKey !== oauthClientKey(client)) {
      return markNeedsReconnect(db, claimed, "client_changed", context);
    }
    let next: TokenSet;
    try {
      next = await refreshTokens(options, client, current.refreshToken);
    } catch (error) {
      if (!(error instanceof OAuthError)) {
        // A bug or the database, not the provider: give the lease back and let it surface.
        await releaseLease(db, claimed, "unreachable");
        throw error;
      }
      const { code } = error;
      if (code === "invalid_grant") return markNeedsReconnect(db, claimed, code, context);
      if (code === "invalid_client" && client.registeredAt) {
        // OAUTH_DCR: the server forgot our registered client. Its tokens die with it, and the
        // next connect registers again. (For an OAUTH client it is the admin's settings, say a
        // wrong secret: fixing them mends every connection, so that is a failure like others.)
        await forgetRegistration(db, claimed.integrationId, client);
        return markNeedsReconnect(db, claimed, code, context);
      }
      await releaseLease(db, claimed, code);
      // OAuthError messages are ours, written never to hold a token or the provider's text.
      console.warn(`[fresh-credentials] refreshing ${claimed.id} failed: ${error.message}`);
      return failure(code, error.details.retryAfterSeconds ?? 1);
    }
    await storeRefreshed(claimed, current, next, context);
    // Written, or the revision moved under us (the end user reconnected): either way the row
    // now holds the newest token.
    return { ok: true };
  }

  async function storeRefreshed(
    claimed: ClaimedConnection,
    current: TokenSet,
    next: TokenSet,
    context: ActorContext,
  ): Promise<void> {
    const merged: TokenSet = {
      ...next,
      // RFC 6749 §6: a server may keep the refresh token (and the scope) the same by omitting it.
      refreshToken: next.refreshToken ?? current.refreshToken,
      scope: next.scope ?? current.scope,
    };
    await db.transaction(async (tx) => {
      const [written] = await tx
        .update(integrationConnections)
        .set({
          valuesSealed: sealTokenSet(keyring, claimed.id, merged),
          tokenExpiresAt: merged.expiresAt,
          credentialsRevision: claimed.revision + 1,
          refreshLeaseUntil: null,
          refreshedAt: sql`now()`,
          lastRefreshError: null,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(integrationConnections.id, claimed.id),
            eq(integrationConnections.credentialsRevision, claimed.revision),
          ),
        )
        .returning({ id: integrationConnections.id });
      if (!written) return;
      await recordAudit(tx, {
        actor: context.actor,
        action: "integration.connection_refreshed",
        target: { type: "integration_connection", id: claimed.id },
        clientAddress: context.clientAddress,
        details: {
          integrationId: claimed.integrationId,
          /** Whether the provider sent a new refresh token (rotation) or we kept the old one. */
          newRefreshToken: next.refreshToken !== null,
          expiresAt: merged.expiresAt?.toISOString() ?? null,
        },
      });
    });
  }

  /** Starts or lengthens the back-off after a failure; the caller learns how long it lasts. */
  function noteOutcome(connectionId: string, outcome: RefreshOutcome): RefreshOutcome {
    if (outcome.ok || outcome.error !== "refresh_failed") {
      backoffs.delete(connectionId);
      return outcome;
    }
    if (outcome.reason === "backing_off" || outcome.reason === "busy") return outcome;
    const failures = (backoffs.get(connectionId)?.failures ?? 0) + 1;
    const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failures - 1));
    const requested = Math.min(BACKOFF_MAX_MS, outcome.retryAfterSeconds * 1000);
    const untilMs = Date.now() + Math.max(exponential, requested);
    backoffs.set(connectionId, { failures, untilMs });
    if (backoffs.size > SWEEP_ABOVE_ENTRIES) sweepBackoffs();
    return failure(outcome.reason, retryAfter(untilMs));
  }

  function sweepBackoffs(): void {
    const now = Date.now();
    for (const [id, backoff] of backoffs) {
      if (now - backoff.untilMs > FORGET_FAILURES_AFTER_MS) backoffs.delete(id);
    }
  }

  async function close(): Promise<void> {
    closed = true;
    await Promise.allSettled([...flights.values()]);
  }

  return { getCredentials, getCredentialsCheckingAccess: serve, close };
}

/**
 * The common case in one statement (cached-read.ts): a field connection, or a token outside the
 * refresh-ahead margin, read and audited at once. A token that needs a refresh comes back stale
 * from the same row, so the refresh starts without another read. Undefined when the token may be
 * served although the statement did not (no refresh token, or the clocks' edge): auditedRead
 * serves and audits it in its transaction, as before.
 */
async function serveCached(
  db: Database,
  keyring: FreshCredentialsOptions["keyring"],
  request: CachedReadRequest,
): Promise<{ served: CredentialsResult | AccessRefusal } | { stale: StaleConnection } | undefined> {
  const read = await readCached(db, request);
  switch (read.found) {
    case "no_integration":
      return {
        served: request.access
          ? { ok: false, error: "integration_not_found" }
          : { ok: false, error: "not_found" },
      };
    case "forbidden":
      return { served: { ok: false, error: "forbidden" } };
    case "no_connection":
      return { served: { ok: false, error: "not_found" } };
    case "connection":
      break;
    default:
      return assertNever(read);
  }
  const { row } = read;
  if (!OAUTH_AUTH_TYPES.includes(row.authType)) {
    const values = openFieldValues(keyring, row.id, row.valuesSealed);
    return {
      served: {
        ok: true,
        connection: connectionView(row),
        credentials: { kind: "fields", values },
      },
    };
  }
  if (row.status === "needs_reconnect") return { served: needsReconnect(row.lastRefreshError) };
  const tokens = storedTokens(keyring, row.id, row.valuesSealed, row.tokenExpiresAt);
  if (read.served) {
    const credentials: Credentials = { kind: "oauth", token: withoutRefreshToken(tokens) };
    return { served: { ok: true, connection: connectionView(row), credentials } };
  }
  const timing = tokenTiming(row.tokenExpiresAt, row.refreshedAt ?? row.updatedAt);
  if (servable("fresh", tokens, timing)) return undefined;
  return {
    stale: { id: row.id, integrationId: row.integrationId, revision: row.credentialsRevision },
  };
}

/** Whether a token may be handed out as it is, in the given read mode. */
function servable(
  mode: ReadMode,
  tokens: TokenSet,
  timing: { fresh: boolean; expired: boolean },
): boolean {
  return mode === "fresh"
    ? timing.fresh || (!tokens.refreshToken && !timing.expired)
    : !timing.expired;
}

/** Every caller of a broken connection would log the same event; once an hour says it. */
export const UNREADABLE_AUDIT_PERIOD_SECONDS = 3600;

/**
 * Records, at most once per connection per period, that a sealed value it needs does not open.
 * A failure to write is logged, not thrown: the caller's answer must stay the typed one.
 */
async function auditUnreadable(
  db: Database,
  integrationId: string,
  connectionId: string,
  error: SealError,
): Promise<void> {
  let first = true;
  try {
    first = await recordAuditAtMostEvery(
      db,
      {
        actor: { type: "system", label: "fresh credentials" },
        action: "integration.connection_unreadable",
        target: { type: "integration_connection", id: connectionId },
        // SealError's message names the table, column and row, never the value or a key.
        details: { integrationId, reason: error.reason, error: error.message },
      },
      UNREADABLE_AUDIT_PERIOD_SECONDS,
    );
  } catch (auditError) {
    const name = auditError instanceof Error ? auditError.name : "unknown error";
    console.error(`[fresh-credentials] auditing an unreadable connection failed: ${name}`);
  }
  if (first) console.error(`[fresh-credentials] connection ${connectionId}: ${error.message}`);
}

function isAccessRefusal(result: CredentialsResult | AccessRefusal): result is AccessRefusal {
  return !result.ok && (result.error === "forbidden" || result.error === "integration_not_found");
}

function openFieldValues(
  keyring: FreshCredentialsOptions["keyring"],
  connectionId: string,
  sealed: string,
): Record<string, string> {
  const binding = sealBindingFor(connectionValuesSealedColumn, connectionId);
  return JSON.parse(open(keyring, sealed, binding)) as Record<string, string>;
}

/**
 * Reads the connection and, when it can be served, opens its credentials and audits the read in
 * the same transaction: no audit row, no credentials. A stale token is not audited here: it is
 * not handed out.
 */
async function auditedRead(
  db: Database,
  keyring: FreshCredentialsOptions["keyring"],
  integrationId: string,
  connectionId: string,
  context: ActorContext,
  mode: ReadMode,
): Promise<Read> {
  return db.transaction(async (tx): Promise<Read> => {
    const [found] = await tx
      .select({ row: integrationConnections, authType: integrations.authType })
      .from(integrationConnections)
      .innerJoin(integrations, eq(integrations.id, integrationConnections.integrationId))
      .where(connectionKey(integrationId, connectionId));
    if (!found) return { served: { ok: false, error: "not_found" } };
    const { row } = found;
    let credentials: Credentials;
    if (!OAUTH_AUTH_TYPES.includes(found.authType)) {
      credentials = { kind: "fields", values: openFieldValues(keyring, row.id, row.valuesSealed) };
    } else {
      if (row.status === "needs_reconnect") {
        return { served: needsReconnect(row.lastRefreshError) };
      }
      const tokens = storedTokens(keyring, row.id, row.valuesSealed, row.tokenExpiresAt);
      const timing = tokenTiming(row.tokenExpiresAt, row.refreshedAt ?? row.updatedAt);
      if (!servable(mode, tokens, timing)) {
        return { stale: { id: row.id, integrationId, revision: row.credentialsRevision } };
      }
      credentials = { kind: "oauth", token: withoutRefreshToken(tokens) };
    }
    await recordAudit(tx, {
      actor: context.actor,
      action: CREDENTIALS_READ_ACTION,
      target: { type: "integration_connection", id: row.id },
      clientAddress: context.clientAddress,
      details: { integrationId },
    });
    return { served: { ok: true, connection: connectionView(row), credentials } };
  });
}

/**
 * Whether a token is past the point where it should be refreshed (min(60 s, 10 % of its
 * lifetime) before it expires), and whether it has expired. The lifetime counts from the last
 * write of the token. A token without expiry never needs a refresh.
 */
function tokenTiming(
  expiresAt: Date | null,
  issuedAt: Date,
  now = Date.now(),
): { fresh: boolean; expired: boolean } {
  if (!expiresAt) return { fresh: true, expired: false };
  const expiresMs = expiresAt.getTime();
  const lifetimeMs = Math.max(0, expiresMs - issuedAt.getTime());
  const marginMs = Math.min(REFRESH_AHEAD_MAX_MS, lifetimeMs * REFRESH_AHEAD_FRACTION);
  return { fresh: now < expiresMs - marginMs, expired: now >= expiresMs };
}

/**
 * The sealed token set, with token_expires_at as its expiry: that column is what refreshes are
 * decided on, so the answer must say the same.
 */
function storedTokens(
  keyring: FreshCredentialsOptions["keyring"],
  connectionId: string,
  sealed: string,
  expiresAt: Date | null,
): TokenSet {
  const tokens = openTokenSet(keyring, connectionId, sealed);
  return { ...tokens, refreshToken: tokens.refreshToken ?? null, expiresAt };
}

function withoutRefreshToken(tokens: TokenSet): OAuthCredentials {
  return {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
    scope: tokens.scope,
  };
}

/**
 * The compare-and-swap that makes one instance the refresher: it succeeds only on the revision
 * the caller read, on an active connection, and when nobody holds a lease (or it has lapsed).
 */
async function claimLease(
  db: Database,
  stale: StaleConnection,
  leaseMs: number,
): Promise<ClaimedConnection | null> {
  const lease = integrationConnections.refreshLeaseUntil;
  const [claimed] = await db
    .update(integrationConnections)
    .set({ refreshLeaseUntil: sql`now() + ${leaseMs}::integer * interval '1 millisecond'` })
    .where(
      and(
        eq(integrationConnections.id, stale.id),
        eq(integrationConnections.credentialsRevision, stale.revision),
        eq(integrationConnections.status, "active"),
        or(isNull(lease), lt(lease, sql`now()`)),
      ),
    )
    .returning({
      valuesSealed: integrationConnections.valuesSealed,
      tokenExpiresAt: integrationConnections.tokenExpiresAt,
      oauthClientKey: integrationConnections.oauthClientKey,
    });
  return claimed ? { ...stale, ...claimed } : null;
}

/** What a waiter needs to see of the row; the lease is judged by the database's clock. */
async function observe(db: Database, connectionId: string) {
  const lease = integrationConnections.refreshLeaseUntil;
  const [row] = await db
    .select({
      revision: integrationConnections.credentialsRevision,
      status: integrationConnections.status,
      lastRefreshError: integrationConnections.lastRefreshError,
      leaseActive: sql<boolean>`coalesce(${lease} > now(), false)`,
      leaseReleased: sql<boolean>`${lease} is null`,
    })
    .from(integrationConnections)
    .where(eq(integrationConnections.id, connectionId));
  return row;
}

/** Gives the lease back after a failed refresh, so that the next caller may try. */
async function releaseLease(
  db: Database,
  claimed: ClaimedConnection,
  reason: RefreshFailureReason,
): Promise<void> {
  await db
    .update(integrationConnections)
    .set({ refreshLeaseUntil: null, lastRefreshError: reason })
    .where(
      and(
        eq(integrationConnections.id, claimed.id),
        eq(integrationConnections.credentialsRevision, claimed.revision),
      ),
    );
}

/**
 * Marks the connection needs_reconnect, but only on the revision whose refresh token failed: if
 * it moved, someone else refreshed (or the end user reconnected) and their token is the answer.
 */
async function markNeedsReconnect(
  db: Database,
  claimed: StaleConnection,
  reason: NeedsReconnectReason,
  context: ActorContext,
): Promise<RefreshOutcome> {
  return db.transaction(async (tx): Promise<RefreshOutcome> => {
    const [marked] = await tx
      .update(integrationConnections)
      .set({
        status: "needs_reconnect",
        lastRefreshError: reason,
        refreshLeaseUntil: null,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(integrationConnections.id, claimed.id),
          eq(integrationConnections.credentialsRevision, claimed.revision),
        ),
      )
      .returning({ id: integrationConnections.id });
    if (!marked) return { ok: true };
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.connection_needs_reconnect",
      target: { type: "integration_connection", id: claimed.id },
      clientAddress: context.clientAddress,
      details: { integrationId: claimed.integrationId, reason },
    });
    return needsReconnect(reason);
  });
}

function needsReconnect(lastRefreshError: string | null): RefreshOutcome & CredentialsResult {
  const reason: NeedsReconnectReason =
    NEEDS_RECONNECT_REASONS.find((known) => known === lastRefreshError) ?? "unknown";
  return { ok: false, error: "needs_reconnect", reason };
}

const FAILURE_REASONS: readonly string[] = [
  "invalid_client",
  "rejected",
  "unreachable",
  "invalid_response",
  "custom_code_failed",
  "not_configured",
  "discovery_failed",
  "registration_failed",
] satisfies RefreshFailureReason[];

function asFailureReason(lastRefreshError: string | null): RefreshFailureReason {
  return lastRefreshError && FAILURE_REASONS.includes(lastRefreshError)
    ? (lastRefreshError as RefreshFailureReason)
    : "unreachable";
}

function failure(reason: RefreshFailureReason, retryAfterSeconds: number): Failure {
  return { ok: false, error: "refresh_failed", reason, retryAfterSeconds };
}

function busy(retryAfterSeconds: number): Failure {
  return failure("busy", retryAfterSeconds);
}

function retryAfter(untilMs: number): number {
  return Math.max(1, Math.ceil((untilMs - Date.now()) / 1000));
}
