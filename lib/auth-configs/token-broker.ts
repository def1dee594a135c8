import "server-only";
import { setMaxListeners } from "node:events";
import type { Database } from "@/db/client";
import type { Keyring } from "@/lib/crypto";
import { defaultResolveHost, type ResolvedAddress } from "@/lib/outbound/ssrf-guard";
import {
  type AuthConfigCredentials,
  findAuthConfigCredentials,
  recordTokenFetched,
  recordUsed,
} from "./service";
import { describeTokenError, TokenBrokerError, type TokenBrokerErrorCode } from "./token-errors";
import { requestToken } from "./token-request";

export { describeTokenError, TokenBrokerError, type TokenBrokerErrorCode };

/**
 * The token broker: exchanges an auth config's client credentials for an access token and keeps
 * that token until it is nearly spent.
 *
 * - A cached token is served until less than min(60 s, 10 % of its lifetime) remains; from then
 *   on it is still served while one background request fetches its successor, and once it has
 *   expired callers wait for that request. A response without `expires_in` is taken to last
 *   `defaultLifetimeSeconds` (one hour): RFC 6749 leaves the default to the server's
 *   documentation, and an hour is what most servers that omit it issue.
 * - At most one request per config is in flight, whoever asks; every waiter gets its result.
 *   Failures are not cached as tokens: they start an exponential back-off (1 s, 2 s, 4 s … 60 s,
 *   longer when the server sent Retry-After) during which callers without a valid token get
 *   `backing_off` at once instead of piling onto a failing server.
 * - The config (and so whether it still exists) is re-read from the database at most every
 *   `configRecheckMs`; within that interval a cache hit does no I/O at all, and usage is written
 *   in batches by `flushUsage()`.
 *
 * State lives in this process only. That is safe to lose: tokens are re-fetchable, and each app
 * instance sharing one PostgreSQL keeps its own cache (one upstream request per config per
 * instance per token lifetime).
 */

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt: Date;
  /** The granted scope: the response's, else the requested one. */
  scope: string | null;
}

export interface TokenBrokerOptions {
  db: Database;
  keyring: Keyring;
  allowPrivateTokenUrls: boolean;
  /** Time to establish the TCP connection (and to resolve the host). Default 5,000. */
  connectTimeoutMs?: number;
  /** Time for the whole exchange, resolution to last byte. Default 10,000. */
  totalTimeoutMs?: number;
  /** Larger responses are abandoned as `response_too_large`. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Lifetime assumed when a response has no `expires_in`. Default 3,600. */
  defaultLifetimeSeconds?: number;
  /** How long a config read from the database is trusted before it is read again. Default 5,000. */
  configRecheckMs?: number;
  /** How often cache-hit usage is written to the database. Default 30,000; 0 turns the timer off. */
  usageFlushIntervalMs?: number;
  /** Milliseconds since the epoch; tests move it to expire tokens and back-offs. */
  now?: () => number;
  /** Default: dns.promises.lookup(hostname, { all: true }). */
  resolveHost?: (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;
}

export interface TokenBroker {
  getAccessToken(identifier: string): Promise<AccessToken>;
  /** Drops the cached token and config at once (deleteAuthConfig calls it). */
  forget(identifier: string): void;
  /** Writes last-used times recorded by cache hits, and waits for pending tokens-fetched writes. */
  flushUsage(): Promise<void>;
  /** Stops the flush timer, aborts requests in flight and flushes usage. */
  close(): Promise<void>;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  defaultLifetimeSeconds: 3_600,
  configRecheckMs: 5_000,
  usageFlushIntervalMs: 30_000,
};
const REFRESH_AHEAD_MAX_MS = 60_000;
const REFRESH_AHEAD_FRACTION = 0.1;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
const FORGET_FAILURES_AFTER_MS = 10 * 60_000;
/** Keeps an absurd expires_in from producing an invalid Date. */
const MAX_LIFETIME_SECONDS = 365 * 24 * 3600;
/** The schema's identifier rule: anything else cannot name a config, so no query is needed. */
const IDENTIFIER = /^[A-Za-z0-9._-]{1,64}$/;

interface CachedToken {
  value: AccessToken;
  refreshAtMs: number;
  expiresAtMs: number;
}

interface Entry {
  key: string;
  config: AuthConfigCredentials | undefined;
  configCheckedAtMs: number;
  configLoad: Promise<AuthConfigCredentials> | undefined;
  token: CachedToken | undefined;
  inflight: Promise<AccessToken> | undefined;
  /** Bumped when the config behind the identifier changes, so late results of the old one are dropped. */
  generation: number;
  failures: number;
  backoffUntilMs: number;
  lastFailure: TokenBrokerError | undefined;
  /**
   * The config's sealed credentials did not open when last read: answered from here until the
   * next re-read, so a broken config costs no more database reads than a working one.
   */
  unreadable: { error: TokenBrokerError; checkedAtMs: number } | undefined;
}

export function createTokenBroker(options: TokenBrokerOptions): TokenBroker {
  const { db, keyring, allowPrivateTokenUrls } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const totalTimeoutMs = options.totalTimeoutMs ?? DEFAULTS.totalTimeoutMs;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const defaultLifetimeSeconds = options.defaultLifetimeSeconds ?? DEFAULTS.defaultLifetimeSeconds;
  const configRecheckMs = options.configRecheckMs ?? DEFAULTS.configRecheckMs;
  const usageFlushIntervalMs = options.usageFlushIntervalMs ?? DEFAULTS.usageFlushIntervalMs;
  const now = options.now ?? Date.now;
  const resolveHost = (options.resolveHost ?? defaultResolveHost) as (
    hostname: string,
  ) => Promise<ResolvedAddress[]>;

  const entries = new Map<string, Entry>();
  /** Config id → latest cache-hit time not yet written. Keyed by id so forget() keeps it. */
  const usedSince = new Map<string, number>();
  const pendingWrites = new Set<Promise<void>>();
  const shutdown = new AbortController();
  // Every request in flight listens for shutdown; many configs refreshing at once is not a leak.
  setMaxListeners(0, shutdown.signal);
  let closed = false;

  const flushTimer =
    usageFlushIntervalMs > 0
      ? setInterval(() => {
          void flushUsage();
          sweep();
        }, usageFlushIntervalMs)
      : undefined;
  flushTimer?.unref();

  async function getAccessToken(identifier: string): Promise<AccessToken> {
    if (closed) throw new Error("The token broker is closed");
    // The hot path: a known config checked recently and a token that has not expired. No I/O.
    const entry = entries.get(identifier.toLowerCase());
    if (entry?.config && entry.token) {
      const at = now();
      if (at - entry.configCheckedAtMs < configRecheckMs && at < entry.token.expiresAtMs) {
        return serveCached(entry, entry.config, entry.token, at);
      }
    }
    return getSlow(identifier);
  }

  function serveCached(
    entry: Entry,
    config: AuthConfigCredentials,
    token: CachedToken,
    at: number,
  ): AccessToken {
    usedSince.set(config.id, at);
    if (at >= token.refreshAtMs && !entry.inflight && at >= entry.backoffUntilMs) {
      startRefresh(entry, config).catch((error: unknown) => {
        // Callers keep the still-valid token; the failure is remembered for back-off.
        console.warn(
          `[token-broker] refreshing "${config.identifier}" ahead of expiry failed: ${messageOf(error)}`,
        );
      });
    }
    return token.value;
  }

  async function getSlow(identifier: string): Promise<AccessToken> {
    if (!IDENTIFIER.test(identifier)) throw new TokenBrokerError("config_not_found");
    const key = identifier.toLowerCase();
    let entry = entries.get(key);
    if (!entry) {
      entry = newEntry(key);
      entries.set(key, entry);
    }
    const config = await loadConfig(entry);
    const at = now();
    if (entry.token && at < entry.token.expiresAtMs)
      return serveCached(entry, config, entry.token, at);
    if (entry.inflight) return entry.inflight;
    if (at < entry.backoffUntilMs) {
      const lastFailure = entry.lastFailure;
      throw new TokenBrokerError("backing_off", {
        retryAfterSeconds: Math.max(1, Math.ceil((entry.backoffUntilMs - at) / 1000)),
        ...(lastFailure
          ? {
              detail: `Last failure: ${lastFailure.message}`,
              ...(lastFailure.status !== undefined ? { status: lastFailure.status } : {}),
              ...(lastFailure.oauthError !== undefined
                ? { oauthError: lastFailure.oauthError }
                : {}),
            }
          : {}),
      });
    }
    return startRefresh(entry, config);
  }

  /** The entry's config, re-read when older than configRecheckMs; one read at a time per entry. */
  function loadConfig(entry: Entry): Promise<AuthConfigCredentials> {
    if (entry.config && now() - entry.configCheckedAtMs < configRecheckMs) {
      return Promise.resolve(entry.config);
    }
    if (entry.unreadable && now() - entry.unreadable.checkedAtMs < configRecheckMs) {
      return Promise.reject(entry.unreadable.error);
    }
    entry.configLoad ??= (async () => {
      try {
        const fresh = await findAuthConfigCredentials(db, keyring, entry.key).catch(
          (error: unknown) => {
            // Nothing goes upstream with credentials that did not open, and no cached token of
            // the config is served either: whoever changed the row may be why it broke.
            if (error instanceof TokenBrokerError && error.code === "config_unreadable") {
              entry.unreadable = { error, checkedAtMs: now() };
            }
            throw error;
          },
        );
        entry.unreadable = undefined;
        if (!fresh) {
          if (entries.get(entry.key) === entry) entries.delete(entry.key);
          throw new TokenBrokerError("config_not_found");
        }
        if (entry.config && entry.config.id !== fresh.id) {
          // Deleted and recreated under the same identifier: nothing of the old one carries over.
          entry.generation += 1;
          entry.token = undefined;
          entry.inflight = undefined;
          entry.failures = 0;
          entry.backoffUntilMs = 0;
          entry.lastFailure = undefined;
        }
        entry.config = fresh;
        entry.configCheckedAtMs = now();
        return fresh;
      } finally {
        entry.configLoad = undefined;
      }
    })();
    return entry.configLoad;
  }

  function startRefresh(entry: Entry, config: AuthConfigCredentials): Promise<AccessToken> {
    const generation = entry.generation;
    const current = () => entry.generation === generation && entries.get(entry.key) === entry;
    const run = async (): Promise<AccessToken> => {
      // The lifetime counts from before the request left, so a slow answer never outlives its token.
      const requestedAt = now();
      try {
        const response = await requestToken(config, {
          allowPrivateTokenUrls,
          resolveHost,
          connectTimeoutMs,
          totalTimeoutMs,
          maxResponseBytes,
          signal: shutdown.signal,
        });
        const lifetimeSeconds = Math.min(
          response.expiresIn ?? defaultLifetimeSeconds,
          MAX_LIFETIME_SECONDS,
        );
        const lifetimeMs = lifetimeSeconds * 1000;
        const expiresAtMs = requestedAt + lifetimeMs;
        const token: CachedToken = {
          value: {
            accessToken: response.accessToken,
            tokenType: response.tokenType,
            expiresAt: new Date(expiresAtMs),
            scope: response.scope || config.scope || null,
          },
          refreshAtMs:
            expiresAtMs - Math.min(REFRESH_AHEAD_MAX_MS, lifetimeMs * REFRESH_AHEAD_FRACTION),
          expiresAtMs,
        };
        if (current()) {
          entry.token = token;
          entry.failures = 0;
          entry.backoffUntilMs = 0;
          entry.lastFailure = undefined;
        }
        track(recordTokenFetched(db, config.id, new Date(now())));
        return token.value;
      } catch (error) {
        if (current()) {
          const failure =
            error instanceof TokenBrokerError
              ? error
              : new TokenBrokerError("connection_failed", {
                  detail: "an unexpected error occurred",
                });
          entry.failures += 1;
          const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (entry.failures - 1));
          const requested = Math.min(BACKOFF_MAX_MS, (failure.retryAfterSeconds ?? 0) * 1000);
          entry.backoffUntilMs = now() + Math.max(exponential, requested);
          entry.lastFailure = failure;
        }
        throw error;
      } finally {
        if (entry.inflight === promise) entry.inflight = undefined;
      }
    };
    const promise = run();
    entry.inflight = promise;
    return promise;
  }

  function newEntry(key: string): Entry {
    return {
      key,
      config: undefined,
      configCheckedAtMs: 0,
      configLoad: undefined,
      token: undefined,
      inflight: undefined,
      generation: 0,
      failures: 0,
      backoffUntilMs: 0,
      lastFailure: undefined,
      unreadable: undefined,
    };
  }

  function forget(identifier: string): void {
    const key = identifier.toLowerCase();
    const entry = entries.get(key);
    if (!entry) return;
    // A request still in flight finishes for its waiters but no longer lands in the cache.
    entry.generation += 1;
    entries.delete(key);
  }

  function track(write: Promise<void>): void {
    const guarded = write.catch((error: unknown) => {
      console.error(`[token-broker] recording tokens fetched failed: ${databaseMessage(error)}`);
    });
    pendingWrites.add(guarded);
    void guarded.finally(() => pendingWrites.delete(guarded));
  }

  async function flushUsage(): Promise<void> {
    const batch = [...usedSince];
    usedSince.clear();
    // Tokens-fetched writes first: they set last_used outright (no greatest()), so one still in
    // flight could otherwise land after a later cache-hit time and move last_used backwards.
    await Promise.all(pendingWrites);
    await Promise.all(
      batch.map(async ([id, at]) => {
        try {
          await recordUsed(db, id, new Date(at));
        } catch (error) {
          // Keep it for the next flush unless a newer hit already replaced it.
          if ((usedSince.get(id) ?? 0) < at) usedSince.set(id, at);
          console.error(`[token-broker] recording last use failed: ${databaseMessage(error)}`);
        }
      }),
    );
  }

  /**
   * Drops entries with nothing worth keeping, so configs used once do not stay in memory forever.
   * A config that kept failing is kept for a while after its back-off, so that its next failure
   * still backs off longer instead of starting again at 1 s.
   */
  function sweep(): void {
    const at = now();
    for (const [key, entry] of entries) {
      const tokenLive = entry.token && at < entry.token.expiresAtMs;
      const failingRecently =
        entry.failures > 0 && at - entry.backoffUntilMs < FORGET_FAILURES_AFTER_MS;
      if (!tokenLive && !entry.inflight && !entry.configLoad && !failingRecently)
        entries.delete(key);
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    if (flushTimer) clearInterval(flushTimer);
    shutdown.abort();
    const inflight = [...entries.values()].flatMap((entry) =>
      entry.inflight ? [entry.inflight] : [],
    );
    await Promise.allSettled(inflight);
    entries.clear();
    await flushUsage();
  }

  return { getAccessToken, forget, flushUsage, close };
}

function messageOf(error: unknown): string {
  // TokenBrokerError messages are written to be safe; anything else is reduced to its class.
  if (error instanceof TokenBrokerError) return error.message;
  return error instanceof Error ? error.name : "unknown error";
}

/** Usage writes carry only a config id and a time, so the driver's message is safe to log. */
function databaseMessage(error: unknown): string {
  return error instanceof Error ? error.message : "unknown error";
}
