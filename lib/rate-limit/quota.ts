import "server-only";
import type { Executor } from "@/db/client";
import { addToCounters, sweepEndedCountersSometimes } from "./counter";

/**
 * A request quota per key (say, per API client) shared by every app instance, without a
 * database write per request.
 *
 * Each instance leases slices of the quota from the key's database counter and spends them
 * locally: a lease is one atomic upsert that adds its size to the counter and is granted only
 * the part that still fits under the limit. So the instances together never admit more than
 * `limit` requests per window; what they may do is admit fewer, since slices leased but not
 * spent when a window ends are lost. Lease sizes start at 1 in each window and double with each
 * renewal up to `maxLease`, so a quiet client costs an instance a write or two per window and a
 * busy one a write per `maxLease` requests, while an idle instance never sits on a large slice
 * that other instances need.
 *
 * Once the counter is full the instance refuses the key locally until the window ends (the
 * database's clock decides when that is), with no further writes.
 */
export interface QuotaOptions {
  limit: number;
  windowSeconds: number;
  /** Largest slice one lease takes. Default: a twentieth of the limit. */
  maxLease?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export type QuotaVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface SharedQuota {
  take(key: string): Promise<QuotaVerdict>;
}

interface Lease {
  remaining: number;
  /** The size of the lease taken last, so the next one can double it. */
  size: number;
  /** When the database window ends, on this instance's clock. */
  endsAtMs: number;
  /** The database counter was full after this lease: refuse once it is spent. */
  full: boolean;
}

const ALLOWED: QuotaVerdict = { allowed: true };
/** Each renewal either grants requests or marks the key full, so this bound is never reached in practice. */
const MAX_RENEWALS_PER_TAKE = 20;
const PRUNE_ABOVE_KEYS = 10_000;

export function createSharedQuota(executor: Executor, options: QuotaOptions): SharedQuota {
  const { limit, windowSeconds } = options;
  const maxLease = Math.max(1, options.maxLease ?? Math.floor(limit / 20));
  const now = options.now ?? Date.now;
  const leases = new Map<string, Lease>();
  const renewals = new Map<string, Promise<void>>();

  async function take(key: string): Promise<QuotaVerdict> {
    for (let renewal = 0; renewal <= MAX_RENEWALS_PER_TAKE; renewal++) {
      const lease = leases.get(key);
      const at = now();
      if (lease && at < lease.endsAtMs) {
        if (lease.remaining > 0) {
          lease.remaining -= 1;
          return ALLOWED;
        }
        if (lease.full) return refuse(lease.endsAtMs - at);
      }
      await renew(key);
    }
    return refuse(1000);
  }

  /** One lease request per key at a time; everyone waiting shares its result. */
  function renew(key: string): Promise<void> {
    let pending = renewals.get(key);
    if (!pending) {
      pending = lease(key).finally(() => renewals.delete(key));
      renewals.set(key, pending);
    }
    return pending;
  }

  async function lease(key: string): Promise<void> {
    const previous = leases.get(key);
    const sameWindow = previous !== undefined && now() < previous.endsAtMs;
    const size = sameWindow ? Math.min(maxLease, previous.size * 2) : 1;
    const [state] = await addToCounters(executor, [{ key, amount: size, windowSeconds }]);
    if (!state) throw new Error("The rate-limit counter returned no row");
    const granted = Math.max(0, Math.min(size, limit - (state.count - size)));
    if (leases.size > PRUNE_ABOVE_KEYS) prune();
    leases.set(key, {
      remaining: granted,
      size,
      endsAtMs: now() + state.secondsLeft * 1000,
      full: state.count >= limit,
    });
    sweepEndedCountersSometimes(executor);
  }

  function prune(): void {
    const at = now();
    for (const [key, lease] of leases) if (lease.endsAtMs <= at) leases.delete(key);
  }

  return { take };
}

function refuse(waitMs: number): QuotaVerdict {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
