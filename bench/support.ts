/**
 * What the benches in this folder share: their options, the clean-up of the servers they start,
 * their bounded runtime, one autocannon run and the tables they print. Each bench keeps what makes
 * it different: which servers it starts and how it reads their CPU time.
 */
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";

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
  const pick = (name: keyof BenchOptions, fallback: number) =>
    readIntegerOption(name, flags[name], fallback, MAXIMUM[name]);
  return {
    rounds: pick("rounds", defaults.rounds),
    seconds: pick("seconds", defaults.seconds),
    warmup: pick("warmup", defaults.warmup),
    connections: pick("connections", defaults.connections ?? 10),
  };
}

/**
 * One integer option: its flag's value, else BENCH_<NAME>, else `fallback`. Throws unless it is an
 * integer from 1 to `max`, the bound that keeps a typo from loading a shared machine for an hour.
 */
export function readIntegerOption(
  name: string,
  flag: string | undefined,
  fallback: number,
  max: number,
): number {
  const raw = flag ?? process.env[`BENCH_${name.toUpperCase()}`] ?? String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`--${name} must be an integer from 1 to ${max} (got "${raw}")`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Servers and clean-up: every child is stopped however the bench ends.

const children = new Set<ChildProcess>();
const cleanups: (() => void | Promise<void>)[] = [];
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

/**
 * Registers work for finish() once the children have stopped, such as removing a temp dir or
 * dropping a database. Clean-ups run in the order registered; one that fails is reported and the
 * others still run.
 */
export function afterChildrenStop(cleanup: () => void | Promise<void>): void {
  cleanups.push(cleanup);
}

/** Stops the children, runs the clean-ups and exits; safe to call from any path, once. */
export function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    await Promise.all([...children].map(stopChild));
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.error("Clean-up failed:", error instanceof Error ? error.message : error);
      }
    }
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

/** A port that was free on loopback a moment ago, for a child to listen on. */
export function freePort(): Promise<number> {
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

const clockTicks = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time in µs used so far by `pid` and its descendants, from /proc (Linux only; undefined
 * elsewhere or when there is no such process): the live ones, and those `pid` has already reaped
 * (a PostgreSQL postmaster's ended backends, say).
 */
export function cpuMicros(pid: number): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const stats = new Map<number, { ppid: number; ticks: number; reaped: number }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      const reaped = Number(fields[13]) + Number(fields[14]); // cutime + cstime
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks, reaped });
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
  let ticks = stats.get(pid)?.reaped ?? 0;
  for (const member of tree) ticks += stats.get(member)?.ticks ?? 0;
  return (ticks * 1e6) / clockTicks;
}

/** CPU time in µs used so far by `pid` alone (utime + stime), from /proc; undefined if gone. */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
  } catch {
    return undefined;
  }
}

/** The parent of `pid`, from /proc; undefined when it cannot be read. */
export function parentPid(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ppid = Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL's backends: the CPU a server's queries cost on the database side.

export interface BackendWatch {
  /**
   * CPU time in µs used so far by each backend (by pid) connected to the watched database, only
   * those whose application_name is `applicationName` when given. Undefined when PostgreSQL runs
   * on another machine: there are backends but none of them is in this machine's /proc.
   */
  cpu(applicationName?: string): Promise<Map<number, number> | undefined>;
  close(): Promise<void>;
}

/**
 * Watches the PostgreSQL backends serving `databaseUrl`'s database, by pid from
 * pg_stat_activity, reading their CPU from /proc. Work on other databases of the same server
 * (other benches, other programs) does not count, unlike the postmaster's whole process tree;
 * nor does the watching connection itself. Shared background processes (WAL writer,
 * checkpointer, autovacuum) are not backends and are left out.
 */
export async function watchBackends(databaseUrl: string): Promise<BackendWatch> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    async cpu(applicationName?: string): Promise<Map<number, number> | undefined> {
      const { rows } = await client.query<{ pid: number }>(
        `select pid from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid()
           and ($1::text is null or application_name = $1::text)`,
        [applicationName ?? null],
      );
      const cpu = new Map<number, number>();
      for (const { pid } of rows) {
        const micros = processCpuMicros(pid);
        if (micros !== undefined) cpu.set(pid, micros);
      }
      return rows.length > 0 && cpu.size === 0 ? undefined : cpu;
    },
    close: () => client.end(),
  };
}

/**
 * The backends' CPU in µs between two readings of BackendWatch.cpu. A backend that started
 * meanwhile counts in full (its connection set-up is work the load caused); one that ended
 * meanwhile is lost, which endedBackends reports.
 */
export function backendCpuSince(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

/** How many backends of the first reading are gone from the second (their last CPU is lost). */
export function endedBackends(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number {
  if (!before || !after) return 0;
  let ended = 0;
  for (const pid of before.keys()) if (!after.has(pid)) ended += 1;
  return ended;
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
  /** Responses received, whatever their status. */
  responses: number;
}

/** What each request of a run sends, when it is not a plain GET. */
export interface LoadRequest {
  method: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
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
  request?: LoadRequest,
): Promise<Sample> {
  const before = await readCpuMicros();
  const result = await autocannon({ url, connections, duration: seconds, ...request });
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
    responses: answered,
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
    responses: samples.reduce((total, s) => total + s.responses, 0),
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
