/**
 * What the benches in this folder share: their options, the clean-up of the servers they start,
 * their bounded runtime, one autocannon run and the tables they print. Each bench keeps what makes
 * it different: which servers it starts and how it reads their CPU time.
 */
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";

/** Benches listen and load on loopback only, so they never reach or expose another machine. */
export const HOST = "127.0.0.1";
/** Where the servers run, so that `tsx`, the server-only hook and `@/` imports resolve. */
export const PROJECT_ROOT = path.dirname(import.meta.dirname);

// ---------------------------------------------------------------------------------------------
// Options

export interface BenchOptions {
  rounds: number;
  seconds: number;
  warmup: number;
  connections: number;
}

/** The flags every bench takes, in the shape node:util's parseArgs wants. */
export const BENCH_FLAGS = {
  rounds: { type: "string" },
  seconds: { type: "string" },
  warmup: { type: "string" },
  connections: { type: "string" },
} as const;

// Upper bounds keep a typo from turning the bench into an hour-long load on a shared machine.
const MAXIMUM: BenchOptions = { rounds: 20, seconds: 120, warmup: 60, connections: 200 };

/**
 * Takes each option from its flag, else from BENCH_<NAME>, else from `defaults` (10 connections
 * unless given). Throws unless each is an integer from 1 to its upper bound.
 */
export function readBenchOptions(
  flags: Partial<Record<keyof BenchOptions, string>>,
  defaults: Omit<BenchOptions, "connections"> & { connections?: number },
): BenchOptions {
  const pick = (name: keyof BenchOptions, fallback: number) => {
    const raw = flags[name] ?? process.env[`BENCH_${name.toUpperCase()}`] ?? String(fallback);
    const value = Number(raw);
    const max = MAXIMUM[name];
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`--${name} must be an integer from 1 to ${max} (got "${raw}")`);
    }
    return value;
  };
  return {
    rounds: pick("rounds", defaults.rounds),
    seconds: pick("seconds", defaults.seconds),
    warmup: pick("warmup", defaults.warmup),
    connections: pick("connections", defaults.connections ?? 10),
  };
}

// ---------------------------------------------------------------------------------------------
// Servers and clean-up: every child is stopped however the bench ends.

const children = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];
let finishing: Promise<never> | undefined;

/**
 * Runs `node --import tsx --import ./scripts/server-only-hook.mjs ...args` in the project root,
 * as the npm scripts do, and puts the child in finish()'s care from the moment it exists.
 */
export function spawnServer(args: string[], options: Omit<SpawnOptions, "cwd">): ChildProcess {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", ...args],
    { ...options, cwd: PROJECT_ROOT },
  );
  children.add(child);
  return child;
}

/** Registers work for finish() once the children have stopped, such as removing a temp dir. */
export function afterChildrenStop(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/** Stops the children, runs the clean-ups and exits; safe to call from any path, once. */
export function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    await Promise.all([...children].map(stopChild));
    for (const cleanup of cleanups) cleanup();
    process.exit(code);
  })();
  return finishing;
}

/** True once finish() has begun: from then on a child exiting is expected, not a failure. */
export function isFinishing(): boolean {
  return finishing !== undefined;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Sends Ctrl-C and SIGTERM through finish(130). `servers` names what is stopped in the message
 * ("server" or "servers").
 */
export function stopServersOnSignals(servers: string): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\nReceived ${signal}: stopping the ${servers}.`);
      void finish(130);
    });
  }
  // Last resort if something calls process.exit without going through finish().
  process.once("exit", () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
}

/** Reports why the bench failed and exits 1 through finish(), so the servers still stop. */
export function failBench(error: unknown): void {
  console.error("Bench failed:", error instanceof Error ? error.message : error);
  void finish(1);
}

// ---------------------------------------------------------------------------------------------
// Runtime and machine

/**
 * Prints how long the bench will take and the load average before it, then arms a hard stop:
 * nothing here should outlive its estimate by two minutes, even if something hangs.
 */
export function announceRuntime(loadSeconds: number, overheadSeconds: number): void {
  const estimate = loadSeconds + overheadSeconds;
  console.log(
    `This takes about ${estimate} s (${loadSeconds} s of load). Ctrl-C stops it cleanly.`,
  );
  console.log(`Load average before: ${loadAverage()}\n`);
  setTimeout(
    () => {
      console.error("The bench ran far past its estimate; stopping.");
      void finish(1);
    },
    (estimate + 120) * 1000,
  ).unref();
}

/** The 1, 5 and 15 minute load averages: figures from a busy machine deserve less trust. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");
}

/** Node version, CPU count and model, to print beside the figures. */
export function machineSummary(): string {
  return `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"})`;
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** The server's CPU time per response, in µs; undefined where it could not be read. */
  cpuUs: number | undefined;
  failures: number;
}

/**
 * One autocannon run against `url`. `readCpuMicros` gives the server's CPU time so far, in µs:
 * the load generator runs in this process, so the server's own CPU per response is the figure
 * that does not depend on how fast the client is.
 */
export async function measure(
  url: string,
  seconds: number,
  connections: number,
  readCpuMicros: () => Promise<number | undefined> | number | undefined,
): Promise<Sample> {
  const before = await readCpuMicros();
  const result = await autocannon({ url, connections, duration: seconds });
  const after = await readCpuMicros();
  const answered = result.requests.total;
  return {
    rps: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs:
      before !== undefined && after !== undefined && answered > 0
        ? (after - before) / answered
        : undefined,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** Each figure's median across rounds, and the failures summed; CPU only if every round had it. */
export function medianSample(samples: Sample[]): Sample {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    cpuUs: samples.every((s) => s.cpuUs !== undefined)
      ? median(samples.map((s) => s.cpuUs ?? 0))
      : undefined,
    failures: samples.reduce((total, s) => total + s.failures, 0),
  };
}

/** `value` with thousands separators and `digits` decimals, or "n/a" when there is none. */
export function formatNumber(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value)
    ? "n/a"
    : value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
}

// ---------------------------------------------------------------------------------------------
// Tables: round, subject, req/s, p50, p99, CPU per request, failures.

export interface TableLayout {
  /** Heading of the second column: what each row measured ("server", "path"). */
  subject: string;
  /** Widths of the seven columns; the first two are left-aligned, the figures right-aligned. */
  widths: readonly number[];
  /** Decimals in the CPU column. */
  cpuDigits: number;
}

function tableRow(layout: TableLayout, cells: string[]): string {
  return cells
    .map((cell, index) => {
      const width = layout.widths[index] ?? 0;
      return index < 2 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(" ");
}

/** The column headings and a rule of dashes under them. */
export function tableHeading(layout: TableLayout): string {
  const header = tableRow(layout, [
    "round",
    layout.subject,
    "req/s",
    "p50 ms",
    "p99 ms",
    "CPU µs/req",
    "non-2xx",
  ]);
  return `${header}\n${"-".repeat(header.length)}`;
}

/** One row of figures; `label` is the round number or "median". */
export function sampleRow(
  layout: TableLayout,
  label: string,
  subject: string,
  sample: Sample,
): string {
  return tableRow(layout, [
    label,
    subject,
    formatNumber(sample.rps),
    formatNumber(sample.p50),
    formatNumber(sample.p99),
    formatNumber(sample.cpuUs, layout.cpuDigits),
    String(sample.failures),
  ]);
}
