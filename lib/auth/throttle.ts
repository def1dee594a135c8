import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { signInThrottle } from "@/db/schema";

/**
 * Sign-in throttling, counted in the database so every app instance sees the same numbers.
 * Each attempt is counted *before* its password is checked (one atomic upsert per attempt), so
 * parallel guesses cannot slip past the limit and a throttled attempt costs no hashing.
 * A successful sign-in gives its attempt back. Fixed windows keep it to one row per key.
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
    account: `account:${subject.email}`,
    address: `address:${subject.clientAddress ?? "unknown"}`,
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
  const windowExpired = sql`${signInThrottle.windowStartedAt} <= now() - make_interval(secs => ${THROTTLE_WINDOW_SECONDS})`;
  const rows = await executor
    .insert(signInThrottle)
    .values([
      { key: keys.account, attempts: 1, windowStartedAt: sql`now()` },
      { key: keys.address, attempts: 1, windowStartedAt: sql`now()` },
    ])
    .onConflictDoUpdate({
      target: signInThrottle.key,
      set: {
        attempts: sql`case when ${windowExpired} then 1 else ${signInThrottle.attempts} + 1 end`,
        windowStartedAt: sql`case when ${windowExpired} then now() else ${signInThrottle.windowStartedAt} end`,
      },
    })
    .returning({
      key: signInThrottle.key,
      attempts: signInThrottle.attempts,
      secondsLeft: sql<number>`ceil(extract(epoch from ${signInThrottle.windowStartedAt} + make_interval(secs => ${THROTTLE_WINDOW_SECONDS}) - now()))::int`,
    });
  const limitOf = (key: string) =>
    key === keys.account ? MAX_ATTEMPTS_PER_ACCOUNT : MAX_ATTEMPTS_PER_ADDRESS;
  const over = rows.filter((row) => row.attempts > limitOf(row.key));
  if (over.length === 0) return { allowed: true, keys };
  return { allowed: false, retryAfterSeconds: Math.max(1, ...over.map((row) => row.secondsLeft)) };
}

/** After a successful sign-in: the account starts afresh, and the address gets its attempt back. */
export async function releaseSignInAttempt(executor: Executor, keys: ThrottleKeys): Promise<void> {
  await executor.delete(signInThrottle).where(sql`${signInThrottle.key} = ${keys.account}`);
  await executor
    .update(signInThrottle)
    .set({ attempts: sql`greatest(${signInThrottle.attempts} - 1, 0)` })
    .where(sql`${signInThrottle.key} = ${keys.address}`);
}
