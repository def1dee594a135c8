/**
 * The token broker's two promises, measured:
 *
 * 1. A cache hit costs about what a Map lookup costs: the latency of `getAccessToken` on a warm
 *    cache (median and p99, µs) beside a plain `Map.get` and an `await` of one, timed by the same
 *    loop in the same run, interleaved so that drift and GC hit every row alike.
 * 2. Single flight: 1,000 callers on a cold cache (token and config forgotten) send exactly one
 *    request to the token server, counted at the server.
 *
 * The token server is oidc-provider on 127.0.0.1 (the one the tests use), the database an
 * in-memory PGlite. Everything is closed at the end; a watchdog ends a run that hangs.
 *
 *   npm run bench:broker -- [--calls 100000] [--crowd 1000] [--rounds 5]
 */
import { parseArgs } from "node:util";
import { migrateDatabase, openPglite } from "@/db/client";
import { createTokenBroker } from "@/lib/auth-configs/token-broker";
import {
  insertTestAdmin,
  OIDC_CLIENTS,
  seedConfig,
  startOidcServer,
  testKeyring,
} from "@/lib/auth-configs/token-broker.testing";

const LIMITS = { calls: 1_000_000, crowd: 10_000, rounds: 20 };
const WATCHDOG_MS = 120_000;

function option(name: keyof typeof LIMITS, raw: string | undefined, fallback: number): number {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > LIMITS[name]) {
    throw new Error(`--${name} must be an integer from 1 to ${LIMITS[name]} (got "${raw}")`);
  }
  return value;
}

const { values: flags } = parseArgs({
  options: { calls: { type: "string" }, crowd: { type: "string" }, rounds: { type: "string" } },
});
const CALLS = option("calls", flags.calls, 100_000);
const CROWD = option("crowd", flags.crowd, 1_000);
const ROUNDS = option("rounds", flags.rounds, 5);
const IDENTIFIER = "bench-config";

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

type Timed = () => unknown;

/** Times `calls` sequential calls one by one, in nanoseconds; awaits only what returns a promise. */
async function timeCalls(
  call: Timed,
  calls: number,
  into: Float64Array,
  offset: number,
): Promise<void> {
  for (let index = 0; index < calls; index += 1) {
    const started = process.hrtime.bigint();
    const result = call();
    if (result instanceof Promise) await result;
    into[offset + index] = Number(process.hrtime.bigint() - started);
  }
}

function percentile(sorted: Float64Array, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

const micro = (ns: number) => (ns / 1000).toFixed(3).padStart(9);

async function main(): Promise<void> {
  const database = await openPglite();
  const oidc = await startOidcServer({ ttlSeconds: 3_600 });
  const keyring = testKeyring();
  const tokens = createTokenBroker({ db: database.db, keyring, allowPrivateTokenUrls: true });
  try {
    await migrateDatabase(database);
    const admin = await insertTestAdmin(database.db);
    const client = OIDC_CLIENTS[0] as (typeof OIDC_CLIENTS)[number];
    await seedConfig(database.db, keyring, admin, {
      identifier: IDENTIFIER,
      tokenUrl: oidc.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
    });
    await runLatency(tokens, oidc.tokenRequests);
    await runCrowd(tokens, oidc.tokenRequests);
  } finally {
    await tokens.close();
    await oidc.close();
    await database.close();
  }
}

async function runLatency(
  tokens: ReturnType<typeof createTokenBroker>,
  tokenRequests: () => number,
): Promise<void> {
  const token = await tokens.getAccessToken(IDENTIFIER);
  const map = new Map([[IDENTIFIER, token]]);
  const variants: [label: string, call: Timed][] = [
    ["timer only (loop overhead)", () => undefined],
    ["Map.get", () => map.get(IDENTIFIER)],
    ["await Map.get (async fn)", async () => map.get(IDENTIFIER)],
    ["broker.getAccessToken (hit)", () => tokens.getAccessToken(IDENTIFIER)],
  ];
  const perRound = Math.ceil(CALLS / ROUNDS);
  const samples = variants.map(() => new Float64Array(perRound * ROUNDS));
  const requestsBefore = tokenRequests();

  // Warm-up, then rounds that take turns so no variant gets a quieter stretch of the run.
  for (const [, call] of variants)
    await timeCalls(call, Math.min(10_000, perRound), new Float64Array(perRound), 0);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [index, [, call]] of variants.entries()) {
      await timeCalls(call, perRound, samples[index] as Float64Array, round * perRound);
    }
  }

  const summary = variants.map(([label], index) => {
    const sorted = (samples[index] as Float64Array).slice().sort();
    return {
      label,
      median: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      p999: percentile(sorted, 0.999),
    };
  });
  console.log(
    `\nCache-hit latency: ${perRound * ROUNDS} calls per row, ${ROUNDS} interleaved rounds (µs)`,
  );
  console.log(
    `  ${"".padEnd(30)} ${"median".padStart(9)} ${"p99".padStart(9)} ${"p99.9".padStart(9)}`,
  );
  for (const row of summary) {
    console.log(
      `  ${row.label.padEnd(30)} ${micro(row.median)} ${micro(row.p99)} ${micro(row.p999)}`,
    );
  }
  const mapRow = summary[1] as (typeof summary)[number];
  const awaitedRow = summary[2] as (typeof summary)[number];
  const brokerRow = summary[3] as (typeof summary)[number];
  console.log(
    `  ratio broker / Map.get: median ${(brokerRow.median / mapRow.median).toFixed(1)}×, p99 ${(brokerRow.p99 / mapRow.p99).toFixed(1)}×`,
  );
  console.log(
    `  ratio broker / await Map.get: median ${(brokerRow.median / awaitedRow.median).toFixed(1)}×, p99 ${(brokerRow.p99 / awaitedRow.p99).toFixed(1)}×`,
  );
  console.log(`  upstream requests during the hits: ${tokenRequests() - requestsBefore}`);
}

async function runCrowd(
  tokens: ReturnType<typeof createTokenBroker>,
  tokenRequests: () => number,
): Promise<void> {
  console.log(
    `\nCold cache, ${CROWD} concurrent callers, ${ROUNDS} rounds (token and config forgotten each round)`,
  );
  let totalRequests = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    tokens.forget(IDENTIFIER);
    const before = tokenRequests();
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: CROWD }, () => tokens.getAccessToken(IDENTIFIER)),
    );
    const elapsed = performance.now() - started;
    const requests = tokenRequests() - before;
    totalRequests += requests;
    const distinct = new Set(results.map((result) => result.accessToken)).size;
    console.log(
      `  round ${round}: ${requests} upstream request(s) / ${CROWD} callers, ${distinct} distinct token(s), all answered in ${elapsed.toFixed(1)} ms`,
    );
  }
  console.log(
    `  total: ${totalRequests} / ${CROWD * ROUNDS} (target ${ROUNDS} / ${CROWD * ROUNDS}: exactly 1 per round)`,
  );
}

await main();
clearTimeout(watchdog);
