/**
 * Our OAuth token endpoint and our token check on /api, each against a reference on the same
 * machine, one server loaded at a time:
 *
 * 1. `POST /oauth/token` (client credentials, client_secret_basic) on the production build,
 *    served by the real `server.ts` with PostgreSQL, against `oidc-provider`'s token endpoint
 *    (client-credentials grant, its in-memory defaults) in its own child process.
 * 2. `POST /api/v1/auth-configs/{identifier}/token` with a Bearer token (the only Bearer-protected
 *    route there is; it answers from the token broker's cache, pointed at a tiny token server in
 *    this process) against a bare `node:http` handler in its own child process that does the same
 *    token check: the token's signature, then one query by primary key for its client, the
 *    client's permissions and the revocation list, in the same database.
 *
 * The bench creates its own database on DATABASE_URL's server (default
 * postgres://postgres@127.0.0.1:5432/postgres), seeds an API client and an auth config, and
 * drops the database at the end. Each server is warmed up, then loaded by autocannon at 10 and 50
 * connections, ours and the reference alternating, round after round; it prints requests/s,
 * p50/p99, the server's CPU per request, PostgreSQL's CPU and the queries per request, and the
 * median of the pair-by-pair ratios ours / reference.
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
import { sql } from "drizzle-orm";
import pg from "pg";
import { type DatabaseHandle, migrateDatabase, openPostgres, queryRows } from "@/db/client";
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
import { createAccessTokenSigner } from "@/lib/oauth/access-tokens";
import {
  afterChildrenStop,
  announceRuntime,
  BENCH_FLAGS,
  type BenchOptions,
  cpuMicros,
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
  parentPid,
  readBenchOptions,
  type Sample,
  sampleRow,
  spawnServer,
  stopServersOnSignals,
  type TableLayout,
  tableHeading,
} from "./support";

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const CONFIG_IDENTIFIER = "bench-config";
const API_PATH = `/api/v1/auth-configs/${CONFIG_IDENTIFIER}/token`;
const OIDC_SCOPE = "api:read";
/** Start-up (database, migrations, Next's prepare, three children) and the pauses, roughly. */
const OVERHEAD_SECONDS = 30;
const READY_TIMEOUT_MS = 60_000;
/** The quota must never answer 429 during the bench: the schema's maximum. */
const RATE_LIMIT = "10000000";
const TABLE: TableLayout = { subject: "server", widths: [8, 22, 9, 7, 7, 11, 8], cpuDigits: 0 };

// ---------------------------------------------------------------------------------------------
// Child side: oidc-provider, or the bare token check, one per process.

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
 * The floor for a Bearer-protected route: node:http, pg and our signature check, doing the same
 * lookup as findActive (lib/oauth/tokens.ts) with the same SQL shape, one query per request
 * (ours batches the requests that arrive while one runs), then the same expiry and scope checks.
 */
const LOOKUP_SQL = `select extract(epoch from now())::float8 as now,
  exists(select 1 from revoked_access_tokens r where r.token_id = $2) as revoked,
  c.client_key, c.till_id,
  coalesce((
    select json_agg(json_build_object('slug', g.slug, 'level', p.level))
    from api_client_permissions p join api_groups g on g.id = p.group_id
    where p.client_id = c.id
  ), '[]'::json) as permissions
from api_clients c where c.id = $1`;

async function serveBare(): Promise<void> {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  });
  const body = JSON.stringify({
    access_token: "bare-handler-token",
    token_type: "Bearer",
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    scope: "api:read",
  });
  const answer = (res: http.ServerResponse, status: number, text: string) =>
    res
      .writeHead(status, {
        "content-type": status === 200 ? "application/json" : "application/problem+json",
        "content-length": Buffer.byteLength(text),
        "cache-control": "no-store",
      })
      .end(text);
  const signer = createAccessTokenSigner(parseKeyring(process.env.AUTHDESK_ENCRYPTION_KEYS ?? ""));
  const server = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== API_PATH) return answer(res, 404, "{}");
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? "");
    const claims = match?.[1] ? signer.verify(match[1]) : undefined;
    if (!claims) return answer(res, 401, "{}");
    req.resume();
    pool.query(LOOKUP_SQL, [claims.clientId, claims.tokenId]).then(
      (result) => {
        const row = result.rows[0] as
          | { now: number; revoked: boolean; permissions: { slug: string }[] }
          | undefined;
        if (!row || row.revoked || claims.expiresAt <= row.now) return answer(res, 401, "{}");
        const held = row.permissions.some((p) => p.slug === "all");
        answer(res, held && claims.scope.split(" ").includes("all:read") ? 200 : 403, body);
      },
      () => answer(res, 500, "{}"),
    );
  });
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  });
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
  /** Counts SQL queries (bench/query-counter.ts is preloaded); false for oidc-provider. */
  countsQueries: boolean;
}

interface Run {
  sample: Sample;
  /** SQL queries per response, counted in the server process. */
  queries: number | undefined;
  /** PostgreSQL's CPU time (every backend and helper process) per response, in µs. */
  dbCpuUs: number | undefined;
}

interface Comparison {
  title: string;
  ours: { server: Server; path: string; request: LoadRequest };
  theirs: { server: Server; path: string; request: LoadRequest };
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

/** A child from this file (`--serve kind`) that prints `READY <port>` once it listens. */
function startChild(kind: "oidc" | "bare", label: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const preload = kind === "bare" ? ["--import", "./bench/query-counter.ts"] : [];
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
        countsQueries: kind === "bare",
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
  const server = { label: "authdesk", child, base: `http://${HOST}:${port}`, countsQueries: true };
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

/** One run: autocannon, plus the server's queries and PostgreSQL's CPU around it. */
async function run(
  target: Comparison["ours"],
  seconds: number,
  connections: number,
  postmaster: number | undefined,
): Promise<Run> {
  const queriesBefore = await queryCount(target.server);
  const dbBefore = postmaster ? cpuMicros(postmaster) : undefined;
  const sample = await measure(
    `${target.server.base}${target.path}`,
    seconds,
    connections,
    () => cpuMicros(target.server.child.pid ?? -1),
    target.request,
  );
  const dbAfter = postmaster ? cpuMicros(postmaster) : undefined;
  const queriesAfter = await queryCount(target.server);
  const answered = sample.responses;
  return {
    sample,
    queries:
      queriesBefore !== undefined && queriesAfter !== undefined && answered > 0
        ? (queriesAfter - queriesBefore) / answered
        : undefined,
    dbCpuUs:
      dbBefore !== undefined && dbAfter !== undefined && answered > 0
        ? (dbAfter - dbBefore) / answered
        : undefined,
  };
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
  postmaster: number | undefined,
): Promise<{ failures: number; ratios: string[] }> {
  const warmConnections = Math.max(...levels);
  for (const side of [comparison.ours, comparison.theirs]) {
    console.log(
      `warm-up ${side.server.label} (${options.warmup} s, ${warmConnections} connections)`,
    );
    await run(side, options.warmup, warmConnections, postmaster);
  }
  let failures = 0;
  const ratios: string[] = [];
  for (const connections of levels) {
    const runs = { ours: [] as Run[], theirs: [] as Run[] };
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate who goes first, so neither always runs on the other's leftovers.
      const order = round % 2 === 1 ? (["ours", "theirs"] as const) : (["theirs", "ours"] as const);
      for (const side of order) {
        const target = comparison[side];
        const result = await run(target, options.seconds, connections, postmaster);
        runs[side].push(result);
        failures += result.sample.failures;
        console.log(
          `${connections} conn, round ${round}/${options.rounds} ${target.server.label.padEnd(22)} ` +
            `${formatNumber(result.sample.rps)} req/s, p50 ${formatNumber(result.sample.p50)} ms, ` +
            `p99 ${formatNumber(result.sample.p99)} ms, ${formatNumber(result.sample.cpuUs)} µs CPU/req, ` +
            `PostgreSQL ${formatNumber(result.dbCpuUs)} µs CPU/req, ` +
            `${formatNumber(result.queries, 2)} queries/req, non-2xx ${result.sample.failures}`,
        );
      }
    }
    const ours = runs.ours.map((r) => r.sample);
    const theirs = runs.theirs.map((r) => r.sample);
    console.log(`\n${comparison.title}, ${connections} connections`);
    console.log(tableHeading(TABLE));
    for (let index = 0; index < options.rounds; index++) {
      const pair: [Server, Sample | undefined][] = [
        [comparison.ours.server, ours[index]],
        [comparison.theirs.server, theirs[index]],
      ];
      for (const [server, sample] of pair) {
        if (sample) console.log(sampleRow(TABLE, String(index + 1), server.label, sample));
      }
    }
    console.log(sampleRow(TABLE, "median", comparison.ours.server.label, medianSample(ours)));
    console.log(sampleRow(TABLE, "median", comparison.theirs.server.label, medianSample(theirs)));
    for (const [label, list] of [
      [comparison.ours.server.label, runs.ours],
      [comparison.theirs.server.label, runs.theirs],
    ] as const) {
      const queries = list.every((r) => r.queries !== undefined)
        ? formatNumber(median(list.map((r) => r.queries ?? 0)), 2)
        : "n/a";
      const db = list.every((r) => r.dbCpuUs !== undefined)
        ? formatNumber(median(list.map((r) => r.dbCpuUs ?? 0)))
        : "n/a";
      console.log(`  ${label}: ${queries} SQL queries/req, PostgreSQL ${db} µs CPU/req (medians)`);
    }
    const rpsRatios = ours.map((s, i) => s.rps / (theirs[i]?.rps ?? Number.NaN));
    const line =
      `${comparison.ours.server.label} / ${comparison.theirs.server.label}, requests/s at ${connections} connections: ` +
      `${formatNumber(median(rpsRatios), 2)}× (median of pair ratios ${rpsRatios.map((r) => formatNumber(r, 2)).join(", ")})`;
    console.log(`${line}\n`);
    ratios.push(line);
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

let benchDatabase: DatabaseHandle | undefined;

async function main(flags: Partial<Record<keyof BenchOptions, string>>): Promise<void> {
  const options = readBenchOptions(flags, { rounds: 3, seconds: 10, warmup: 10 });
  const fixedConnections = flags.connections ?? process.env.BENCH_CONNECTIONS;
  const levels = fixedConnections ? [options.connections] : [10, 50];
  if (!existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"))) {
    console.error("No production build in .next: run `npm run build` first, then this bench.");
    process.exit(1);
  }
  const loadSeconds = 4 * options.warmup + 2 * levels.length * options.rounds * 2 * options.seconds;
  console.log(
    `Token bench: POST /oauth/token (authdesk, PostgreSQL) vs oidc-provider, then ${API_PATH} ` +
      `(Bearer) vs a bare node:http token check; ${options.rounds} rounds × ${options.seconds} s per server ` +
      `at ${levels.join(" and ")} connections, ${options.warmup} s warm-up per server.`,
  );
  announceRuntime(loadSeconds, OVERHEAD_SECONDS);

  const adminUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const databaseUrl = await createBenchDatabase(adminUrl);
  const keyEntry = generateKeyEntry(1);
  benchDatabase = await openPostgres(databaseUrl, 2);
  await migrateDatabase(benchDatabase);
  const { db } = benchDatabase;

  // Our API client: all:read (the auth-config route wants it), tokens good for the whole bench.
  const till = await insertTill(db);
  const client = await insertClient(db, {
    tillId: till.id,
    permissions: { all: "read" },
    tokenTtlMinutes: 1440,
  });
  // The auth config's token server: answers once, then the broker serves its cache.
  const upstream = await startFakeTokenServer();
  afterChildrenStop(() => upstream.close());
  upstream.respond((_req, res) =>
    sendJson(res, 200, {
      access_token: "upstream-token",
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
  });

  const ours = await startOurServer({
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    HOST,
    DATABASE_URL: databaseUrl,
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
  const bare = await startChild("bare", "node:http token check", {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTHDESK_ENCRYPTION_KEYS: keyEntry,
  });

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
  const issued = await expectOk(
    "authdesk /oauth/token",
    `${ours.base}/oauth/token`,
    ourTokenRequest,
    (body) => typeof body.access_token === "string",
  );
  await expectOk(
    "oidc-provider /token",
    `${oidc.base}/token`,
    oidcTokenRequest,
    (body) => typeof body.access_token === "string",
  );
  const bearer = String(issued.access_token);
  const apiRequest: LoadRequest = {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}` },
  };
  for (const server of [ours, bare]) {
    await expectOk(
      `${server.label} ${API_PATH}`,
      `${server.base}${API_PATH}`,
      apiRequest,
      (body) => typeof body.access_token === "string",
    );
  }
  // Our tokens are rows: a revoked one is refused at once, by our route and by the bare check.
  const spare = await expectOk(
    "authdesk /oauth/token",
    `${ours.base}/oauth/token`,
    ourTokenRequest,
    (body) => typeof body.access_token === "string",
  );
  const revoked = await statusOf(`${ours.base}/oauth/revoke`, {
    method: "POST",
    headers: ourTokenRequest.headers,
    body: new URLSearchParams({ token: String(spare.access_token) }).toString(),
  });
  const afterRevoke = await Promise.all(
    [ours, bare].map((server) =>
      statusOf(`${server.base}${API_PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${String(spare.access_token)}` },
      }),
    ),
  );
  console.log(
    `Checked: both token endpoints answer 200 with a token; a revoked token (revoke ${revoked}) ` +
      `gets ${afterRevoke.join(" / ")} from authdesk / the bare check.\n`,
  );

  // PostgreSQL's CPU is read from /proc when the server runs on this machine: the postmaster is
  // the parent of the backend serving this connection.
  const [backend] = await queryRows<{ pid: number }>(db, sql`select pg_backend_pid() as pid`);
  const postmaster = backend ? parentPid(backend.pid) : undefined;

  const comparisons: (Comparison & { part: "token" | "bearer" })[] = [
    {
      part: "token",
      title: "POST /oauth/token (client credentials, client_secret_basic)",
      ours: { server: ours, path: "/oauth/token", request: ourTokenRequest },
      theirs: { server: oidc, path: "/token", request: oidcTokenRequest },
    },
    {
      part: "bearer",
      title: `POST ${API_PATH} (Bearer)`,
      ours: { server: ours, path: API_PATH, request: apiRequest },
      theirs: { server: bare, path: API_PATH, request: apiRequest },
    },
  ];
  let failures = 0;
  const ratios: string[] = [];
  const only = process.env.BENCH_ONLY;
  for (const comparison of comparisons.filter(({ part }) => !only || part === only)) {
    const result = await compare(comparison, levels, options, postmaster);
    failures += result.failures;
    ratios.push(...result.ratios);
  }
  console.log("Ratios (median of pair-by-pair ratios, requests/s):");
  for (const line of ratios) console.log(`  ${line}`);
  console.log(
    "Our tokens are signed under the keyring (valid on every instance and after restarts) and " +
      "revocable at once: each use checks the client and the revocation list in the database. " +
      "oidc-provider keeps its tokens in its in-memory adapter.",
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
if (values.serve === "oidc") {
  serveOidc().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else if (values.serve === "bare") {
  serveBare().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  stopServersOnSignals("servers");
  main(values).catch(failBench);
}
