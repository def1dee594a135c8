import "server-only";
import { type Placeholder, type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import { sweepSometimes } from "@/db/sweep";

/**
 * Fixed-window counters in the database, so every app instance sharing one PostgreSQL sees the
 * same numbers. A key's window starts at its first hit and lasts `windowSeconds`; a hit after
 * the window has ended starts a new one. Every hit is one atomic upsert, so parallel hits on
 * several instances cannot lose counts. Windows are timed by the database's clock, never an
 * instance's, so instances with skewed clocks still agree.
 *
 * Every limit counts here: the admin sign-in throttle (lib/auth/throttle.ts), failed client and
 * till authentications (failures.ts) and API request quotas (quota.ts). Any key, any amount per
 * hit (quota leases add more than one), any window length.
 */
export interface CounterHit {
  key: string;
  /** How much to add; a lease of a request quota adds its size. */
  amount: number;
  windowSeconds: number;
  /** Exponential backoff for a counter over its limit (failure throttles); see Backoff. */
  backoff?: Backoff;
}

/**
 * Each hit that takes a counter past `above` keeps its window open until at least
 * `baseSeconds × 2^(hits past the limit − 1)` from now, at most `maxSeconds`: whoever keeps
 * trying while throttled doubles their own wait, and someone who stops is free when the window
 * ends. (A window is only ever lengthened by this, never shortened.)
 */
export interface Backoff {
  above: number;
  baseSeconds: number;
  maxSeconds: number;
}

export interface CounterState {
  key: string;
  /** The total in the current window, this hit included. */
  count: number;
  /** Whole seconds until the window ends (at least 1). */
  secondsLeft: number;
}

const SECONDS_LEFT = sql<number>`greatest(1, ceil(extract(epoch from ${rateLimitCounters.windowEndsAt} - now())))::int`;

/** Adds each hit to its counter and returns the counters' new states, in the hits' order. */
export async function addToCounters(
  executor: Executor,
  hits: CounterHit[],
): Promise<CounterState[]> {
  if (hits.length === 0) return [];
  const rows = await executor
    .insert(rateLimitCounters)
    .values(
      mergeSameKeys(hits).map((hit) => ({
        key: hit.key,
        count: hit.amount,
        windowEndsAt: sql`now() + make_interval(secs => ${hit.windowSeconds})`,
      })),
    )
    .onConflictDoUpdate({
      target: rateLimitCounters.key,
      set: {
        // `excluded` holds the values this hit would have inserted: its amount and a fresh window.
        count: sql`case when ${windowEnded()} then excluded.count else ${rateLimitCounters.count} + excluded.count end`,
        windowEndsAt: sql`case when ${windowEnded()} then excluded.window_ends_at else ${backedOffWindowEnd(hits)} end`,
      },
    })
    .returning({
      key: rateLimitCounters.key,
      count: rateLimitCounters.count,
      secondsLeft: SECONDS_LEFT,
    });
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return hits.map(
    (hit) => byKey.get(hit.key) ?? { key: hit.key, count: hit.amount, secondsLeft: 1 },
  );
}

/** One upsert may not touch a row twice, so hits on one key are added up first. */
function mergeSameKeys(hits: CounterHit[]): CounterHit[] {
  const merged = new Map<string, CounterHit>();
  for (const hit of hits) {
    const earlier = merged.get(hit.key);
    merged.set(hit.key, earlier ? { ...earlier, amount: earlier.amount + hit.amount } : hit);
  }
  return [...merged.values()];
}

/**
 * The window end after a hit on a live window: as it was, or pushed out by the hit's backoff.
 * One statement serves every hit, so the backoff is chosen by key, with a CASE.
 */
function backedOffWindowEnd(hits: CounterHit[]): SQL {
  const current = sql`${rateLimitCounters.windowEndsAt}`;
  const newCount = sql`(${rateLimitCounters.count} + excluded.count)`;
  const cases = hits.flatMap(({ key, backoff }) => {
    if (!backoff) return [];
    const { above, baseSeconds, maxSeconds } = backoff;
    // The exponent is capped so the power stays a finite number for any count.
    const wait = sql`least(${maxSeconds}::float8, ${baseSeconds}::float8 * power(2::float8, least(${newCount} - ${above} - 1, 40)))`;
    return [
      sql`when excluded.key = ${key} and ${newCount} > ${above} then greatest(${current}, now() + make_interval(secs => ${wait}))`,
    ];
  });
  if (cases.length === 0) return current;
  return sql`case ${sql.join(cases, sql` `)} else ${current} end`;
}

function windowEnded(): SQL {
  return sql`${rateLimitCounters.windowEndsAt} <= now()`;
}

/**
 * A SQL expression for the live counters among `keys`, as a JSON array of
 * `{ key, count, secondsLeft }` (ended windows left out). Callers fold it into the query they
 * make anyway, so checking a throttle costs no extra round trip. `keys` may be a placeholder of a
 * prepared statement, filled with a string array when it runs.
 */
export function liveCountersJson(keys: string[] | Placeholder): SQL<CounterState[]> {
  const keyArray = Array.isArray(keys) ? sql.param(keys) : keys;
  return sql<CounterState[]>`coalesce((
    select json_agg(json_build_object(
      'key', ${rateLimitCounters.key},
      'count', ${rateLimitCounters.count},
      'secondsLeft', ${SECONDS_LEFT}
    ))
    from ${rateLimitCounters}
    where ${rateLimitCounters.key} = any(${keyArray}::text[]) and ${rateLimitCounters.windowEndsAt} > now()
  ), '[]'::json)`;
}

/** Reads live counters on their own, for callers with no query to fold them into. */
export async function readCounters(executor: Executor, keys: string[]): Promise<CounterState[]> {
  if (keys.length === 0) return [];
  const [row] = await queryRows<{ counters: CounterState[] }>(
    executor,
    sql`select ${liveCountersJson(keys)} as counters`,
  );
  return row?.counters ?? [];
}

/** Deletes counters whose window has ended; they would count as zero anyway. */
export async function deleteEndedCounters(executor: Executor): Promise<void> {
  await executor.delete(rateLimitCounters).where(windowEnded());
}

/**
 * Deletes ended counters at most every ten minutes per database handle, in the background. Keys
 * include client ids and addresses that callers choose, so without this the table would grow
 * with every distinct one ever seen.
 */
export function sweepEndedCountersSometimes(executor: Executor, now = Date.now()): void {
  sweepSometimes(executor, "rate-limit", () => deleteEndedCounters(executor), now);
}
