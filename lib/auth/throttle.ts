import "server-only";
import { eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import {
  addToCounters,
  type Backoff,
  type CounterState,
  sweepEndedCountersSometimes,
} from "@/lib/rate-limit/counter";
import { MAX_BACKOFF_SECONDS, throttledAddress } from "@/lib/rate-limit/failures";

/**
 * Sign-in throttling, on the database counters every app instance shares (lib/rate-limit).
 * A stranger's failures must slow the stranger, never lock the owner out (docs/throttling.md),
 * so attempts are counted three ways:
 *
 * - per account and client address: the main limit, 5 in the window;
 * - per client address, all accounts together: 20, against one address trying many accounts;
 * - per account, all addresses together: past 10 the account is under attack, and from then on
 *   an address that has already tried it more than twice in the window is refused. An address
 *   with fewer tries (the owner's, most likely, typos included) gets its password checked.
 *
 * Past its limit a counter backs off exponentially: each refused attempt doubles the wait, from
 * one window up to an hour, so whoever keeps hammering waits longest.
 *
 * Each attempt is counted *before* its password is checked (one atomic upsert per attempt), so
 * parallel guesses cannot slip past the limit and a throttled attempt costs no hashing.
 * A successful sign-in gives its attempt back.
 */
export const THROTTLE_WINDOW_SECONDS = 15 * 60;
export const MAX_ATTEMPTS_PER_PAIR = 5;
export const MAX_ATTEMPTS_PER_ADDRESS = 20;
export const ACCOUNT_UNDER_ATTACK_AFTER = 10;
/** Earlier tries an address may have on an account under attack and still be believed. */
export const TRIES_BELIEVED_UNDER_ATTACK = 2;

export interface ThrottleKeys {
  pair: string;
  address: string;
  account: string;
}

/** Typed emails become keys; the schema caps them at 254 characters, this keeps keys bounded. */
const MAX_KEY_PART = 254;

function keysFor(subject: { email: string; clientAddress: string | null }): ThrottleKeys {
  const email = subject.email.slice(0, MAX_KEY_PART);
  const address = throttledAddress(subject.clientAddress);
  return {
    pair: `sign-in:account-address:${address}:${email}`,
    address: `sign-in:address:${address}`,
    account: `sign-in:account:${email}`,
  };
}

export type AttemptVerdict =
  | { allowed: true; keys: ThrottleKeys; attemptsFromAddress: number }
  | { allowed: false; retryAfterSeconds: number; attemptsFromAddress: number };

function backoff(above: number): Backoff {
  return { above, baseSeconds: THROTTLE_WINDOW_SECONDS, maxSeconds: MAX_BACKOFF_SECONDS };
}

export async function reserveSignInAttempt(
  executor: Executor,
  subject: { email: string; clientAddress: string | null },
): Promise<AttemptVerdict> {
  const keys = keysFor(subject);
  const windowSeconds = THROTTLE_WINDOW_SECONDS;
  const [pair, address, account] = (await addToCounters(executor, [
    { key: keys.pair, amount: 1, windowSeconds, backoff: backoff(MAX_ATTEMPTS_PER_PAIR) },
    { key: keys.address, amount: 1, windowSeconds, backoff: backoff(MAX_ATTEMPTS_PER_ADDRESS) },
    { key: keys.account, amount: 1, windowSeconds },
  ])) as [CounterState, CounterState, CounterState];
  // Keys carry whatever email people type, so ended windows must not pile up.
  sweepEndedCountersSometimes(executor);
  const refusing = [
    pair.count > MAX_ATTEMPTS_PER_PAIR ? pair : undefined,
    address.count > MAX_ATTEMPTS_PER_ADDRESS ? address : undefined,
    // The pair's count includes this attempt; the tries before it are what the address has done.
    account.count > ACCOUNT_UNDER_ATTACK_AFTER && pair.count - 1 > TRIES_BELIEVED_UNDER_ATTACK
      ? account
      : undefined,
  ].filter((counter) => counter !== undefined);
  const attemptsFromAddress = address.count;
  if (refusing.length === 0) return { allowed: true, keys, attemptsFromAddress };
  const retryAfterSeconds = Math.max(1, ...refusing.map((counter) => counter.secondsLeft));
  return { allowed: false, retryAfterSeconds, attemptsFromAddress };
}

/** After a successful sign-in: the pair starts afresh; address and account get their attempt back. */
export async function releaseSignInAttempt(executor: Executor, keys: ThrottleKeys): Promise<void> {
  await executor.delete(rateLimitCounters).where(eq(rateLimitCounters.key, keys.pair));
  await executor
    .update(rateLimitCounters)
    .set({ count: sql`greatest(${rateLimitCounters.count} - 1, 0)` })
    .where(inArray(rateLimitCounters.key, [keys.address, keys.account]));
}

/**
 * Second-factor answers. Whoever answers already holds the password, so this is the last line:
 *
 * - per account and client address: 5 tries in the window (a challenge ends after 5 wrong
 *   answers anyway), and signing in again for a fresh challenge does not reset the count;
 * - per account, all addresses together: 20. Without it, someone with the password and many
 *   addresses would get 5 guesses per address, enough to hit a 6-digit code within a day.
 *   This one can delay the real admin's sign-in (the price of a leaked password, which the
 *   audit log's `admin.second_factor_failed` rows show); the password throttle cannot.
 *
 * Past either, the wait doubles per refused try, as for passwords. A right answer clears the
 * pair and gives its attempt back to the account.
 */
export const MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR = 5;
export const MAX_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT = 20;

export interface SecondFactorKeys {
  pair: string;
  account: string;
}

export type SecondFactorAttemptVerdict =
  | { allowed: true; keys: SecondFactorKeys }
  | { allowed: false; retryAfterSeconds: number };

export async function reserveSecondFactorAttempt(
  executor: Executor,
  subject: { adminId: string; clientAddress: string | null },
): Promise<SecondFactorAttemptVerdict> {
  const keys = {
    pair: `second-factor:account-address:${throttledAddress(subject.clientAddress)}:${subject.adminId}`,
    account: `second-factor:account:${subject.adminId}`,
  };
  const windowSeconds = THROTTLE_WINDOW_SECONDS;
  const counters = (await addToCounters(executor, [
    {
      key: keys.pair,
      amount: 1,
      windowSeconds,
      backoff: backoff(MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR),
    },
    {
      key: keys.account,
      amount: 1,
      windowSeconds,
      backoff: backoff(MAX_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT),
    },
  ])) as [CounterState, CounterState];
  const [pair, account] = counters;
  const refusing = [
    pair.count > MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR ? pair : undefined,
    account.count > MAX_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT ? account : undefined,
  ].filter((counter) => counter !== undefined);
  if (refusing.length === 0) return { allowed: true, keys };
  const retryAfterSeconds = Math.max(1, ...refusing.map((counter) => counter.secondsLeft));
  return { allowed: false, retryAfterSeconds };
}

export async function releaseSecondFactorAttempt(
  executor: Executor,
  keys: SecondFactorKeys,
): Promise<void> {
  await executor.delete(rateLimitCounters).where(eq(rateLimitCounters.key, keys.pair));
  await executor
    .update(rateLimitCounters)
    .set({ count: sql`greatest(${rateLimitCounters.count} - 1, 0)` })
    .where(eq(rateLimitCounters.key, keys.account));
}
