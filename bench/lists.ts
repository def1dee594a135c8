/**
 * The console's lists at 100, 10,000 and 100,000 rows, on PGlite and on PostgreSQL: for each of
 * API clients, auth configs and the audit log it times the first page (GET of the page: the full
 * server render, HTML), the next page and a search (the page's server action, POSTed as the
 * browser does), and prints the ratio of the largest size's time to the smallest's. The goal is
 * that a list costs about the same however long the table: ≤ 1.3×.
 *
 * Each driver × size gets fresh data (bench/lists-seed.ts: one INSERT … SELECT per table) and its
 * own production server (server.ts as a child on loopback, as bench:server-paths starts it), with
 * a signed-in admin's session cookie. Requests are sequential: each figure is the median (and p90)
 * of `--requests` of them after `--warmup` unmeasured ones, stopping early at `--seconds`. The
 * server's CPU per request comes from /proc, and on PostgreSQL its backends' CPU too.
 *
 *   npm run build && npm run bench:lists -- [--requests 30] [--warmup 3] [--seconds 5]
 *     [--sizes 100,10000,100000] [--drivers pglite,postgres]
 *
 * The same knobs can be set as BENCH_REQUESTS, BENCH_WARMUP, BENCH_SECONDS, BENCH_SIZES and
 * BENCH_DRIVERS. PostgreSQL is DATABASE_URL's server (default
 * postgres://postgres@127.0.0.1:5432/postgres), in databases the bench creates and drops; it is
 * skipped when unreachable. Not part of `npm test`: it needs the production build.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { openPglite, openPostgres } from "@/db/client";
import { generateKeyEntry, type Keyring, parseKeyring } from "@/lib/crypto";
import { runOnServer } from "@/lib/testing/databases";
import {
  COMMON_ACTOR_PREFIX,
  COMMON_TERM,
  RARE_ACTOR_PREFIX,
  RARE_TERM,
  rareRow,
  SEEDED_TOKEN_URL,
  type Seeded,
  seededIds,
  seedLists,
} from "./lists-seed";
import {
  afterChildrenStop,
  announceRuntime,
  backendCpuSince,
  cpuMicros,
  failBench,
  finish,
  formatNumber,
  freePort,
  HOST,
  isFinishing,
  loadAverage,
  machineSummary,
  median,
  PROJECT_ROOT,
  readIntegerOption,
  spawnServer,
  stopServersOnSignals,
  watchBackends,
} from "./support";

// ---------------------------------------------------------------------------------------------
// The lists: everything that differs between them. When an action's contract changes, this is
// the one place to change.

interface ListSpec {
  name: string;
  /** The page: its GET is the first page, and the actions are POSTed to it. */
  path: string;
  /** The module that exports the actions, as the server reference manifest names it. */
  module: string;
  /** Something the first page's HTML contains when it shows seeded rows. */
  marker: string;
  /** The next page: the action, its argument from a cursor, and the result's key for the items. */
  next: { action: string; arg: (cursor: string) => unknown; items: string };
  /**
   * The argument of `next.action` that answers the first page and its cursor; undefined when
   * only the page render gives the first cursor (read from the HTML, as the browser gets it).
   */
  first?: unknown;
  /** The search: the action, its argument, the result's key for the items, and the two terms. */
  search: { action: string; arg: (term: string) => unknown; items: string; terms: Terms };
}

interface Terms {
  common: string;
  rare: string;
}

const ROW_TERMS: Terms = { common: COMMON_TERM, rare: RARE_TERM };

const LISTS: ListSpec[] = [
  {
    name: "API clients",
    path: "/api-clients",
    module: "app/(console)/api-clients/actions.ts",
    marker: "Atlas ",
    first: {},
    next: { action: "listApiClientsAction", arg: (after) => ({ after }), items: "items" },
    search: {
      action: "listApiClientsAction",
      arg: (search) => ({ search }),
      items: "items",
      terms: ROW_TERMS,
    },
  },
  {
    name: "Auth configs",
    path: "/auth-configs",
    module: "app/(console)/auth-configs/actions.ts",
    marker: "atlas-",
    first: {},
    next: { action: "listAuthConfigsAction", arg: (after) => ({ after }), items: "items" },
    search: {
      action: "listAuthConfigsAction",
      arg: (search) => ({ search }),
      items: "items",
      terms: ROW_TERMS,
    },
  },
  {
    name: "Audit log",
    path: "/audit",
    module: "app/(console)/audit/actions.ts",
    marker: "@example.com",
    next: { action: "listAuditEventsAction", arg: (cursor) => ({ cursor }), items: "events" },
    search: {
      action: "searchAuditActorsAction",
      arg: (prefix) => prefix,
      items: "actors",
      terms: { common: COMMON_ACTOR_PREFIX, rare: RARE_ACTOR_PREFIX },
    },
  },
];

const MEASURES = ["first page", "next page", "search: common", "search: rare"] as const;
type Measure = (typeof MEASURES)[number];

// ---------------------------------------------------------------------------------------------
// Options

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_SIZES = [100, 10_000, 100_000];
const MAX_SIZE = 1_000_000;
const GOAL = 1.3;
const READY_TIMEOUT_MS = 60_000;
/** One request that takes longer than this is a failure, not a figure. */
const REQUEST_TIMEOUT_MS = 60_000;
type Driver = "pglite" | "postgres";
const DRIVER_NAMES: Record<Driver, string> = { pglite: "PGlite", postgres: "PostgreSQL" };

interface Options {
  requests: number;
  warmup: number;
  /** The most one measure's timed requests may take; the warm-up gets half of it. */
  seconds: number;
  sizes: number[];
  drivers: Driver[];
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      requests: { type: "string" },
      warmup: { type: "string" },
      seconds: { type: "string" },
      sizes: { type: "string" },
      drivers: { type: "string" },
    },
  });
  const sizesText = values.sizes ?? process.env.BENCH_SIZES ?? DEFAULT_SIZES.join(",");
  const sizes = sizesText.split(",").map((size) => Number(size.trim().replaceAll("_", "")));
  if (
    sizes.length < 2 ||
    sizes.length > 5 ||
    sizes.some((size) => !Number.isInteger(size) || size < 1 || size > MAX_SIZE)
  ) {
    throw new Error(
      `--sizes must be 2 to 5 comma-separated integers from 1 to ${MAX_SIZE} (got "${sizesText}")`,
    );
  }
  const driversText = values.drivers ?? process.env.BENCH_DRIVERS ?? "pglite,postgres";
  const drivers = driversText.split(",").map((driver) => driver.trim());
  if (drivers.length === 0 || drivers.some((driver) => !(driver in DRIVER_NAMES))) {
    throw new Error(`--drivers must be pglite, postgres or both (got "${driversText}")`);
  }
  return {
    requests: readIntegerOption("requests", values.requests, 30, 200),
    warmup: readIntegerOption("warmup", values.warmup, 3, 20),
    seconds: readIntegerOption("seconds", values.seconds, 5, 60),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    drivers: [...new Set(drivers)] as Driver[],
  };
}

// ---------------------------------------------------------------------------------------------
// The server under test

/** Children this bench stopped itself between sizes: their exit is no failure. */
const stopping = new Set<ChildProcess>();

interface Server {
  child: ChildProcess;
  base: string;
}

async function startServer(env: NodeJS.ProcessEnv, label: string): Promise<Server> {
  const port = await freePort();
  const child = spawnServer(["server.ts"], {
    env: { ...env, HOST, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line) console.log(`  ${label} | ${line}`);
    });
  }
  child.once("exit", (code, signal) => {
    if (isFinishing() || stopping.has(child)) return;
    console.error(`The server exited during the bench (code ${code}, signal ${signal}).`);
    void finish(1);
  });
  const base = `http://${HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error("The server exited before it answered /api/health (its output is above).");
    }
    try {
      const response = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return { child, base };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The server did not answer /api/health within ${READY_TIMEOUT_MS / 1000} s.`);
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Requests, as the browser makes them

/** Each action's id, from the build's server reference manifest: its module and export name. */
function actionIds(): Map<string, string> {
  const file = path.join(PROJECT_ROOT, ".next", "server", "server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.filename && entry.exportedName)
      ids.set(`${entry.filename}#${entry.exportedName}`, id);
  }
  return ids;
}

interface Request {
  url: string;
  init: RequestInit;
  /** Throws unless the answer is a right one: a bench that times error pages is worthless. */
  check(status: number, body: string): void;
}

interface Answer {
  ms: number;
  status: number;
  body: string;
}

async function send(request: Request): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await response.text();
    return { ms: performance.now() - started, status: response.status, body };
  } catch (error) {
    // fetch says "fetch failed" and keeps the reason in `cause`.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const seconds = formatNumber((performance.now() - started) / 1000, 1);
    throw new Error(
      `${request.init.method ?? "GET"} ${request.url} failed after ${seconds} s (${reason})`,
    );
  }
}

function pageRequest(base: string, list: ListSpec, cookie: string): Request {
  return {
    url: `${base}${list.path}`,
    init: { headers: { accept: "text/html", cookie } },
    check(status, body) {
      if (status !== 200) throw new Error(`GET ${list.path} answered ${status}, not 200`);
      if (!body.includes(list.marker)) {
        throw new Error(`GET ${list.path} shows no seeded row (no "${list.marker}" in the HTML)`);
      }
    },
  };
}

/**
 * A server action as React's client calls it: POSTed to the page with the action's id and the
 * arguments as JSON. `check` receives the action's return value.
 */
function actionRequest(
  base: string,
  list: ListSpec,
  cookie: string,
  ids: Map<string, string>,
  action: string,
  arg: unknown,
  check: (result: Record<string, unknown>) => void,
): Request {
  const id = ids.get(`${list.module}#${action}`);
  if (!id) {
    throw new Error(
      `${action} is not in ${list.module} according to .next/server/server-reference-manifest.json (a stale build?)`,
    );
  }
  const what = `${action}(${JSON.stringify(arg)})`;
  return {
    url: `${base}${list.path}`,
    init: {
      method: "POST",
      headers: {
        "next-action": id,
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
        origin: base,
        cookie,
      },
      body: JSON.stringify([arg]),
    },
    check(status, body) {
      if (status !== 200) throw new Error(`${what} answered ${status}, not 200`);
      const result = actionResult(body);
      if (result.ok !== true) {
        throw new Error(`${what} answered ${JSON.stringify(result).slice(0, 300)}`);
      }
      check(result);
    },
  };
}

/**
 * The action's return value from React's flight answer: row 0 names the row that holds it
 * (`"a":"$@1"`), and that row is its JSON.
 */
function actionResult(body: string): Record<string, unknown> {
  const rows = new Map<string, string>();
  for (const line of body.split("\n")) {
    const match = /^([0-9a-f]+):(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) rows.set(match[1], match[2]);
  }
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
  const reference = typeof root?.a === "string" ? /^\$@([0-9a-f]+)$/.exec(root.a)?.[1] : undefined;
  const row = reference === undefined ? undefined : rows.get(reference);
  if (row === undefined) throw new Error(`no action result in the answer: ${body.slice(0, 300)}`);
  const result = JSON.parse(row) as unknown;
  if (typeof result !== "object" || result === null) {
    throw new Error(`the action answered ${row.slice(0, 300)}`);
  }
  return result as Record<string, unknown>;
}

function itemsOf(result: Record<string, unknown>, key: string, what: string): unknown[] {
  const items = result[key];
  if (!Array.isArray(items) || items.length === 0) {
    throw new Error(`${what} answered no ${key}: ${JSON.stringify(result).slice(0, 300)}`);
  }
  return items;
}

/** The first page's cursor: from the first-page action, or else from the page's HTML. */
async function firstCursor(
  base: string,
  list: ListSpec,
  cookie: string,
  ids: Map<string, string>,
): Promise<string> {
  if (list.first === undefined) {
    const { status, body } = await send(pageRequest(base, list, cookie));
    pageRequest(base, list, cookie).check(status, body);
    // The render hands the first page to the client view; the cursor is in its JSON, escaped.
    const cursor = /nextCursor\\*":\\*"([A-Za-z0-9_-]+)\\*"/.exec(body)?.[1];
    if (!cursor) throw new Error(`GET ${list.path} carries no nextCursor: too few rows?`);
    return cursor;
  }
  let cursor: unknown;
  const request = actionRequest(base, list, cookie, ids, list.next.action, list.first, (result) => {
    itemsOf(result, list.next.items, `${list.next.action} (first page)`);
    cursor = result.nextCursor;
  });
  const { status, body } = await send(request);
  request.check(status, body);
  if (typeof cursor !== "string" || cursor === "") {
    throw new Error(`${list.next.action} gave the first page no nextCursor: too few rows?`);
  }
  return cursor;
}

/**
 * The detail of a row deep in each seeded list renders: for an auth config that means its sealed
 * columns open with the server's key, for an API client that its till and permissions are there.
 * Not timed; it catches a seed that the lists alone would not show to be wrong.
 */
async function checkDetails(base: string, cookie: string, size: number): Promise<void> {
  const ids = seededIds(rareRow(size));
  const details = [
    { path: `/auth-configs?id=${ids.authConfig}`, expect: SEEDED_TOKEN_URL },
    { path: `/api-clients?id=${ids.apiClient}`, expect: "Bench till" },
  ];
  for (const detail of details) {
    const { status, body } = await send({
      url: `${base}${detail.path}`,
      init: { headers: { accept: "text/html", cookie } },
      check() {},
    });
    if (status !== 200 || !body.includes(detail.expect)) {
      throw new Error(`GET ${detail.path} answered ${status} without "${detail.expect}"`);
    }
  }
}

function requestsFor(
  base: string,
  list: ListSpec,
  cookie: string,
  ids: Map<string, string>,
  cursor: string,
): Record<Measure, Request> {
  const { next, search } = list;
  const searchFor = (term: string) =>
    actionRequest(base, list, cookie, ids, search.action, search.arg(term), (result) => {
      const items = itemsOf(result, search.items, `${search.action}("${term}")`);
      if (!JSON.stringify(items).toLowerCase().includes(term)) {
        throw new Error(`${search.action}("${term}") found items without "${term}"`);
      }
    });
  return {
    "first page": pageRequest(base, list, cookie),
    "next page": actionRequest(base, list, cookie, ids, next.action, next.arg(cursor), (result) => {
      itemsOf(result, next.items, `${next.action} (next page)`);
    }),
    "search: common": searchFor(search.terms.common),
    "search: rare": searchFor(search.terms.rare),
  };
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Timing {
  medianMs: number;
  p90Ms: number;
  count: number;
  /** The server process's CPU per request, in ms; undefined where /proc could not say. */
  serverCpuMs: number | undefined;
  /** PostgreSQL only: its backends' CPU per request for this database, in ms. */
  databaseCpuMs: number | undefined;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

type Backends = Awaited<ReturnType<typeof watchBackends>>;

async function time(
  request: Request,
  options: Options,
  server: Server,
  backends: Backends | undefined,
): Promise<Timing> {
  const run = async () => {
    const answer = await send(request);
    request.check(answer.status, answer.body);
    return answer.ms;
  };
  const warmupUntil = performance.now() + (options.seconds * 1000) / 2;
  for (let index = 0; index < options.warmup && performance.now() < warmupUntil; index++) {
    await run();
  }
  const pid = server.child.pid ?? -1;
  const cpuBefore = cpuMicros(pid);
  const databaseBefore = await backends?.cpu();
  const until = performance.now() + options.seconds * 1000;
  const times: number[] = [];
  while (times.length < options.requests && (times.length === 0 || performance.now() < until)) {
    times.push(await run());
  }
  const cpuAfter = cpuMicros(pid);
  const databaseUs =
    backends && databaseBefore ? backendCpuSince(databaseBefore, await backends.cpu()) : undefined;
  return {
    medianMs: median(times),
    p90Ms: percentile(times, 0.9),
    count: times.length,
    serverCpuMs:
      cpuBefore !== undefined && cpuAfter !== undefined
        ? (cpuAfter - cpuBefore) / 1000 / times.length
        : undefined,
    databaseCpuMs: databaseUs === undefined ? undefined : databaseUs / 1000 / times.length,
  };
}

// ---------------------------------------------------------------------------------------------
// One driver at one size: seed, start, measure, stop, clean up.

type Results = Map<string, Map<number, Timing>>;
const resultKey = (list: ListSpec, measure: Measure) => `${list.name}\u0000${measure}`;

async function postgresServerUrl(): Promise<string | undefined> {
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  try {
    const probe = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
    await probe.connect();
    await probe.end();
    return serverUrl;
  } catch {
    console.log(`PostgreSQL at ${serverUrl} is unreachable: its part is skipped.`);
    return undefined;
  }
}

async function measureSize(
  driver: Driver,
  size: number,
  options: Options,
  context: {
    keys: string;
    keyring: Keyring;
    ids: Map<string, string>;
    postgresUrl?: string;
    results: Results;
  },
): Promise<void> {
  const { keyring } = context;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "authdesk-bench-lists-"));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  afterChildrenStop(removeDataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    AUTHDESK_DATA_DIR: dataDir,
    AUTHDESK_ENCRYPTION_KEYS: context.keys,
  };
  delete env.DATABASE_URL;
  let dropDatabase = async () => {};
  let seeded: Seeded;
  if (driver === "postgres") {
    const serverUrl = context.postgresUrl ?? DEFAULT_DATABASE_URL;
    const name = `authdesk_bench_lists_${Math.random().toString(16).slice(2, 10)}`;
    await runOnServer(serverUrl, `create database ${name}`);
    dropDatabase = () => runOnServer(serverUrl, `drop database if exists ${name} with (force)`);
    afterChildrenStop(dropDatabase);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    const handle = await openPostgres(env.DATABASE_URL, 4);
    try {
      seeded = await seedLists(handle, keyring, size);
    } finally {
      await handle.close();
    }
  } else {
    // PGlite is one process's database: seeded here and closed before the server opens it.
    const handle = await openPglite(path.join(dataDir, "pglite"));
    try {
      seeded = await seedLists(handle, keyring, size);
    } finally {
      await handle.close();
    }
  }
  console.log(
    `\n${DRIVER_NAMES[driver]}, ${formatNumber(size)} rows per list: seeded in ${formatNumber(seeded.seconds, 1)} s (` +
      Object.entries(seeded.steps)
        .map(([step, seconds]) => `${step} ${formatNumber(seconds, 1)} s`)
        .join(", ") +
      ")",
  );

  const server = await startServer(env, `server ${driver} ${size}`);
  const backends = env.DATABASE_URL ? await watchBackends(env.DATABASE_URL) : undefined;
  try {
    await checkDetails(server.base, seeded.cookie, size);
    for (const list of LISTS) {
      const cursor = await firstCursor(server.base, list, seeded.cookie, context.ids);
      const requests = requestsFor(server.base, list, seeded.cookie, context.ids, cursor);
      for (const measure of MEASURES) {
        const timing = await time(requests[measure], options, server, backends);
        const key = resultKey(list, measure);
        if (!context.results.has(key)) context.results.set(key, new Map());
        context.results.get(key)?.set(size, timing);
        console.log(
          `  ${list.name.padEnd(13)} ${measure.padEnd(15)} ${formatNumber(timing.medianMs, 1).padStart(8)} ms median, ` +
            `p90 ${formatNumber(timing.p90Ms, 1)} ms, ${timing.count} requests, ` +
            `server CPU ${formatNumber(timing.serverCpuMs, 1)} ms/req` +
            (timing.databaseCpuMs === undefined
              ? ""
              : `, postgres ${formatNumber(timing.databaseCpuMs, 1)} ms/req`),
        );
      }
    }
  } finally {
    await backends?.close();
    await stopServer(server);
    await dropDatabase();
    removeDataDir();
  }
}

// ---------------------------------------------------------------------------------------------
// Tables

function ratioCell(ratio: number): string {
  if (!Number.isFinite(ratio)) return "n/a";
  return `${formatNumber(ratio, 2)}×${ratio > GOAL ? " !" : "  "}`;
}

function printTables(driver: Driver, options: Options, results: Results): void {
  const smallest = options.sizes[0] ?? 0;
  const largest = options.sizes.at(-1) ?? 0;
  const ratioHeading = `${formatNumber(largest)} ÷ ${formatNumber(smallest)}`;
  const widths = { list: 13, measure: 15, cell: 23, ratio: Math.max(11, ratioHeading.length) };
  const heading = [
    "list".padEnd(widths.list),
    "measure".padEnd(widths.measure),
    ...options.sizes.map((size) => formatNumber(size).padStart(widths.cell)),
    ratioHeading.padStart(widths.ratio),
  ].join(" ");
  const rule = "-".repeat(heading.length);

  const table = (title: string, cell: (timing: Timing) => string, value: (t: Timing) => number) => {
    console.log(`\n${title}\n${heading}\n${rule}`);
    for (const list of LISTS) {
      for (const measure of MEASURES) {
        const bySize = results.get(resultKey(list, measure));
        const first = bySize?.get(smallest);
        const last = bySize?.get(largest);
        const ratio = first && last ? value(last) / value(first) : Number.NaN;
        console.log(
          [
            list.name.padEnd(widths.list),
            measure.padEnd(widths.measure),
            ...options.sizes.map((size) => {
              const timing = bySize?.get(size);
              return (timing ? cell(timing) : "n/a").padStart(widths.cell);
            }),
            ratioCell(ratio).padStart(widths.ratio),
          ].join(" "),
        );
      }
    }
  };

  const name = DRIVER_NAMES[driver];
  const fewer = (timing: Timing) => (timing.count < options.requests ? ` [${timing.count}]` : "");
  table(
    `${name}: time per request, ms: median (p90) of ${options.requests} sequential requests ([n]: fewer fitted in ${options.seconds} s)`,
    (timing) =>
      `${formatNumber(timing.medianMs, 1)} (${formatNumber(timing.p90Ms, 1)})${fewer(timing)}`,
    (timing) => timing.medianMs,
  );
  const totalCpu = (timing: Timing) =>
    timing.serverCpuMs === undefined
      ? Number.NaN
      : timing.serverCpuMs + (timing.databaseCpuMs ?? 0);
  table(
    driver === "postgres"
      ? `${name}: CPU per request, ms: server + postgres backends (ratio of the sum)`
      : `${name}: server CPU per request, ms (PGlite runs inside the server)`,
    (timing) =>
      timing.databaseCpuMs === undefined
        ? formatNumber(timing.serverCpuMs, 1)
        : `${formatNumber(timing.serverCpuMs, 1)} + ${formatNumber(timing.databaseCpuMs, 1)}`,
    totalCpu,
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = readOptions();
  if (!existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"))) {
    console.error("No production build in .next: run `npm run build` first, then this bench.");
    process.exit(1);
  }
  stopServersOnSignals("server");
  const ids = actionIds();
  const drivers = options.drivers;
  const postgresUrl = drivers.includes("postgres") ? await postgresServerUrl() : undefined;
  const runnable = drivers.filter((driver) => driver !== "postgres" || postgresUrl);
  const measures = runnable.length * options.sizes.length * LISTS.length * MEASURES.length;
  // Every measure stops at `seconds` (its warm-up at half that), so this bounds the load; the
  // overhead is seeding (about 3 s per 10,000 rows per list here) and a server start per size.
  const loadSeconds = Math.ceil(measures * options.seconds * 1.5);
  const rows = options.sizes.reduce((total, size) => total + size, 0);
  const overheadSeconds = runnable.length * (options.sizes.length * 10 + Math.ceil(rows / 3_000));
  console.log(
    `Lists bench: ${LISTS.map((list) => list.name).join(", ")} at ${options.sizes.map((size) => formatNumber(size)).join(" / ")} rows ` +
      `on ${runnable.map((driver) => DRIVER_NAMES[driver]).join(" and ")}; per measure ${options.warmup} warm-up and ` +
      `${options.requests} timed sequential requests, at most ${options.seconds} s.`,
  );
  console.log(machineSummary());
  announceRuntime(loadSeconds, overheadSeconds);

  // One throwaway key for the whole run: the servers get it, and the seed seals with it.
  const keys = generateKeyEntry(1);
  const keyring = parseKeyring(keys);
  const byDriver = new Map<Driver, Results>();
  for (const driver of runnable) {
    const results: Results = new Map();
    byDriver.set(driver, results);
    for (const size of options.sizes) {
      await measureSize(driver, size, options, { keys, keyring, ids, postgresUrl, results });
    }
  }
  for (const [driver, results] of byDriver) printTables(driver, options, results);
  console.log(`\n! above the ${GOAL}× goal.`);
  console.log(`Load average after: ${loadAverage()}; ${machineSummary()}`);
  await finish(0);
}

main().catch(failBench);
