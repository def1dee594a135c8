/**
 * Fresh credentials, measured:
 *
 * 1. Throughput of `GET /api/integrations/v1/{id}/connections/{connectionId}/credentials` for an
 *    OAuth connection whose token is cached (valid for an hour, so no refresh), on PGlite and on
 *    PostgreSQL, against a bare `node:http` handler that answers the same JSON from a constant.
 *    Ours does per request: Bearer token check (signature, client, permissions, revocation; one
 *    statement shared by the requests that arrive together) and the shared per-client quota
 *    (leased, so mostly in memory), the scope check, then one statement that checks the
 *    integration's access list, reads the connection and writes the audit row, then it decrypts
 *    the token set (AES-256-GCM) and answers JSON. On PostgreSQL the backends' CPU for ours is
 *    measured too, since ours' own CPU leaves it out (PGlite does that work inside ours). Each server runs in its own child process (the full API app
 *    from createApiApp over node:http, as server.ts mounts it); autocannon loads one at a time
 *    from this process, ours and the bare one alternating round after round.
 * 2. Single flight: 1,000 concurrent callers on an expired token, with one instance and with two
 *    (two fresh-credentials services; on PostgreSQL each with its own pool), counted as
 *    refresh_token grants at a real oidc-provider on loopback. Expect 1 every time.
 *
 * PostgreSQL parts use DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/postgres)
 * in databases the bench creates and drops; they are skipped when it is unreachable.
 *
 *   npm run bench:connections -- [--rounds 3] [--seconds 5] [--warmup 2] [--connections 10]
 *
 * Not part of `npm test`. Loopback only; every child is stopped however the bench ends.
 */
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import { parseArgs } from "node:util";
import pg from "pg";
import { type DatabaseHandle, migrateDatabase, openPglite, openPostgres } from "@/db/client";
import {
  accessTokenFor,
  insertClient,
  insertTill,
  startApiServer,
  TEST_KEYRING,
} from "@/lib/api/api.testing";
import type { ChangeContext } from "@/lib/audit/service";
import { insertTestAdmin } from "@/lib/auth-configs/token-broker.testing";
import { createFreshCredentials } from "@/lib/integrations/oauth/fresh-credentials";
import {
  ageToken,
  authorizeEndUser,
  insertOAuthConnection,
} from "@/lib/integrations/oauth/fresh-credentials.testing";
import { REDIRECT_URI } from "@/lib/integrations/oauth/oauth.testing";
import { updateAuthSchema } from "@/lib/integrations/schema";
import { createIntegration, updateIntegrationAuth } from "@/lib/integrations/service";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { runOnServer } from "@/lib/testing/databases";
import { startOAuthProvider } from "@/lib/testing/oauth-provider";
import {
  afterChildrenStop,
  announceRuntime,
  BENCH_FLAGS,
  backendCpuSince,
  cpuMicros,
  failBench,
  finish,
  formatNumber,
  HOST,
  isFinishing,
  loadAverage,
  machineSummary,
  measure,
  median,
  medianSample,
  readBenchOptions,
  type Sample,
  sampleRow,
  spawnServer,
  stopServersOnSignals,
  type TableLayout,
  tableHeading,
  watchBackends,
} from "./support";

const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const TABLE: TableLayout = { subject: "server", widths: [8, 22, 9, 7, 7, 11, 8], cpuDigits: 0 };
const CROWD = 1_000;
const CROWD_ROUNDS = 3;
const OAUTH_CLIENT = { clientId: "bench-client", clientSecret: "bench s3cret" };
type Driver = "pglite" | "postgres";

// ---------------------------------------------------------------------------------------------
// Child side: our API app, or the bare handler, one per process.

/** Hands the parent what it needs to load this server; the token stays on the pipe. */
function ready(port: number, path: string, authorization: string): void {
  process.stdout.write(`READY ${JSON.stringify({ port, path, authorization })}\n`);
}

async function serveOurs(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  const handle = url ? await openPostgres(url, 10) : await openPglite();
  await migrateDatabase(handle);
  const sandbox = createSandbox({ allowPrivateAddresses: true });
  const context = await adminContext(handle);
  // The token is valid for an hour: no request in this run refreshes it, so no provider is needed.
  const integrationId = await seedIntegration(handle, sandbox, context, {
    authUrl: "https://provider.invalid/authorize",
    tokenUrl: "https://provider.invalid/token",
  });
  const connectionId = await insertOAuthConnection(
    handle.db,
    TEST_KEYRING,
    integrationId,
    "bench-user",
    {
      accessToken: "cached-access-token-for-the-bench",
      refreshToken: "refresh-token-never-used-here",
      tokenType: "Bearer",
      expiresAt: new Date(Date.now() + 3_600_000),
      scope: "read",
    },
  );
  const server = await startApiServer({
    db: handle.db,
    integrations: { sandbox, allowPrivateUrls: true },
    limits: { requestsPerMinute: 10_000_000 },
  });
  const till = await insertTill(handle.db);
  const client = await insertClient(handle.db, {
    tillId: till.id,
    permissions: { integrations: "write" },
  });
  const authorization = `Bearer ${await accessTokenFor(server, client)}`;
  process.once("SIGTERM", () => {
    void server
      .close()
      .then(() => sandbox.close())
      .then(() => handle.close())
      .finally(() => process.exit(0));
  });
  const path = `/api/integrations/v1/${integrationId}/connections/${connectionId}/credentials`;
  ready(Number(new URL(server.url).port), path, authorization);
}

/** The floor: node:http answering the same JSON body from a constant, no auth, no database. */
function serveBare(): void {
  const body = JSON.stringify({
    connection: {
      id: "conn_00000000000000000000",
      integrationId: "00000000-0000-0000-0000-000000000000",
      endUserId: "bench-user",
      status: "active",
      createdBy: "test",
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      lastTestedAt: null,
    },
    credentials: {
      accessToken: "cached-access-token-for-the-bench",
      tokenType: "Bearer",
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      scope: "read",
    },
  });
  const server = http.createServer((_req, res) => {
    res
      .writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "cache-control": "no-store",
      })
      .end(body);
  });
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
  server.listen(0, HOST, () => {
    const address = server.address();
    ready(typeof address === "object" && address ? address.port : 0, "/credentials", "none");
  });
}

// ---------------------------------------------------------------------------------------------
// Seeding, shared by both sides.

async function adminContext(handle: DatabaseHandle): Promise<ChangeContext> {
  const admin = await insertTestAdmin(handle.db);
  return { actor: { type: "admin", id: admin.id, label: admin.label }, clientAddress: null };
}

async function seedIntegration(
  handle: DatabaseHandle,
  sandbox: Sandbox,
  context: ChangeContext,
  urls: { authUrl: string; tokenUrl: string },
): Promise<string> {
  const created = await createIntegration(handle.db, { name: "Bench", description: "" }, context);
  const input = updateAuthSchema({ allowPrivateUrls: true }).parse({
    authType: "OAUTH",
    oauthClient: { ...urls, ...OAUTH_CLIENT, scopes: "read" },
  });
  const result = await updateIntegrationAuth(
    handle.db,
    { keyring: TEST_KEYRING, sandbox },
    created.id,
    input,
    context,
  );
  if (!result.ok) throw new Error(`configuring the bench integration failed: ${result.error}`);
  return created.id;
}

// ---------------------------------------------------------------------------------------------
// Parent side, part 1: throughput.

/** Children this bench stopped itself between its parts: their exit is no failure. */
const stopping = new Set<ChildProcess>();

interface Server {
  label: string;
  child: ChildProcess;
  url: string;
  authorization: string;
}

function startChild(kind: "ours" | "bare", label: string, databaseUrl?: string): Promise<Server> {
  const child = spawnServer([import.meta.filename, "--serve", kind], {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.once("exit", (code, signal) => {
    if (isFinishing() || stopping.has(child)) return;
    console.error(`${label} exited during the bench (code ${code}, signal ${signal}).`);
    void finish(1);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s`)), 60_000);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) {
          if (!line.startsWith("READY ")) {
            if (line) console.log(`  ${label} | ${line}`);
            continue;
          }
          clearTimeout(timer);
          const info = JSON.parse(line.slice(6)) as {
            port: number;
            path: string;
            authorization: string;
          };
          const url = `http://${HOST}:${info.port}${info.path}`;
          resolve({ label, child, url, authorization: info.authorization });
        }
      });
    }
  });
}

async function checkAnswer(server: Server): Promise<void> {
  const response = await fetch(server.url, { headers: { authorization: server.authorization } });
  const body = (await response.json()) as { credentials?: { accessToken?: string } };
  if (response.status !== 200 || body.credentials?.accessToken === undefined) {
    throw new Error(`${server.label} answered ${response.status} instead of a token`);
  }
}

function load(server: Server, seconds: number, connections: number): Promise<Sample> {
  return measure(server.url, seconds, connections, () => cpuMicros(server.child.pid ?? -1), {
    method: "GET",
    headers: { authorization: server.authorization },
  });
}

interface Throughput {
  ours: Sample;
  bare: Sample;
  ratio: number;
  /** PostgreSQL only: its backends' CPU per response of ours, which ours' own CPU leaves out. */
  databaseCpuUs?: number;
}

async function compareThroughput(
  driver: Driver,
  options: ReturnType<typeof readBenchOptions>,
  databaseUrl?: string,
): Promise<Throughput> {
  const ours = await startChild("ours", `authdesk (${driver})`, databaseUrl);
  const bare = await startChild("bare", "bare node:http");
  const backends = databaseUrl ? await watchBackends(databaseUrl) : undefined;
  await checkAnswer(ours);
  await checkAnswer(bare);
  for (const server of [ours, bare]) await load(server, options.warmup, options.connections);
  console.log(`\n${driver}: ${options.connections} connections, ${options.seconds} s per run`);
  console.log(tableHeading(TABLE));
  const samples = { ours: [] as Sample[], bare: [] as Sample[] };
  const ratios: number[] = [];
  const databaseCpu: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const databaseBefore = await backends?.cpu();
    const mine = await load(ours, options.seconds, options.connections);
    const databaseUs =
      backends && databaseBefore && backendCpuSince(databaseBefore, await backends.cpu());
    const floor = await load(bare, options.seconds, options.connections);
    samples.ours.push(mine);
    samples.bare.push(floor);
    ratios.push(mine.rps / floor.rps);
    console.log(sampleRow(TABLE, String(round), ours.label, mine));
    console.log(sampleRow(TABLE, String(round), bare.label, floor));
    if (databaseUs !== undefined) {
      databaseCpu.push(databaseUs / mine.responses);
      console.log(
        `         postgres backends' CPU for ours: ${formatNumber(databaseCpu.at(-1))} µs/req`,
      );
    }
  }
  const result: Throughput = {
    ours: medianSample(samples.ours),
    bare: medianSample(samples.bare),
    ratio: median(ratios),
    databaseCpuUs: databaseCpu.length > 0 ? median(databaseCpu) : undefined,
  };
  console.log(sampleRow(TABLE, "median", ours.label, result.ours));
  console.log(sampleRow(TABLE, "median", bare.label, result.bare));
  if (result.databaseCpuUs !== undefined) {
    console.log(
      `         postgres backends' CPU for ours: ${formatNumber(result.databaseCpuUs)} µs/req`,
    );
  }
  console.log(`ours / bare req/s: ${(result.ratio * 100).toFixed(1)} % (median of rounds)`);
  await backends?.close();
  for (const server of [ours, bare]) {
    stopping.add(server.child);
    const exited = new Promise((resolve) => server.child.once("exit", resolve));
    server.child.kill("SIGTERM");
    await exited;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Parent side, part 2: single flight.

async function singleFlight(driver: Driver, databaseUrl?: string): Promise<void> {
  const first = databaseUrl ? await openPostgres(databaseUrl, 10) : await openPglite();
  const second = databaseUrl ? await openPostgres(databaseUrl, 10) : first;
  const sandbox = createSandbox({ allowPrivateAddresses: true });
  const provider = await startOAuthProvider({
    clients: [{ ...OAUTH_CLIENT, redirectUris: [REDIRECT_URI] }],
  });
  try {
    await migrateDatabase(first);
    const context = await adminContext(first);
    const integrationId = await seedIntegration(first, sandbox, context, {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
    });
    const deps = { keyring: TEST_KEYRING, sandbox, allowPrivateUrls: true };
    const tokens = await authorizeEndUser({ ...deps, db: first.db }, integrationId);
    const connectionId = await insertOAuthConnection(
      first.db,
      TEST_KEYRING,
      integrationId,
      "crowd",
      tokens,
    );
    const caller = { actor: context.actor, clientAddress: null };
    for (const instanceCount of [1, 2]) {
      const services = [first, second]
        .slice(0, instanceCount)
        .map((handle) => createFreshCredentials({ ...deps, db: handle.db }));
      const counts: number[] = [];
      const times: number[] = [];
      for (let round = 0; round < CROWD_ROUNDS; round++) {
        await ageToken(first.db, connectionId, -1_000);
        const before = provider.tokenCalls("refresh_token");
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: CROWD }, (_, index) =>
            services[index % instanceCount]?.getCredentials(integrationId, connectionId, caller),
          ),
        );
        times.push(performance.now() - started);
        const failed = results.filter((result) => !result?.ok).length;
        if (failed > 0) throw new Error(`${failed} of ${CROWD} callers got no token`);
        counts.push(provider.tokenCalls("refresh_token") - before);
      }
      console.log(
        `  ${driver.padEnd(8)} ${instanceCount} instance${instanceCount > 1 ? "s" : " "}  ` +
          `upstream refreshes per ${formatNumber(CROWD)} callers: ${counts.join(", ")}  ` +
          `(all answered in ${times.map((ms) => formatNumber(ms)).join(", ")} ms)`,
      );
      await Promise.all(services.map((service) => service.close()));
    }
  } finally {
    await provider.close();
    await sandbox.close();
    if (second !== first) await second.close();
    await first.close();
  }
}

// ---------------------------------------------------------------------------------------------

async function postgresDatabase(serverUrl: string): Promise<string | undefined> {
  try {
    const probe = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
    await probe.connect();
    await probe.end();
  } catch {
    console.log(`PostgreSQL at ${serverUrl} is unreachable: its parts are skipped.`);
    return undefined;
  }
  const name = `authdesk_bench_${Math.random().toString(16).slice(2, 10)}`;
  await runOnServer(serverUrl, `create database ${name}`);
  afterChildrenStop(() => runOnServer(serverUrl, `drop database if exists ${name} with (force)`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...BENCH_FLAGS, serve: { type: "string" } } });
  if (values.serve === "ours") return serveOurs();
  if (values.serve === "bare") return serveBare();
  const options = readBenchOptions(values, { rounds: 3, seconds: 5, warmup: 2 });
  stopServersOnSignals("servers");
  const serverUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const loadSeconds = 2 * 2 * (options.warmup + options.rounds * options.seconds);
  announceRuntime(loadSeconds, 60);
  console.log(`${machineSummary()}`);
  const postgresUrl = await postgresDatabase(serverUrl);
  const drivers: [Driver, string | undefined][] = [["pglite", undefined]];
  if (postgresUrl) drivers.push(["postgres", postgresUrl]);

  console.log("\n1. Cached token: credentials endpoint vs a bare node:http handler");
  const summary: string[] = [];
  for (const [driver, url] of drivers) {
    const { ours, bare, ratio, databaseCpuUs } = await compareThroughput(driver, options, url);
    const database =
      databaseCpuUs === undefined ? "" : ` + postgres ${formatNumber(databaseCpuUs)} µs/req`;
    summary.push(
      `  ${driver.padEnd(8)} ours ${formatNumber(ours.rps)} req/s (CPU ${formatNumber(ours.cpuUs)} µs/req${database}), bare ${formatNumber(bare.rps)} req/s (CPU ${formatNumber(bare.cpuUs)} µs/req): ${(ratio * 100).toFixed(1)} %`,
    );
  }
  console.log(`\nSummary (medians):\n${summary.join("\n")}`);

  console.log(`\n2. Single flight: ${formatNumber(CROWD)} concurrent callers on an expired token`);
  for (const [driver, url] of drivers) await singleFlight(driver, url);
  console.log(`\nLoad average after: ${loadAverage()}`);
  await finish(0);
}

main().catch(failBench);
