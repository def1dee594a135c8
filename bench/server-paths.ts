/**
 * Compares Authdesk's two request paths inside the real production server: GET /api/health (the
 * Hono app that server.ts routes programs' paths to) against GET /next-health (a Next route
 * handler doing the same checkHealth work). It starts `server.ts` as a child process on loopback
 * with a throwaway data directory, loads both paths alternately with autocannon and prints
 * requests/s, p50/p99 latency and the server's CPU time per request, round by round.
 *
 *   npm run build && npm run bench:server-paths -- [--rounds 3] [--seconds 10] [--warmup 3]
 *
 * The same knobs can be set as BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP and BENCH_CONNECTIONS.
 * Not part of `npm test`: its figures depend on the machine, and it needs the production build.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { generateKeyEntry } from "@/lib/crypto";

const root = path.dirname(import.meta.dirname);
const HOST = "127.0.0.1";
const FAST = "/api/health";
const NEXT = "/next-health";
/** Start-up (Next's prepare, PGlite and migrations) plus the pauses between runs, roughly. */
const OVERHEAD_SECONDS = 15;
const READY_TIMEOUT_MS = 60_000;

interface Options {
  rounds: number;
  seconds: number;
  warmup: number;
  connections: number;
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU (process and its children) per response, in µs; undefined without /proc. */
  cpuUs: number | undefined;
  failures: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string" },
      seconds: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
    },
  });
  const pick = (name: string, arg: string | undefined, fallback: number, max: number) => {
    const raw = arg ?? process.env[`BENCH_${name.toUpperCase()}`] ?? String(fallback);
    const value = Number(raw);
    // Upper bounds keep a typo from turning the bench into an hour-long load on a shared machine.
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be an integer from 1 to ${max} (got "${raw}")`);
    }
    return value;
  };
  return {
    rounds: pick("rounds", values.rounds, 3, 20),
    seconds: pick("seconds", values.seconds, 10, 120),
    warmup: pick("warmup", values.warmup, 3, 60),
    connections: pick("connections", values.connections, 10, 200),
  };
}

let server: ChildProcess | undefined;
let dataDir: string | undefined;
let finishing: Promise<never> | undefined;

/** Stops the server, removes its data directory and exits; safe to call from any path, once. */
function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    if (server) await stopChild(server);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return finishing;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

// Last resort if something calls process.exit without going through finish().
process.once("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\nReceived ${signal}: stopping the server.`);
    void finish(130);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

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

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds used so far by `pid` and its descendants, from /proc (Linux only). The load
 * generator runs in this process, so the server's own CPU per request is the figure that does not
 * depend on how fast the client is.
 */
function cpuSeconds(pid: number): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks });
    } catch {
      // The process ended while we were reading.
    }
  }
  if (!stats.has(pid)) return undefined;
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, { ppid }] of stats) {
      if (!tree.has(child) && tree.has(ppid)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const member of tree) ticks += stats.get(member)?.ticks ?? 0;
  return ticks / clockTicks;
}

async function measure(url: string, seconds: number, connections: number): Promise<Sample> {
  const pid = server?.pid ?? -1;
  const before = cpuSeconds(pid);
  const result = await autocannon({ url, connections, duration: seconds });
  const after = cpuSeconds(pid);
  const answered = result.requests.total;
  return {
    rps: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs:
      before !== undefined && after !== undefined && answered > 0
        ? ((after - before) * 1e6) / answered
        : undefined,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

const number = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? "n/a"
    : value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });

const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");

function row(cells: string[]): string {
  const widths = [8, 14, 10, 9, 9, 13, 9];
  return cells
    .map((cell, index) =>
      index < 2 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
    )
    .join(" ");
}

function sampleRow(label: string, target: string, sample: Sample): string {
  return row([
    label,
    target,
    number(sample.rps),
    number(sample.p50),
    number(sample.p99),
    number(sample.cpuUs),
    String(sample.failures),
  ]);
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.error("No production build in .next: run `npm run build` first, then this bench.");
    process.exit(1);
  }
  const loadSeconds = 2 * options.warmup + 2 * options.rounds * options.seconds;
  const estimate = loadSeconds + OVERHEAD_SECONDS;
  console.log(
    `Server paths bench: ${FAST} (Hono) vs ${NEXT} (Next route handler), ` +
      `${options.rounds} rounds × ${options.seconds} s per path at ${options.connections} connections, ` +
      `${options.warmup} s warm-up each.`,
  );
  console.log(
    `This takes about ${estimate} s (${loadSeconds} s of load). Ctrl-C stops it cleanly.`,
  );
  console.log(`Load average before: ${loadAverage()}\n`);
  // A hard stop in case something hangs: nothing here should outlive its estimate by two minutes.
  setTimeout(
    () => {
      console.error("The bench ran far past its estimate; stopping.");
      void finish(1);
    },
    (estimate + 120) * 1000,
  ).unref();

  dataDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-bench-"));
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
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "server.ts"],
    { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  server = child;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line) console.log(`  server | ${line}`);
    });
  }
  child.once("exit", (code, signal) => {
    if (finishing) return;
    console.error(`The server exited during the bench (code ${code}, signal ${signal}).`);
    void finish(1);
  });

  const base = `http://${HOST}:${port}`;
  await waitForHealth(`${base}${FAST}`, child);
  console.log(
    `Server ready on ${base} (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"}, pid ${child.pid}).`,
  );

  for (const target of [FAST, NEXT]) {
    console.log(`warm-up ${target} (${options.warmup} s)`);
    await measure(`${base}${target}`, options.warmup, options.connections);
  }

  const samples: Record<string, Sample[]> = { [FAST]: [], [NEXT]: [] };
  for (let round = 1; round <= options.rounds; round++) {
    // The order flips every round so neither path always runs on the hotter (or more fragmented) heap.
    const order = round % 2 === 1 ? [FAST, NEXT] : [NEXT, FAST];
    for (const target of order) {
      const sample = await measure(`${base}${target}`, options.seconds, options.connections);
      samples[target]?.push(sample);
      console.log(
        `round ${round}/${options.rounds} ${target.padEnd(12)} ${number(sample.rps)} req/s, ` +
          `p50 ${number(sample.p50)} ms, p99 ${number(sample.p99)} ms, ${number(sample.cpuUs)} µs CPU/req`,
      );
    }
  }

  const fast = samples[FAST] ?? [];
  const slow = samples[NEXT] ?? [];
  const header = row(["round", "path", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "non-2xx"]);
  console.log(`\n${header}\n${"-".repeat(header.length)}`);
  for (let index = 0; index < options.rounds; index++) {
    const pair: [string, Sample | undefined][] = [
      [FAST, fast[index]],
      [NEXT, slow[index]],
    ];
    for (const [target, sample] of pair) {
      if (sample) console.log(sampleRow(String(index + 1), target, sample));
    }
  }
  const summary = (list: Sample[]): Sample => ({
    rps: median(list.map((s) => s.rps)),
    p50: median(list.map((s) => s.p50)),
    p99: median(list.map((s) => s.p99)),
    cpuUs: list.every((s) => s.cpuUs !== undefined)
      ? median(list.map((s) => s.cpuUs ?? 0))
      : undefined,
    failures: list.reduce((total, s) => total + s.failures, 0),
  });
  console.log(sampleRow("median", FAST, summary(fast)));
  console.log(sampleRow("median", NEXT, summary(slow)));

  const rpsRatios = fast.map((s, index) => s.rps / (slow[index]?.rps ?? Number.NaN));
  console.log(
    `\nfast path / Next, requests/s: ${number(median(rpsRatios), 1)}× ` +
      `(median of per-round ratios ${rpsRatios.map((r) => number(r, 1)).join(", ")})`,
  );
  if (fast.every((s) => s.cpuUs) && slow.every((s) => s.cpuUs)) {
    const cpuRatios = slow.map((s, index) => (s.cpuUs ?? 0) / (fast[index]?.cpuUs ?? Number.NaN));
    console.log(
      `Next / fast path, server CPU per request: ${number(median(cpuRatios), 1)}× ` +
        `(median of per-round ratios ${cpuRatios.map((r) => number(r, 1)).join(", ")})`,
    );
  }
  const failures = [...fast, ...slow].reduce((total, s) => total + s.failures, 0);
  if (failures > 0) {
    console.log(
      `\nWarning: ${failures} responses were not 2xx or failed; the figures are suspect.`,
    );
  }
  console.log(
    `\nLoad average after: ${loadAverage()}; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"})`,
  );
  await finish(failures > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error("Bench failed:", error instanceof Error ? error.message : error);
  void finish(1);
});
