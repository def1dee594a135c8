import "server-only";
import type { Executor } from "@/db/client";
import { addToCounters, type CounterState, sweepEndedCountersSometimes } from "./counter";

/**
 * Throttling of failed authentications (OAuth client secrets, Basic till passwords), counted in
 * the database so the limit holds across app instances. Failures are counted per subject (a
 * client id or a till code) and per client address; the address counter is shared by every
 * kind of credential, so switching from guessing secrets to guessing till passwords does not
 * buy an address a fresh budget.
 *
 * The check reads the counters inside the lookup the caller makes anyway (`liveCountersJson`),
 * and only failures write. So a burst of parallel guesses can overshoot a limit by the number
 * of requests in flight; that is acceptable because the credentials behind these checks are
 * 256-bit secrets or scrypt-hashed passwords, and the throttle is there to stop hammering, not
 * to make guessing possible-but-slow.
 */
export interface FailureLimits {
  /** Failures allowed per client id or till code in one window. */
  perSubject: number;
  /** Failures allowed per client address in one window, all subjects together. */
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = {
  perSubject: 10,
  perAddress: 30,
  windowSeconds: 5 * 60,
};

export interface FailureCounter {
  key: string;
  max: number;
  windowSeconds: number;
}

/** Caller-chosen strings become keys; long ones are cut so a key stays an index-friendly size. */
const MAX_KEY_PART = 200;

export function failureCounters(
  subject: { kind: "client" | "till"; id: string },
  clientAddress: string | null,
  limits: FailureLimits,
): FailureCounter[] {
  return [
    {
      key: `auth-failure:${subject.kind}:${subject.id.slice(0, MAX_KEY_PART)}`,
      max: limits.perSubject,
      windowSeconds: limits.windowSeconds,
    },
    {
      key: `auth-failure:address:${(clientAddress || "unknown").slice(0, MAX_KEY_PART)}`,
      max: limits.perAddress,
      windowSeconds: limits.windowSeconds,
    },
  ];
}

export type ThrottleVerdict = { throttled: false } | { throttled: true; retryAfterSeconds: number };

/** Throttled once any counter has reached its maximum; Retry-After is the longest wait. */
export function throttleVerdict(counters: FailureCounter[], live: CounterState[]): ThrottleVerdict {
  const counts = new Map(live.map((state) => [state.key, state]));
  const full = counters
    .map((counter) => ({ counter, state: counts.get(counter.key) }))
    .filter(({ counter, state }) => state !== undefined && state.count >= counter.max);
  if (full.length === 0) return { throttled: false };
  return {
    throttled: true,
    retryAfterSeconds: Math.max(1, ...full.map(({ state }) => state?.secondsLeft ?? 1)),
  };
}

export async function recordFailure(executor: Executor, counters: FailureCounter[]): Promise<void> {
  await addToCounters(
    executor,
    counters.map(({ key, windowSeconds }) => ({ key, amount: 1, windowSeconds })),
  );
  sweepEndedCountersSometimes(executor);
}
