/**
 * What a sandbox run costs, measured end to end through createSandbox (worker thread, fresh
 * QuickJS runtime, guest runtime, outcome):
 *
 * 1. Cold start: the first run of a new sandbox, which starts its worker and loads QuickJS.
 * 2. Warm runs, one after another: a trivial snippet, and one that makes one fetch to a loopback
 *    server (median and p95, ms).
 * 3. A run right after a worker was terminated for overrunning its deadline: the replacement's
 *    start is paid by that run.
 * 4. Concurrent runs on the default pool of 2 workers: how long 20 take together.
 * 5. What a run that calls fetch in a loop with a 1 MiB body costs this thread: its event-loop
 *    delay (p99 and max) during such a run, against an idle second.
 *
 * Loopback only; every loop is bounded and a watchdog ends a run that hangs.
 *
 *   npm run bench:sandbox -- [--runs 200] [--kills 3]
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createSandbox, type Sandbox } from "@/lib/sandbox";
import { loadAverage, machineSummary } from "./support";

const LIMITS = { runs: 5_000, kills: 10 };
const WATCHDOG_MS = 180_000;
/** Calls fetch until the deadline, each time with a 1 MiB body, ignoring every failure. */
const FLOODS_FETCH = `const b = "x".repeat(1 << 20);
  for (;;) fetch("https://203.0.113.1/", { method: "POST", body: b }).catch(() => {});`;
/** Prints a 250,000-digit BigInt four times in one built-in call, never asking the interrupt handler. */
const OVERRUNS_DEADLINE = "const big = 7n ** 300000n; return [big, big, big, big].join().length";

function option(name: keyof typeof LIMITS, raw: string | undefined, fallback: number): number {
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1 || value > LIMITS[name]) {
    throw new Error(`--${name} must be an integer from 1 to ${LIMITS[name]} (got "${raw}")`);
  }
  return value;
}

const { values: flags } = parseArgs({
  options: { runs: { type: "string" }, kills: { type: "string" } },
});
const RUNS = option("runs", flags.runs, 200);
const KILLS = option("kills", flags.kills, 3);

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

const ms = (value: number) => value.toFixed(2).padStart(8);

/** Runs `code` and returns the wall time in ms; throws unless the outcome is what was expected. */
async function timedRun(
  sandbox: Sandbox,
  code: string,
  secrets: Record<string, string>,
  expectOk: boolean,
): Promise<number> {
  const started = performance.now();
  const outcome = await sandbox.run({ code, secrets });
  const elapsed = performance.now() - started;
  if (outcome.ok !== expectOk) {
    throw new Error(`unexpected outcome for ${JSON.stringify(code)}: ${JSON.stringify(outcome)}`);
  }
  return elapsed;
}

async function series(label: string, runs: number, once: () => Promise<number>): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) samples.push(await once());
  samples.sort((a, b) => a - b);
  console.log(
    `  ${label.padEnd(34)} ${ms(percentile(samples, 0.5))} ${ms(percentile(samples, 0.95))} ${ms(samples.at(-1) as number)}`,
  );
}

/** This thread's event-loop delay while `work` runs, in ms. */
async function loopDelay(work: () => Promise<unknown>): Promise<{ p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  await work();
  histogram.disable();
  return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

async function startServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end('{"id":"user-1"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  console.log(`${machineSummary()}; load average before: ${loadAverage()}`);
  const server = await startServer();
  const secrets = { base_url: server.url, api_key: "bench-key" };
  const fetchOnce = `const r = await fetch(secrets.base_url + '/me', {
    headers: { Authorization: 'Bearer ' + secrets.api_key } });
    if (!r.ok) throw new Error('Invalid credentials'); return { success: true };`;

  const coldSandbox = createSandbox({ allowPrivateAddresses: true });
  const sandbox = createSandbox({ allowPrivateAddresses: true });
  try {
    const cold = await timedRun(coldSandbox, "return 1", {}, true);
    console.log(
      `\nCold start (first run: worker start, QuickJS load, the run): ${cold.toFixed(1)} ms`,
    );

    for (let index = 0; index < 20; index += 1) await timedRun(sandbox, "return 1", {}, true);
    console.log(`\nWarm runs, one at a time, ${RUNS} each (ms)`);
    console.log(
      `  ${"".padEnd(34)} ${"median".padStart(8)} ${"p95".padStart(8)} ${"max".padStart(8)}`,
    );
    await series("trivial (return 1)", RUNS, () => timedRun(sandbox, "return 1", {}, true));
    await series("one loopback fetch", RUNS, () => timedRun(sandbox, fetchOnce, secrets, true));
    await series("checkSyntax", RUNS, async () => {
      const started = performance.now();
      const result = await sandbox.checkSyntax(fetchOnce);
      if (!result.ok) throw new Error(result.message);
      return performance.now() - started;
    });

    console.log(`\nAfter a worker is terminated at the deadline (${KILLS} times)`);
    for (let index = 0; index < KILLS; index += 1) {
      const killed = await timedRun(sandbox, OVERRUNS_DEADLINE, {}, false);
      // Both workers may need replacing; run twice to see the first replacement's cost.
      const next = await timedRun(sandbox, "return 1", {}, true);
      const second = await timedRun(sandbox, "return 1", {}, true);
      console.log(
        `  overrunning run ${killed.toFixed(0)} ms; next run ${next.toFixed(1)} ms (pays the new worker's start); the one after ${second.toFixed(1)} ms`,
      );
    }

    const started = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, () => timedRun(sandbox, fetchOnce, secrets, true)),
    );
    console.log(
      `\n20 concurrent runs with one fetch each, pool of 2: ${(performance.now() - started).toFixed(1)} ms in all`,
    );

    console.log("\nThis thread's event-loop delay (ms), 3 times each: p99 / max");
    const idle = [];
    const flood = [];
    for (let index = 0; index < 3; index += 1) {
      idle.push(await loopDelay(() => new Promise((resolve) => setTimeout(resolve, 1_000))));
      flood.push(await loopDelay(() => timedRun(sandbox, FLOODS_FETCH, {}, false)));
    }
    const show = (samples: { p99: number; max: number }[]) =>
      samples.map(({ p99, max }) => `${p99.toFixed(1)} / ${max.toFixed(1)}`).join(", ");
    console.log(`  idle, 1 s                          ${show(idle)}`);
    console.log(`  a run calling fetch in a loop      ${show(flood)}`);
  } finally {
    await coldSandbox.close();
    await sandbox.close();
    await server.close();
  }
  console.log(`\nLoad average after: ${loadAverage()}`);
}

await main();
clearTimeout(watchdog);
