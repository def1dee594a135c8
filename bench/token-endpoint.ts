/**
 * Our OAuth token endpoint and a Bearer-protected route of ours, each against references on the
 * same machine, one server loaded at a time, with the CPU each costs the whole system per request:
 *
 * 1. `POST /oauth/token` (client credentials, client_secret_basic) on the production build,
 *    served by the real `server.ts` with PostgreSQL, against `oidc-provider`'s token endpoint
 *    (client-credentials grant, its in-memory defaults) in its own child process.
 * 2. `POST /api/v1/auth-configs/{identifier}/token` with a Bearer token (the only Bearer-protected
 *    route there is; it answers from the token broker's cache, pointed at a tiny token server in
 *    this process) against two `node:http` handlers, each in its own child process:
 *    - the reference, which does the same token check as our route with a pg prepared statement
 *      (a named query) per request: the signature, then the database's clock, the client, its
 *      permissions and the revocation list in one statement, then the expiry and scope checks,
 *      answering the same JSON shape with the same security headers;
 *    - the floor, which answers fixed JSON and checks nothing: no route can beat it, and our goal
 *      for a Bearer-protected route is at least half its requests/s.
 *
 * CPU per request is counted for the whole system: the server's process (and its children), plus
 * the PostgreSQL backends serving it, found in pg_stat_activity by the application_name each
 * server's connection string sets, read from /proc. oidc-provider and the floor have no database.
 * The load generator (autocannon, in this process) is counted on neither side.
 *
 * The bench creates its own database on DATABASE_URL's server (default
 * postgres://postgres@127.0.0.1:5432/postgres), seeds API clients and an auth config, and drops
 * the database at the end. Each server is warmed up, then loaded by autocannon at 10 and 50
 * connections, the servers of a comparison alternating round after round (the order reverses each
 * round); each round is a pair (or a triple), and the ratios ours / reference are the medians of
 * the per-round ratios, for requests/s and for the system's CPU per request.
 *
 *   npm run build && npm run bench:token -- [--rounds 3] [--seconds 10] [--warmup 10] [--connections N]
 *
 * `--connections N` measures at N only. The same knobs can be set as BENCH_ROUNDS, BENCH_SECONDS,
 * BENCH_WARMUP and BENCH_CONNECTIONS. For diagnosis, BENCH_CPU_PROF=<dir> writes a V8 CPU profile
 * of our server (all of its runs) into <dir>, BENCH_SYNCHRONOUS_COMMIT=off sets that on the
 * bench's database, and BENCH_ONLY=token or BENCH_ONLY=bearer runs one comparison. Not part of
 * `npm test`.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { type DatabaseHandle, migrateDatabase, openPostgres, queryRows } from "@/db/client";
import { apiClientPermissions, apiClients } from "@/db/schema";
import { clientSecretBasicHeader, insertClient, insertTill } from "@/lib/api/api.testing";
import { generateCredential } from "@/lib/api-clients/credentials";
import {
  insertTestAdmin,
  seedConfig,
  sendJson,
  startFakeTokenServer,
  startOidcServer,
} from "@/lib/auth-configs/token-broker.testing";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { applyApiSecurityHeaders } from "@/lib/http/security-headers";
import { createAccessTokenSigner } from "@/lib/oauth/access-tokens";
import { effectiveScopes, type PermissionRow } from "@/lib/oauth/client-scopes";
import {
  afterChildrenStop,
  announceRuntime,
  type BackendWatch,
  BENCH_FLAGS,
  type BenchOptions,
  backendCpuSince,
  cpuMicros,
  endedBackends,
  failBench,
  finish,
  formatNumber,
  freePort,
  HOST,
  isFinishing,
  type LoadRequest,
  loadAverage,
  machineSummary,
  measure,
  median,
  medianSample,
  PROJECT_ROOT,
  readBenchOptions,
  type Sample,
  spawnServer,
  stopServersOnSignals,
  watchBackends,
} from "./support";

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const CONFIG_IDENTIFIER = "bench-config";
const API_PATH = `/api/v1/auth-configs/${CONFIG_IDENTIFIER}/token`;
const OIDC_SCOPE = "api:read";
/** What the seeded auth config's token server answers; the broker then serves it from its cache. */
const UPSTREAM_TOKEN = "upstream-token";
/** Start-up (database, migrations, Next's prepare, four children), checks and pauses, roughly. */
const OVERHEAD_SECONDS = 40;
const READY_TIMEOUT_MS = 60_000;
/** The quota must never answer 429 during the bench: the schema's maximum. */
const RATE_LIMIT = "10000000";
/** How each server's PostgreSQL connections name themselves, so their backends can be told apart. */
const APPLICATION_NAME = { ours: "authdesk-bench-ours", reference: "authdesk-bench-reference" };

// ---------------------------------------------------------------------------------------------
// Child side: oidc-provider, the reference token check or the floor, one per process.

async function serveOidc(): Promise<void> {
  const clientId = process.env.BENCH_OIDC_CLIENT_ID ?? "";
  const clientSecret = process.env.BENCH_OIDC_CLIENT_SECRET ?? "";
  // oidc-provider with the client-credentials grant and its own defaults otherwise (in-memory
  // adapter, opaque tokens); the test helper adds only a request counter in front.
  const server = await startOidcServer({
    clients: [{ clientId, clientSecret, authMethod: "client_secret_basic" }],
    ttlSeconds: 600,
  });
  process.once("SIGTERM", () => void server.close().finally(() => process.exit(0)));
  process.once("disconnect", () => process.exit(0));
  process.stdout.write(`READY ${new URL(server.tokenUrl).port}\n`);
}

/**
 * The reference for a Bearer-protected route: what findActive (lib/oauth/tokens.ts), the /api
 * middleware and the route check, written plainly on node:http and pg. The same signature check
 * (our signer), then one prepared statement per request (pg's named query, planned once per
 * connection) reading the same rows as ours: the database's clock, the client by primary key,
 * its permissions and the token id on the revocation list. Then the same expiry (database clock),
 * effective-scope and required-scope checks, and the same JSON shape and headers.
 *
 * What ours does besides, and this does not: it batches the lookups of requests that arrive
 * together into one statement, spends the client's quota (in memory between leases), notes the
 * client's last use (a write at most once a minute), routes through Hono with the route's
 * OpenAPI validation, and takes the token from the broker's cache.
 */
const REFERENCE_STATEMENT = "bench_reference_check_token";
const REFERENCE_SQL = `select extract(epoch from now())::float8 as now,
  exists(select 1 from revoked_access_tokens r where r.token_id = $2) as revoked,
  c.client_key, c.till_id,
  coalesce((
    select json_agg(json_build_object('slug', g.slug, 'level', p.level))
    from api_client_permissions p join api_groups g on g.id = p.group_id
    where p.client_id = c.id
  ), '[]'::json) as permissions
from api_clients c where c.id = $1`;
/** The route's requireAnyScope. */
const REQUIRED_SCOPES = ["all:read", "all:write"];
/** RFC 6750 §2.1, as lib/api-auth/authenticate.ts checks it. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

interface ReferenceRow {
  now: number;
  revoked: boolean;
  client_key: string;
  till_id: string;
  permissions: PermissionRow[];
}

async function serveReference(): Promise<void> {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  const signer = createAccessTokenSigner(parseKeyring(process.env.AUTHDESK_ENCRYPTION_KEYS ?? ""));
  // What the broker's cache hands our route; serialised per request, as our route does.
  const cached = {
    accessToken: UPSTREAM_TOKEN,
    tokenType: "Bearer",
    expiresAt: new Date(Date.now() + 86_400_000),
    scope: null,
  };
  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    applyApiSecurityHeaders(res, false);
    res
      .writeHead(status, {
        "content-type": status === 200 ? "application/json" : "application/problem+json",
        "content-length": Buffer.byteLength(text),
        "cache-control": "no-store",
        pragma: "no-cache",
      })
      .end(text);
  };
  const refuse = (res: http.ServerResponse, status: number) =>
    answer(res, status, { type: "about:blank", status });
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.method !== "POST" || req.url !== API_PATH) return refuse(res, 404);
    if (req.headers.origin !== undefined || req.headers["sec-fetch-site"] !== undefined) {
      return refuse(res, 403);
    }
    const [scheme = "", ...rest] = (req.headers.authorization ?? "").trim().split(/ +/);
    if (scheme.toLowerCase() !== "bearer") return refuse(res, 401);
    const token = rest.join(" ");
    if (!B64TOKEN.test(token)) return refuse(res, 400);
    const claims = signer.verify(token);
    if (!claims) return refuse(res, 401);
    pool
      .query<ReferenceRow>({
        name: REFERENCE_STATEMENT,
        text: REFERENCE_SQL,
        values: [claims.clientId, claims.tokenId],
      })
      .then(
        ({ rows: [row] }) => {
          if (!row || row.revoked || claims.expiresAt <= row.now) return refuse(res, 401);
          const scopes = effectiveScopes(claims.scope, row.permissions);
          if (!REQUIRED_SCOPES.some((scope) => scopes.includes(scope))) return refuse(res, 403);
          answer(res, 200, {
            access_token: cached.accessToken,
            token_type: cached.tokenType,
            expires_at: cached.expiresAt.toISOString(),
            scope: cached.scope,
          });
        },
        () => refuse(res, 500),
      );
  });
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
  listenAndAnnounce(server);
}

/** The floor: node:http answering fixed JSON of the route's shape, checking nothing. */
function serveFloor(): void {
  const body = JSON.stringify({
    access_token: UPSTREAM_TOKEN,
    token_type: "Bearer",
    expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    scope: null,
  });
  const server = http.createServer((_req, res) => {
    res
      .writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      })
      .end(body);
  });
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
  process.once("disconnect", () => process.exit(0));
  listenAndAnnounce(server);
}

function listenAndAnnounce(server: http.Server): void {
  server.listen(0, HOST, () => {
    const address = server.address();
    process.stdout.write(`READY ${typeof address === "object" && address ? address.port : 0}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// Parent side.

interface Server {
  label: string;
  child: ChildProcess;
  base: string;
  /** Counts SQL queries (bench/query-counter.ts is preloaded); false for servers without SQL. */
  countsQueries: boolean;
  /** The application_name of its PostgreSQL connections; undefined when it has no database. */
  applicationName: string | undefined;
}

interface Side {
  server: Server;
  path: string;
  request: LoadRequest;
  /** What the server does per request, printed before the figures. */
  does: string;
}

interface Run {
  sample: Sample;
  /** SQL queries per response, counted in the server process. */
  queries: number | undefined;
  /** CPU of the PostgreSQL backends serving this server, per response, in µs; 0 without SQL. */
  dbCpuUs: number | undefined;
  /** The server's process plus its backends, per response, in µs. */
  systemCpuUs: number | undefined;
  /** Backends that ended during the run: their last CPU is missing from dbCpuUs. */
  endedBackends: number;
}

interface Comparison {
  part: "token" | "bearer";
  title: string;
  ours: Side;
  /** Each is paired with ours round by round; `goal` is the requests/s ratio we aim for. */
  others: { side: Side; goal?: number }[];
}

function watchExit(server: { label: string; child: ChildProcess }): void {
  server.child.once("exit", (code, signal) => {
    if (isFinishing()) return;
    console.error(`${server.label} exited during the bench (code ${code}, signal ${signal}).`);
    void finish(1);
  });
}

function pipeOutput(child: ChildProcess, label: string, onLine?: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) {
        if (!line) continue;
        if (onLine) onLine(line);
        if (!line.startsWith("READY ")) console.log(`  ${label} | ${line}`);
      }
    });
  }
}

type ChildKind = "oidc" | "reference" | "floor";

/** A child from this file (`--serve kind`) that prints `READY <port>` once it listens. */
function startChild(kind: ChildKind, label: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const preload = kind === "reference" ? ["--import", "./bench/query-counter.ts"] : [];
  const child = spawnServer([...preload, import.meta.filename, "--serve", kind], {
    env,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  watchExit({ label, child });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s`)), 60_000);
    pipeOutput(child, label, (line) => {
      const ready = /^READY (\d+)$/.exec(line);
      if (!ready) return;
      clearTimeout(timer);
      resolve({
        label,
        child,
        base: `http://${HOST}:${ready[1]}`,
        countsQueries: kind === "reference",
        applicationName: kind === "reference" ? APPLICATION_NAME.reference : undefined,
      });
    });
  });
}

async function startOurServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of our server there when it stops.
  const profile = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
    : [];
  const child = spawnServer([...profile, "--import", "./bench/query-counter.ts", "server.ts"], {
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const server: Server = {
    label: "authdesk",
    child,
    base: `http://${HOST}:${port}`,
    countsQueries: true,
    applicationName: APPLICATION_NAME.ours,
  };
  watchExit(server);
  pipeOutput(child, "authdesk");
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("server.ts exited before it answered /api/health");
    try {
      const response = await fetch(`${server.base}/api/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.status === 200) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`server.ts did not answer /api/health within ${READY_TIMEOUT_MS / 1000} s`);
}

function queryCount(server: Server): Promise<number | undefined> {
  if (!server.countsQueries) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 5_000);
    server.child.once("message", (message) => {
      clearTimeout(timer);
      resolve((message as { queries: number }).queries);
    });
    server.child.send("queries");
  });
}

/** One run: autocannon, plus the server's CPU, its backends' CPU and its queries around it. */
async function run(
  side: Side,
  seconds: number,
  connections: number,
  backends: BackendWatch,
): Promise<Run> {
  const { server } = side;
  const name = server.applicationName;
  const queriesBefore = await queryCount(server);
  const dbBefore = name ? await backends.cpu(name) : undefined;
  const sample = await measure(
    `${server.base}${side.path}`,
    seconds,
    connections,
    () => cpuMicros(server.child.pid ?? -1),
    side.request,
  );
  const dbAfter = name ? await backends.cpu(name) : undefined;
  const queriesAfter = await queryCount(server);
  const answered = sample.responses;
  const dbCpu = name ? backendCpuSince(dbBefore, dbAfter) : 0;
  const dbCpuUs = dbCpu !== undefined && answered > 0 ? dbCpu / answered : undefined;
  return {
    sample,
    queries:
      queriesBefore !== undefined && queriesAfter !== undefined && answered > 0
        ? (queriesAfter - queriesBefore) / answered
        : undefined,
    dbCpuUs,
    systemCpuUs:
      sample.cpuUs !== undefined && dbCpuUs !== undefined ? sample.cpuUs + dbCpuUs : undefined,
    endedBackends: endedBackends(dbBefore, dbAfter),
  };
}

// Columns of the tables: round, server, then figures; CPU columns are µs per request.
const COLUMNS: [heading: string, width: number][] = [
  ["round", 7],
  ["server", 24],
  ["req/s", 8],
  ["p50 ms", 7],
  ["p99 ms", 7],
  ["process", 8],
  ["+ PG", 6],
  ["= system", 9],
  ["queries", 8],
  ["non-2xx", 8],
];

function row(cells: string[]): string {
  return cells
    .map((cell, index) => {
      const width = COLUMNS[index]?.[1] ?? 0;
      return index < 2 ? cell.padEnd(width) : cell.padStart(width);
    })
    .join(" ");
}

function heading(): string {
  const header = row(COLUMNS.map(([title]) => title));
  return `${header}\n${"-".repeat(header.length)}`;
}

/** `values`' median, or undefined unless every value is there. */
function medianOf(values: (number | undefined)[]): number | undefined {
  return values.every((value) => value !== undefined) ? median(values) : undefined;
}

function runRow(label: string, server: string, runs: Run[]): string {
  const sample = medianSample(runs.map((r) => r.sample));
  return row([
    label,
    server,
    formatNumber(sample.rps),
    formatNumber(sample.p50),
    formatNumber(sample.p99),
    formatNumber(sample.cpuUs),
    formatNumber(medianOf(runs.map((r) => r.dbCpuUs))),
    formatNumber(medianOf(runs.map((r) => r.systemCpuUs))),
    formatNumber(medianOf(runs.map((r) => r.queries)), 2),
    String(sample.failures),
  ]);
}

/** "1.29× (pairs 1.38, 1.29, 1.21)", or n/a when a pair lacks the figure. */
function ratioText(ratios: number[]): string {
  if (ratios.some((ratio) => !Number.isFinite(ratio))) return "n/a";
  return `${formatNumber(median(ratios), 2)}× (pairs ${ratios.map((r) => formatNumber(r, 2)).join(", ")})`;
}

async function expectOk(
  label: string,
  url: string,
  request: LoadRequest,
  check: (body: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  if (response.status !== 200 || !check(body)) {
    throw new Error(
      `${label}: expected 200 and a token, got ${response.status} ${text.slice(0, 300)}`,
    );
  }
  return body;
}

const statusOf = async (url: string, init: RequestInit) => {
  const response = await fetch(url, init);
  await response.body?.cancel();
  return response.status;
};

async function compare(
  comparison: Comparison,
  levels: number[],
  options: BenchOptions,
  backends: BackendWatch,
): Promise<{ failures: number; ratios: string[] }> {
  const sides = [comparison.ours, ...comparison.others.map((other) => other.side)];
  console.log(`\n${comparison.title}: what each server does per request`);
  for (const side of sides) console.log(`  ${side.server.label}: ${side.does}`);
  console.log("");
  const warmConnections = Math.max(...levels);
  for (const side of sides) {
    console.log(
      `warm-up ${side.server.label} (${options.warmup} s, ${warmConnections} connections)`,
    );
    await run(side, options.warmup, warmConnections, backends);
  }
  let failures = 0;
  const ratios: string[] = [];
  for (const connections of levels) {
    const runs: Run[][] = sides.map(() => []);
    for (let round = 1; round <= options.rounds; round++) {
      // Reverse the order every other round, so no server always runs on another's leftovers.
      const order = sides.map((_, index) => index);
      if (round % 2 === 0) order.reverse();
      for (const index of order) {
        const side = sides[index] as Side;
        const result = await run(side, options.seconds, connections, backends);
        runs[index]?.push(result);
        failures += result.sample.failures;
        const ended =
          result.endedBackends > 0
            ? `, ${result.endedBackends} backend${result.endedBackends > 1 ? "s" : ""} ended (CPU undercounted)`
            : "";
        console.log(
          `${connections} conn, round ${round}/${options.rounds} ${side.server.label.padEnd(24)} ` +
            `${formatNumber(result.sample.rps)} req/s, p99 ${formatNumber(result.sample.p99)} ms, ` +
            `CPU µs/req: process ${formatNumber(result.sample.cpuUs)} + PostgreSQL ` +
            `${formatNumber(result.dbCpuUs)} = ${formatNumber(result.systemCpuUs)}, ` +
            `${formatNumber(result.queries, 2)} queries/req, non-2xx ${result.sample.failures}${ended}`,
        );
      }
    }
    console.log(
      `\n${comparison.title}, ${connections} connections (CPU columns: µs per request; ` +
        "a median row takes each column's own median, so process + PG need not add up)",
    );
    console.log(heading());
    for (let index = 0; index < options.rounds; index++) {
      for (const [sideIndex, side] of sides.entries()) {
        const result = runs[sideIndex]?.[index];
        if (result) console.log(runRow(String(index + 1), side.server.label, [result]));
      }
    }
    for (const [sideIndex, side] of sides.entries()) {
      console.log(runRow("median", side.server.label, runs[sideIndex] ?? []));
    }
    const ours = runs[0] ?? [];
    for (const [otherIndex, other] of comparison.others.entries()) {
      const theirs = runs[otherIndex + 1] ?? [];
      const rps = ours.map((r, i) => r.sample.rps / (theirs[i]?.sample.rps ?? Number.NaN));
      const cpu = ours.map(
        (r, i) => (r.systemCpuUs ?? Number.NaN) / (theirs[i]?.systemCpuUs ?? Number.NaN),
      );
      const goal = other.goal === undefined ? "" : ` (goal ≥ ${formatNumber(other.goal, 1)}×)`;
      const line =
        `${comparison.ours.server.label} / ${other.side.server.label}, ${comparison.part} at ${connections} connections: ` +
        `requests/s ${ratioText(rps)}${goal}; system CPU per request ${ratioText(cpu)}`;
      console.log(line);
      ratios.push(line);
    }
    console.log("");
  }
  return { failures, ratios };
}

/** A fresh database on the server DATABASE_URL names, dropped by finish(). */
async function createBenchDatabase(adminUrl: string): Promise<string> {
  const name = `authdesk_bench_token_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    if (process.env.BENCH_SYNCHRONOUS_COMMIT === "off") {
      // Diagnosis only: commits stop waiting for the WAL flush, which shows what that wait costs.
      await admin.query(`alter database ${name} set synchronous_commit = off`);
      console.log(`Diagnosis run: synchronous_commit = off for ${name}.`);
    }
  } finally {
    await admin.end();
  }
  afterChildrenStop(async () => {
    await backendWatch?.close();
    await benchDatabase?.close();
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    try {
      await dropper.query(`drop database if exists ${name} with (force)`);
      console.log(`Dropped database ${name}.`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function withApplicationName(databaseUrl: string, applicationName: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("application_name", applicationName);
  return url.toString();
}

let benchDatabase: DatabaseHandle | undefined;
let backendWatch: BackendWatch | undefined;

async function main(flags: Partial<Record<keyof BenchOptions, string>>): Promise<void> {
  const options = readBenchOptions(flags, { rounds: 3, seconds: 10, warmup: 10 });
  const fixedConnections = flags.connections ?? process.env.BENCH_CONNECTIONS;
  const levels = fixedConnections ? [options.connections] : [10, 50];
  const only = process.env.BENCH_ONLY;
  if (only !== undefined && only !== "token" && only !== "bearer") {
    throw new Error(`BENCH_ONLY must be token or bearer (got "${only}")`);
  }
  if (!existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"))) {
    console.error("No production build in .next: run `npm run build` first, then this bench.");
    process.exit(1);
  }
  // Two servers in the token comparison, three in the Bearer one; each warmed up once per part.
  const servers = (only === "bearer" ? 0 : 2) + (only === "token" ? 0 : 3);
  const loadSeconds = servers * (options.warmup + levels.length * options.rounds * options.seconds);
  console.log(
    `Token bench, ${new Date().toISOString()}: POST /oauth/token (authdesk, PostgreSQL) vs ` +
      `oidc-provider, then ${API_PATH} (Bearer) vs a node:http reference doing the same checks ` +
      `and a node:http fixed-JSON floor; ${options.rounds} rounds × ${options.seconds} s per ` +
      `server at ${levels.join(" and ")} connections, ${options.warmup} s warm-up per server.`,
  );
  console.log(
    "CPU per request is the whole system's: the server's process plus the PostgreSQL backends " +
      "serving it (by application_name, from /proc). The load generator, in this process, is " +
      "counted on neither side.",
  );
  announceRuntime(loadSeconds, OVERHEAD_SECONDS);

  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const databaseUrl = await createBenchDatabase(adminUrl);
  const keyEntry = generateKeyEntry(1);
  benchDatabase = await openPostgres(withApplicationName(databaseUrl, "authdesk-bench-seed"), 2);
  await migrateDatabase(benchDatabase);
  const { db } = benchDatabase;
  const [version] = await queryRows<{ server_version: string }>(db, sql`show server_version`);
  backendWatch = await watchBackends(withApplicationName(databaseUrl, "authdesk-bench-watch"));
  const backends = backendWatch;

  // Our API clients: the bench's (all:read, which the auth-config route wants; tokens good for
  // the whole bench), and two whose tokens the checks below make invalid.
  const till = await insertTill(db);
  const client = await insertClient(db, {
    tillId: till.id,
    permissions: { all: "read" },
    tokenTtlMinutes: 1440,
  });
  const toDelete = await insertClient(db, { tillId: till.id, permissions: { all: "read" } });
  const toStrip = await insertClient(db, { tillId: till.id, permissions: { all: "read" } });
  // The auth config's token server: answers once, then the broker serves its cache.
  const upstream = await startFakeTokenServer();
  afterChildrenStop(() => upstream.close());
  upstream.respond((_req, res) =>
    sendJson(res, 200, {
      access_token: UPSTREAM_TOKEN,
      token_type: "Bearer",
      expires_in: 86_400,
    }),
  );
  const admin = await insertTestAdmin(db);
  await seedConfig(db, parseKeyring(keyEntry), admin, {
    identifier: CONFIG_IDENTIFIER,
    tokenUrl: upstream.url(),
    clientId: "bench-upstream-client",
    clientSecret: "bench-upstream-secret",
    apiAccess: { mode: "all" },
  });

  const ours = await startOurServer({
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST,
    DATABASE_URL: withApplicationName(databaseUrl, APPLICATION_NAME.ours),
    AUTHDESK_ENCRYPTION_KEYS: keyEntry,
    AUTHDESK_API_RATE_LIMIT: RATE_LIMIT,
    AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS: "true",
  });
  const oidcSecret = generateCredential("client_secret");
  const oidc = await startChild("oidc", "oidc-provider", {
    ...process.env,
    BENCH_OIDC_CLIENT_ID: "bench-client",
    BENCH_OIDC_CLIENT_SECRET: oidcSecret,
  });
  const reference = await startChild("reference", "node:http reference", {
    ...process.env,
    DATABASE_URL: withApplicationName(databaseUrl, APPLICATION_NAME.reference),
    AUTHDESK_ENCRYPTION_KEYS: keyEntry,
  });
  const floor = await startChild("floor", "node:http floor", { ...process.env });

  // Both token endpoints must issue tokens before any figure counts.
  const tokenRequest = (id: string, secret: string, scope: string): LoadRequest => ({
    method: "POST",
    headers: {
      authorization: clientSecretBasicHeader(id, secret),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope }).toString(),
  });
  const ourTokenRequest = tokenRequest(client.clientKey, client.secret, "all:read");
  const oidcTokenRequest = tokenRequest("bench-client", oidcSecret, OIDC_SCOPE);
  const hasToken = (body: Record<string, unknown>) => typeof body.access_token === "string";
  const issue = async (request: LoadRequest) =>
    String(
      (await expectOk("authdesk /oauth/token", `${ours.base}/oauth/token`, request, hasToken))
        .access_token,
    );
  const bearer = await issue(ourTokenRequest);
  await expectOk("oidc-provider /token", `${oidc.base}/token`, oidcTokenRequest, hasToken);
  const apiRequest: LoadRequest = {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}` },
  };
  // Same answer shape from all three Bearer servers.
  const shapes = new Set<string>();
  for (const server of [ours, reference, floor]) {
    const body = await expectOk(
      `${server.label} ${API_PATH}`,
      `${server.base}${API_PATH}`,
      apiRequest,
      hasToken,
    );
    shapes.add(Object.keys(body).sort().join(","));
  }
  if (shapes.size !== 1)
    throw new Error(`the Bearer servers answer different shapes: ${[...shapes].join(" | ")}`);

  // The checks that make a token invalid after it was issued, refused alike by ours and the
  // reference: a revoked token, a deleted client's token, a token whose scope the client lost.
  const revokedToken = await issue(ourTokenRequest);
  await statusOf(`${ours.base}/oauth/revoke`, {
    method: "POST",
    headers: ourTokenRequest.headers,
    body: new URLSearchParams({ token: revokedToken }).toString(),
  });
  const deletedToken = await issue(tokenRequest(toDelete.clientKey, toDelete.secret, "all:read"));
  await db.delete(apiClients).where(eq(apiClients.id, toDelete.id));
  const strippedToken = await issue(tokenRequest(toStrip.clientKey, toStrip.secret, "all:read"));
  await db.delete(apiClientPermissions).where(eq(apiClientPermissions.clientId, toStrip.id));
  const cases = [
    { what: "revoked token", token: revokedToken, expected: 401 },
    { what: "deleted client's token", token: deletedToken, expected: 401 },
    { what: "token whose client lost all:read", token: strippedToken, expected: 403 },
  ];
  const checked: string[] = [];
  for (const { what, token, expected } of cases) {
    const statuses = await Promise.all(
      [ours, reference].map((server) =>
        statusOf(`${server.base}${API_PATH}`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    if (statuses.some((status) => status !== expected)) {
      throw new Error(`${what}: expected ${expected} from both, got ${statuses.join(" / ")}`);
    }
    checked.push(`${what} ${statuses.join("/")}`);
  }
  console.log(
    `Checked: both token endpoints issue tokens; authdesk, the reference and the floor answer ` +
      `the same JSON shape; authdesk / the reference refuse a ${checked.join(", a ")}.`,
  );
  const probe = await backends.cpu(APPLICATION_NAME.ours);
  console.log(
    probe
      ? `PostgreSQL ${version?.server_version ?? "?"} runs on this machine: its backends' CPU is counted.\n`
      : `PostgreSQL runs on another machine: its backends' CPU cannot be read, so the system CPU is n/a.\n`,
  );

  const comparisons: Comparison[] = [
    {
      part: "token",
      title: "POST /oauth/token (client credentials, client_secret_basic)",
      ours: {
        server: ours,
        path: "/oauth/token",
        request: ourTokenRequest,
        does:
          "server.ts and Hono; form and Basic header parsed; one prepared statement (client by " +
          "key, its permissions, the failure counters, the database's clock), batched with the " +
          "requests that arrive meanwhile; SHA-256 of the secret, constant-time compare; scope " +
          "grant; token signed (HMAC-SHA-256), stored nowhere: valid on every instance and after " +
          "restarts, revocable at once through the revocation list every use checks",
      },
      others: [
        {
          side: {
            server: oidc,
            path: "/token",
            request: oidcTokenRequest,
            does:
              "Koa; client from its static in-memory configuration, the secret (kept in " +
              "plain) compared in constant time; scope checked against the client's; opaque " +
              "random token saved in its in-memory adapter, one LRU of 1,000 entries (at these " +
              "rates a token is evicted within a second), lost on restart, known to this " +
              "process only; no database",
          },
        },
      ],
    },
    {
      part: "bearer",
      title: `POST ${API_PATH} (Bearer)`,
      ours: {
        server: ours,
        path: API_PATH,
        request: apiRequest,
        does:
          "server.ts and Hono with the route's validation; browser headers refused; Bearer " +
          "parsed; signature checked; one prepared statement (database clock, client, its " +
          "permissions, revocation list) batched with the requests that arrive meanwhile; " +
          "expiry and effective-scope checks; quota spent (in memory between leases); last use " +
          "noted (a write at most once a minute); all:read required; token from the broker's " +
          "cache; security headers",
      },
      others: [
        {
          side: {
            server: reference,
            path: API_PATH,
            request: apiRequest,
            does:
              "node:http and pg; browser headers refused; Bearer parsed; the same signature " +
              "check; one prepared statement (named query) per request reading the same rows; " +
              "the same expiry, effective-scope and all:read checks; the same JSON shape and " +
              "security headers. No batching, quota, last-use note, router or broker",
          },
        },
        {
          side: {
            server: floor,
            path: API_PATH,
            request: apiRequest,
            does: "node:http answering a fixed JSON string; checks nothing, no database",
          },
          goal: 0.5,
        },
      ],
    },
  ];
  let failures = 0;
  const ratios: string[] = [];
  for (const comparison of comparisons.filter(({ part }) => !only || part === only)) {
    const result = await compare(comparison, levels, options, backends);
    failures += result.failures;
    ratios.push(...result.ratios);
  }
  console.log(
    "Ratios, ours / the other, each the median of the per-round ratios (higher requests/s and " +
      "lower system CPU per request are better for ours):",
  );
  for (const line of ratios) console.log(`  ${line}`);
  console.log(
    "System CPU = the server's process (and its children) + its PostgreSQL backends. " +
      "oidc-provider and the floor have no database: their process is the whole of it. On " +
      "PGlite the database would run inside our process and already be in its CPU.",
  );
  if (failures > 0) {
    console.log(
      `\nWarning: ${failures} responses were not 2xx or failed; the figures are suspect.`,
    );
  }
  console.log(`\nLoad average after: ${loadAverage()}; ${machineSummary()}`);
  await finish(failures > 0 ? 1 : 0);
}

const { values } = parseArgs({ options: { serve: { type: "string" }, ...BENCH_FLAGS } });
const serve: Record<ChildKind, () => Promise<void> | void> = {
  oidc: serveOidc,
  reference: serveReference,
  floor: serveFloor,
};
if (values.serve !== undefined) {
  const start = serve[values.serve as ChildKind];
  if (!start) {
    console.error(`unknown --serve ${values.serve}`);
    process.exit(1);
  }
  Promise.resolve()
    .then(start)
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
} else {
  stopServersOnSignals("servers");
  main(values).catch(failBench);
}
