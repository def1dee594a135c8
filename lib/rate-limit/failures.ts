import "server-only";
import { isIPv6 } from "node:net";
import type { Executor } from "@/db/client";
import {
  addToCounters,
  type Backoff,
  type CounterState,
  sweepEndedCountersSometimes,
} from "./counter";

/**
 * Throttling of failed authentications (OAuth client secrets, Basic till passwords), counted in
 * the database so the limits hold across app instances. A stranger's failures must slow the
 * stranger, never lock the owner out (docs/throttling.md), so failures are counted three ways:
 *
 * - per client address and subject (a client id or a till code): the main limit;
 * - per client address, all subjects together, so switching from guessing secrets to guessing
 *   till passwords does not buy an address a fresh budget;
 * - per subject, all addresses together, against guessing spread over many addresses. It
 *   refuses only addresses that have failed on that subject themselves: a right secret from an
 *   address with no failures always gets through.
 *
 * A refused attempt is counted too, on the counters that refused it, with exponential backoff
 * (counter.ts): whoever keeps trying while throttled doubles their own wait.
 *
 * The check reads the counters inside the lookup the caller makes anyway (`liveCountersJson`),
 * and only failures and refusals write. So a burst of parallel guesses can overshoot a limit by the number
 * of requests in flight; that is acceptable because the credentials behind these checks are
 * 256-bit secrets or scrypt-hashed passwords, and the throttle is there to stop hammering, not
 * to make guessing possible-but-slow.
 */
export interface FailureLimits {
  /** Failures allowed per client address on one client id or till code in one window. */
  perPair: number;
  /** Failures allowed per client address in one window, all subjects together. */
  perAddress: number;
  /**
   * Failures per client id or till code, all addresses together, past which an address that has
   * failed on it `perPairUnderAttack` times is refused (one with fewer failures never is).
   */
  perSubject: number;
  /**
   * While a subject is under attack, the failures an address may have on it and still be
   * believed: the owner's own slips (a typo, a program still holding a secret just rolled with
   * no grace period) must not turn the attack into their lockout.
   */
  perPairUnderAttack: number;
  windowSeconds: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = {
  perPair: 10,
  perAddress: 30,
  perSubject: 10,
  perPairUnderAttack: 3,
  windowSeconds: 5 * 60,
};

/**
 * Each refused attempt past a limit doubles the wait, from one window up to an hour. Capped low
 * because an owner's own misconfigured program retrying in a loop backs off its address too.
 */
export const MAX_BACKOFF_SECONDS = 60 * 60;

/** The counters for one attempt: keys, limits, and how a hit on each is added. */
export interface FailureCounters {
  pair: string;
  address: string;
  subject: string;
  keys: string[];
  limits: FailureLimits;
}

/** Caller-chosen strings become keys; long ones are cut so a key stays an index-friendly size. */
const MAX_KEY_PART = 200;

/**
 * The part of a client address that throttles count by. One IPv6 subscriber usually holds a
 * whole /64 and can send from any address in it, so IPv6 addresses count by their /64, as
 * IPv4 addresses count one by one.
 */
export function throttledAddress(clientAddress: string | null): string {
  if (!clientAddress) return "unknown";
  if (!isIPv6(clientAddress)) return clientAddress.slice(0, MAX_KEY_PART);
  return `${expandIPv6(clientAddress).slice(0, 4).join(":")}::/64`;
}

/** Eight groups of 16 bits, as lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("%")[0]?.split("::") ?? [];
  const groups = (part: string | undefined) => (part ? part.split(":").flatMap(ipv4Groups) : []);
  const left = groups(head);
  const right = groups(tail);
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}

/** An IPv4 address written at the end of an IPv6 one is two 16-bit groups. */
function ipv4Groups(group: string): string[] {
  if (!group.includes(".")) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

export function failureCounters(
  subject: { kind: "client" | "till"; id: string },
  clientAddress: string | null,
  limits: FailureLimits,
): FailureCounters {
  const id = subject.id.slice(0, MAX_KEY_PART);
  const address = throttledAddress(clientAddress);
  const keys = {
    pair: `auth-failure:${subject.kind}-address:${address}:${id}`,
    address: `auth-failure:address:${address}`,
    subject: `auth-failure:${subject.kind}:${id}`,
  };
  return { ...keys, keys: [keys.pair, keys.address, keys.subject], limits };
}

export type ThrottleVerdict = { throttled: false } | { throttled: true; retryAfterSeconds: number };

/** Throttled once a counter that applies is full; Retry-After is the longest wait among them. */
export function throttleVerdict(counters: FailureCounters, live: CounterState[]): ThrottleVerdict {
  const state = (key: string) => live.find((counter) => counter.key === key);
  const pair = state(counters.pair);
  const address = state(counters.address);
  const subject = state(counters.subject);
  const { limits } = counters;
  const refusing = [
    pair && pair.count >= limits.perPair ? pair : undefined,
    address && address.count >= limits.perAddress ? address : undefined,
    // Only an address that has failed on this subject itself, more than the owner's slips, is
    // held back by the subject's count.
    pair && pair.count >= limits.perPairUnderAttack && subject && subject.count >= limits.perSubject
      ? subject
      : undefined,
  ].filter((counter) => counter !== undefined);
  if (refusing.length === 0) return { throttled: false };
  return {
    throttled: true,
    retryAfterSeconds: Math.max(1, ...refusing.map((counter) => counter.secondsLeft)),
  };
}

/**
 * Counts a failure (or a refused attempt) on all three counters, with backoff past each limit.
 * Returns the counters' new states, whose longest wait is the Retry-After for a refused attempt.
 */
export async function recordFailure(
  executor: Executor,
  counters: FailureCounters,
): Promise<CounterState[]> {
  const { limits } = counters;
  const backoff = (above: number): Backoff => ({
    above,
    baseSeconds: limits.windowSeconds,
    maxSeconds: MAX_BACKOFF_SECONDS,
  });
  const windowSeconds = limits.windowSeconds;
  const states = await addToCounters(executor, [
    { key: counters.pair, amount: 1, windowSeconds, backoff: backoff(limits.perPair) },
    { key: counters.address, amount: 1, windowSeconds, backoff: backoff(limits.perAddress) },
    // The subject's count only marks an attack in progress; it never backs off, so the owner
    // behind a clean address is never kept waiting by it.
    { key: counters.subject, amount: 1, windowSeconds },
  ]);
  sweepEndedCountersSometimes(executor);
  return states;
}

/**
 * Refuses a throttled attempt: counts it (so hammering backs off) and returns the wait, read
 * after the count so Retry-After includes the backoff this attempt caused. A wait already within
 * one window of the cap is not counted again: the backoff could hardly grow, and a flood of
 * refused requests must not become a flood of writes on the same rows.
 */
export async function refuseAttempt(
  executor: Executor,
  counters: FailureCounters,
  verdict: Extract<ThrottleVerdict, { throttled: true }>,
): Promise<number> {
  if (verdict.retryAfterSeconds >= MAX_BACKOFF_SECONDS - counters.limits.windowSeconds) {
    return verdict.retryAfterSeconds;
  }
  const after = throttleVerdict(counters, await recordFailure(executor, counters));
  return Math.max(verdict.retryAfterSeconds, after.throttled ? after.retryAfterSeconds : 1);
}
