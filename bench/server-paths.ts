/**
 * Compares Authdesk's two request paths inside the real production server: GET /api/health (the
 * Hono app that server.ts routes programs' paths to) against GET /next-health (a Next route
 * handler doing the same checkHealth work, app/next-health/route.bench.ts, which only a build
 * with AUTHDESK_BENCH_ROUTES=1 serves: the product never does). It starts `server.ts` as a child process on loopback
 * with a throwaway data directory, loads both paths alternately with autocannon and prints
 * requests/s, p50/p99 latency and the server's CPU time per request, round by round.
 *
 *   AUTHDESK_BENCH_ROUTES=1 npm run build && npm run bench:server-paths -- [--rounds 3] …
 *
 * The same knobs can be set as BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP and BENCH_CONNECTIONS.
 * Not part of `npm test`: its figures depend on the machine, and it needs the production build.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateKeyEntry } from "@/lib/crypto";
import {
  afterChildrenStop,
  announceRuntime,
  BENCH_FLAGS,
  cpuMicros,
  failBench,
  finish,
  formatNumber,
  freePort,
  HOST,
  isFinishing,
  loadAverage,
  machineSummary,
  measure,
  median,
  medianSample,
  PROJECT_ROOT,
  readBenchOptions,
  type Sample,
  sampleRow,
  spawnServer,
  stopServersOnSignals,
  type TableLayout,
  tableHeading,
} from "./support";

const FAST = "/api/health";
const NEXT = "/next-health";
/** Start-up (Next's prepare, PGlite and migrations) plus the pauses between runs, roughly. */
const OVERHEAD_SECONDS = 15;
const READY_TIMEOUT_MS = 60_000;
const TABLE: TableLayout = { subject: "path", widths: [8, 14, 10, 9, 9, 13, 9], cpuDigits: 0 };

stopServersOnSignals("server");

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error("The server exited before it answered /api/health (its output is above).");
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The server did not answer 200 on ${url} within ${READY_TIMEOUT_MS / 1000} s.`);
}

/** The Next side of the comparison exists only in a build made for the bench. */
async function requireBenchRoute(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await response.body?.cancel();
  if (response.status === 200) return;
  throw new Error(
    `${NEXT} answered ${response.status}: build with \`AUTHDESK_BENCH_ROUTES=1 npm run build\` first (a normal build leaves the bench route out).`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: BENCH_FLAGS });
  const options = readBenchOptions(values, { rounds: 3, seconds: 10, warmup: 3 });
  if (!existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"))) {
    console.error(
      "No production build in .next: run `AUTHDESK_BENCH_ROUTES=1 npm run build` first, then this bench.",
    );
    process.exit(1);
  }
  const loadSeconds = 2 * options.warmup + 2 * options.rounds * options.seconds;
  console.log(
    `Server paths bench: ${FAST} (Hono) vs ${NEXT} (Next route handler), ` +
      `${options.rounds} rounds × ${options.seconds} s per path at ${options.connections} connections, ` +
      `${options.warmup} s warm-up each.`,
  );
  announceRuntime(loadSeconds, OVERHEAD_SECONDS);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-bench-"));
  afterChildrenStop(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST,
    PORT: String(port),
    AUTHDESK_DATA_DIR: dataDir,
  };
  if (process.env.DATABASE_URL && !process.env.AUTHDESK_ENCRYPTION_KEYS) {
    // PostgreSQL installations must bring their key; a throwaway one is fine for a health check.
    childEnv.AUTHDESK_ENCRYPTION_KEYS = generateKeyEntry(1);
  }
  const child = spawnServer(["server.ts"], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line) console.log(`  server | ${line}`);
    });
  }
  child.once("exit", (code, signal) => {
    if (isFinishing()) return;
    console.error(`The server exited during the bench (code ${code}, signal ${signal}).`);
    void finish(1);
  });

  const base = `http://${HOST}:${port}`;
  await waitForHealth(`${base}${FAST}`, child);
  await requireBenchRoute(`${base}${NEXT}`);
  console.log(
    `Server ready on ${base} (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}, pid ${child.pid}).`,
  );

  const pid = child.pid ?? -1;
  const load = (target: string, seconds: number) =>
    measure(`${base}${target}`, seconds, options.connections, () => cpuMicros(pid));
  for (const target of [FAST, NEXT]) {
    console.log(`warm-up ${target} (${options.warmup} s)`);
    await load(target, options.warmup);
  }

  const samples: Record<string, Sample[]> = { [FAST]: [], [NEXT]: [] };
  for (let round = 1; round <= options.rounds; round++) {
    // The order flips every round so neither path always runs on the hotter (or more fragmented) heap.
    const order = round % 2 === 1 ? [FAST, NEXT] : [NEXT, FAST];
    for (const target of order) {
      const sample = await load(target, options.seconds);
      samples[target]?.push(sample);
      console.log(
        `round ${round}/${options.rounds} ${target.padEnd(12)} ${formatNumber(sample.rps)} req/s, ` +
          `p50 ${formatNumber(sample.p50)} ms, p99 ${formatNumber(sample.p99)} ms, ${formatNumber(sample.cpuUs)} µs CPU/req`,
      );
    }
  }

  const fast = samples[FAST] ?? [];
  const slow = samples[NEXT] ?? [];
  console.log(`\n${tableHeading(TABLE)}`);
  for (let index = 0; index < options.rounds; index++) {
    const pair: [string, Sample | undefined][] = [
      [FAST, fast[index]],
      [NEXT, slow[index]],
    ];
    for (const [target, sample] of pair) {
      if (sample) console.log(sampleRow(TABLE, String(index + 1), target, sample));
    }
  }
  console.log(sampleRow(TABLE, "median", FAST, medianSample(fast)));
  console.log(sampleRow(TABLE, "median", NEXT, medianSample(slow)));

  const rpsRatios = fast.map((s, index) => s.rps / (slow[index]?.rps ?? Number.NaN));
  console.log(
    `\nfast path / Next, requests/s: ${formatNumber(median(rpsRatios), 1)}× ` +
      `(median of per-round ratios ${rpsRatios.map((r) => formatNumber(r, 1)).join(", ")})`,
  );
  if (fast.every((s) => s.cpuUs) && slow.every((s) => s.cpuUs)) {
    const cpuRatios = slow.map((s, index) => (s.cpuUs ?? 0) / (fast[index]?.cpuUs ?? Number.NaN));
    console.log(
      `Next / fast path, server CPU per request: ${formatNumber(median(cpuRatios), 1)}× ` +
        `(median of per-round ratios ${cpuRatios.map((r) => formatNumber(r, 1)).join(", ")})`,
    );
  }
  const failures = [...fast, ...slow].reduce((total, s) => total + s.failures, 0);
  if (failures > 0) {
    console.log(
      `\nWarning: ${failures} responses were not 2xx or failed; the figures are suspect.`,
    );
  }
  console.log(`\nLoad average after: ${loadAverage()}; ${machineSummary()}`);
  await finish(failures > 0 ? 1 : 0);
}

main().catch(failBench);
