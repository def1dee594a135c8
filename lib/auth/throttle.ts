import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import { addToCounters, sweepEndedCountersSometimes } from "@/lib/rate-limit/counter";

/**
 * Sign-in throttling, on the database counters every app instance shares (lib/rate-limit).
 * Each attempt is counted *before* its password is checked (one atomic upsert per attempt), so
 * parallel guesses cannot slip past the limit and a throttled attempt costs no hashing.
 * A successful sign-in gives its attempt back.
 */
export const THROTTLE_WINDOW_SECONDS = 15 * 60;
export const MAX_ATTEMPTS_PER_ACCOUNT = 5;
export const MAX_ATTEMPTS_PER_ADDRESS = 20;

export interface ThrottleKeys {
  account: string;
  address: string;
}

function keysFor(subject: { email: string; clientAddress: string | null }): ThrottleKeys {
  return {
    account: `sign-in:account:${subject.email}`,
    address: `sign-in:address:${subject.clientAddress ?? "unknown"}`,
  };
}

export type AttemptVerdict =
  | { allowed: true; keys: ThrottleKeys }
  | { allowed: false; retryAfterSeconds: number };

export async function reserveSignInAttempt(
  executor: Executor,
  subject: { email: string; clientAddress: string | null },
): Promise<AttemptVerdict> {
  const keys = keysFor(subject);
  const counters = await addToCounters(executor, [
    { key: keys.account, amount: 1, windowSeconds: THROTTLE_WINDOW_SECONDS },
    { key: keys.address, amount: 1, windowSeconds: THROTTLE_WINDOW_SECONDS },
  ]);
  // Keys carry whatever email people type, so ended windows must not pile up.
  sweepEndedCountersSometimes(executor);
  const limitOf = (key: string) =>
    key === keys.account ? MAX_ATTEMPTS_PER_ACCOUNT : MAX_ATTEMPTS_PER_ADDRESS;
  const over = counters.filter((counter) => counter.count > limitOf(counter.key));
  if (over.length === 0) return { allowed: true, keys };
  return { allowed: false, retryAfterSeconds: Math.max(1, ...over.map((c) => c.secondsLeft)) };
}

/** After a successful sign-in: the account starts afresh, and the address gets its attempt back. */
export async function releaseSignInAttempt(executor: Executor, keys: ThrottleKeys): Promise<void> {
  await executor.delete(rateLimitCounters).where(eq(rateLimitCounters.key, keys.account));
  await executor
    .update(rateLimitCounters)
    .set({ count: sql`greatest(${rateLimitCounters.count} - 1, 0)` })
    .where(eq(rateLimitCounters.key, keys.address));
}
