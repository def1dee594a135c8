/**
 * Hono or Fastify for lib/api? Both routers serve the same two endpoints, embedded the way
 * server.ts embeds a router: one `http.createServer` whose callback sends /api, /oauth and
 * /.well-known to the router and everything else elsewhere (404 here, Next in server.ts).
 *
 * - hono:     the real `createApiApp` from lib/api (OpenAPIHono) plus a trivial route, served by
 *             @hono/node-server's getRequestListener, exactly as server.ts does.
 * - fastify:  `fastify({ serverFactory })`, Fastify's documented hook for a server you own; the
 *             factory's callback dispatches like server.ts and hands programs' paths to Fastify.
 *             Responses carry JSON schemas (from the same zod schemas via z.toJSONSchema), so
 *             Fastify serialises with fast-json-stringify: its fastest configuration.
 * - node:     bare node:http with the same dispatch, as a floor: what any router adds is the
 *             difference from this row.
 *
 * Endpoints: GET /api/ping returns {"ok":true}; GET /api/health runs checkHealth (one SQL query)
 * against an in-memory PGlite (or DATABASE_URL when set). Each server runs in its own child
 * process so the load generator (autocannon, in this process) never shares its event loop, and
 * each child reports its own CPU time, the figure that does not depend on the client's speed.
 *
 *   npm run bench:router -- [--rounds 3] [--seconds 5] [--warmup 2] [--connections 10]
 */
import type { ChildProcess } from "node:child_process";
import http from "node:http";
import { parseArgs } from "node:util";
import { getRequestListener } from "@hono/node-server";
import { createRoute, z as zo } from "@hono/zod-openapi";
import fastify from "fastify";
import { z } from "zod";
import { type Database, migrateDatabase, openPglite, openPostgres } from "@/db/client";
import { createApiApp } from "@/lib/api/app";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { checkHealth } from "@/lib/health";
import {
  announceRuntime,
  BENCH_FLAGS,
  type BenchOptions,
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
} from "./support";

const PROGRAM_PATHS = /^\/(api|oauth|\.well-known)(\/|$|\?)/;
const VARIANTS = ["node", "hono", "fastify"] as const;
type Variant = (typeof VARIANTS)[number];
const LABELS: Record<Variant, string> = {
  node: "node:http (floor)",
  hono: "hono",
  fastify: "fastify",
};
const ENDPOINTS = [
  { path: "/api/ping", title: "trivial JSON" },
  { path: "/api/health", title: "checkHealth (one SQL query)" },
] as const;
/** Start-up of three children (PGlite and migrations each) plus pauses, roughly. */
const OVERHEAD_SECONDS = 10;
const TABLE: TableLayout = { subject: "server", widths: [8, 18, 9, 7, 7, 11, 8], cpuDigits: 1 };

// ---------------------------------------------------------------------------------------------
// Child side: one server per process.

// The same shape lib/api declares for /api/health; Fastify gets it as JSON Schema.
const HealthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.enum(["reachable", "unreachable"]),
    migrations: z.object({ applied: z.number().int(), expected: z.number().int() }),
  })
  .strict();
const PingSchema = z.object({ ok: z.boolean() }).strict();

/** Stands in for Next's handler: the part of server.ts that is not under test. */
function notProgramPath(res: http.ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain" }).end("not a program path");
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    })
    .end(text);
}

function nodeServer(db: Database): http.Server {
  return http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (!PROGRAM_PATHS.test(url)) return notProgramPath(res);
    if (req.method === "GET" && url === "/api/ping") return sendJson(res, 200, { ok: true });
    if (req.method === "GET" && url === "/api/health") {
      void checkHealth(db).then((health) =>
        sendJson(res, health.status === "ok" ? 200 : 503, health),
      );
      return;
    }
    sendJson(res, 404, { title: "Not found" });
  });
}

function honoServer(db: Database): http.Server {
  const app = createApiApp({ db, keyring: parseKeyring(generateKeyEntry(1)) });
  const pingRoute = createRoute({
    method: "get",
    path: "/api/ping",
    responses: {
      200: {
        description: "Pong",
        content: { "application/json": { schema: zo.object({ ok: zo.boolean() }) } },
      },
    },
  });
  app.openapi(pingRoute, (c) => c.json({ ok: true }, 200));
  const handleProgram = getRequestListener(app.fetch);
  return http.createServer((req, res) => {
    if (!PROGRAM_PATHS.test(req.url ?? "/")) return notProgramPath(res);
    void handleProgram(req, res);
  });
}

async function fastifyServer(db: Database): Promise<http.Server> {
  const healthJson = z.toJSONSchema(HealthSchema, { target: "draft-07" });
  const pingJson = z.toJSONSchema(PingSchema, { target: "draft-07" });
  const app = fastify({
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (!PROGRAM_PATHS.test(req.url ?? "/")) return notProgramPath(res);
        handler(req, res);
      }),
  });
  app.get("/api/ping", { schema: { response: { 200: pingJson } } }, async () => ({ ok: true }));
  app.get(
    "/api/health",
    { schema: { response: { 200: healthJson, 503: healthJson } } },
    async (_request, reply) => {
      const health = await checkHealth(db);
      return reply.code(health.status === "ok" ? 200 : 503).send(health);
    },
  );
  await app.ready();
  return app.server;
}

async function serve(variant: Variant): Promise<void> {
  const url = process.env.DATABASE_URL;
  const database = url ? await openPostgres(url) : await openPglite();
  await migrateDatabase(database);
  const server =
    variant === "fastify"
      ? await fastifyServer(database.db)
      : variant === "hono"
        ? honoServer(database.db)
        : nodeServer(database.db);
  // The parent asks for CPU time over IPC around each run.
  process.on("message", (message) => {
    if (message === "cpu") process.send?.(process.cpuUsage());
  });
  process.once("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void database.close().finally(() => process.exit(0));
  });
  // The parent going away closes the IPC channel; never outlive it.
  process.once("disconnect", () => process.exit(0));
  server.listen(0, HOST, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`READY ${port}\n`);
  });
}

// ---------------------------------------------------------------------------------------------
// Parent side: start the three servers, load them alternately, print the tables.

interface Child {
  variant: Variant;
  process: ChildProcess;
  base: string;
}

/** The servers that answered READY, in VARIANTS order. */
const children: Child[] = [];

function startChild(variant: Variant): Promise<Child> {
  const child = spawnServer([import.meta.filename, "--serve", variant], {
    env: process.env,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} did not start in 60 s`)), 60_000);
    let output = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      const ready = /READY (\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ variant, process: child, base: `http://${HOST}:${ready[1]}` });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // finish() stops children that are still starting too; that is no failure to report.
      if (isFinishing()) return;
      reject(new Error(`${variant} exited (code ${code}, signal ${signal})`));
      console.error(`The ${variant} server exited during the bench.`);
      void finish(1);
    });
  });
}

function cpuMicros(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no CPU reading from the server")), 5_000);
    child.once("message", (usage) => {
      clearTimeout(timer);
      const { user, system } = usage as NodeJS.CpuUsage;
      resolve(user + system);
    });
    child.send("cpu");
  });
}

/** One autocannon run against a server, with the CPU time it reports over IPC. */
function load(child: Child, target: string, seconds: number, options: BenchOptions) {
  return measure(`${child.base}${target}`, seconds, options.connections, () =>
    cpuMicros(child.process),
  );
}

/** The three servers must answer the same status and body, or the comparison means nothing. */
async function checkSameAnswers(): Promise<void> {
  for (const { path: target } of ENDPOINTS) {
    const answers = await Promise.all(
      children.map(async (child) => {
        const response = await fetch(`${child.base}${target}`);
        return `${response.status} ${JSON.stringify(await response.json())}`;
      }),
    );
    if (new Set(answers).size !== 1) {
      throw new Error(`The servers disagree on ${target}:\n  ${answers.join("\n  ")}`);
    }
    console.log(`${target}: all three answer ${answers[0]}`);
  }
}

async function bench(options: BenchOptions): Promise<void> {
  const loadSeconds =
    VARIANTS.length * ENDPOINTS.length * (options.warmup + options.rounds * options.seconds);
  console.log(
    `Router bench: ${VARIANTS.join(", ")} × ${ENDPOINTS.map((e) => e.path).join(", ")}; ` +
      `${options.rounds} rounds × ${options.seconds} s per server at ${options.connections} connections, ` +
      `${options.warmup} s warm-up each.`,
  );
  announceRuntime(loadSeconds, OVERHEAD_SECONDS);

  for (const variant of VARIANTS) children.push(await startChild(variant));
  await checkSameAnswers();

  const verdicts: string[] = [];
  let failures = 0;
  for (const endpoint of ENDPOINTS) {
    for (const child of children) await load(child, endpoint.path, options.warmup, options);
    const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order so no server always runs first (or right after the heaviest one).
      const order = children.map((_, i) => children[(i + round) % children.length] as Child);
      for (const child of order) {
        const sample = await load(child, endpoint.path, options.seconds, options);
        samples.get(child.variant)?.push(sample);
        failures += sample.failures;
        console.log(
          `${endpoint.path} round ${round + 1}/${options.rounds} ${LABELS[child.variant].padEnd(18)}` +
            ` ${formatNumber(sample.rps)} req/s, ${formatNumber(sample.cpuUs, 1)} µs CPU/req`,
        );
      }
    }

    console.log(`\nGET ${endpoint.path}: ${endpoint.title}`);
    console.log(tableHeading(TABLE));
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of VARIANTS) {
        const sample = samples.get(variant)?.[round];
        if (sample) console.log(sampleRow(TABLE, String(round + 1), LABELS[variant], sample));
      }
    }
    for (const variant of VARIANTS) {
      const summary = medianSample(samples.get(variant) ?? []);
      console.log(sampleRow(TABLE, "median", LABELS[variant], summary));
    }
    const hono = samples.get("hono") ?? [];
    const fast = samples.get("fastify") ?? [];
    const rpsRatio = median(fast.map((s, i) => s.rps / (hono[i]?.rps ?? Number.NaN)));
    const cpuRatio = median(
      hono.map((s, i) => (s.cpuUs ?? Number.NaN) / (fast[i]?.cpuUs ?? Number.NaN)),
    );
    console.log(
      `fastify / hono requests/s: ${formatNumber(rpsRatio, 2)}×; ` +
        `hono / fastify CPU per request: ${formatNumber(cpuRatio, 2)}× (medians of per-round ratios)\n`,
    );
    verdicts.push(
      `${endpoint.path}: Fastify ${rpsRatio >= 1.25 || cpuRatio >= 1.25 ? "25 % or more" : "less than 25 %"} ahead ` +
        `(req/s ${formatNumber(rpsRatio, 2)}×, CPU ${formatNumber(cpuRatio, 2)}×)`,
    );
  }
  for (const verdict of verdicts) console.log(verdict);
  console.log(`Load average after: ${loadAverage()}`);
  console.log(
    `${machineSummary()}, ${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite in memory"}`,
  );
  if (failures > 0) {
    console.log(`Warning: ${failures} responses were not 2xx or failed; the figures are suspect.`);
  }
  await finish(failures > 0 ? 1 : 0);
}

const { values } = parseArgs({ options: { serve: { type: "string" }, ...BENCH_FLAGS } });

if (values.serve) {
  const variant = VARIANTS.find((v) => v === values.serve);
  if (!variant) throw new Error(`--serve must be one of ${VARIANTS.join(", ")}`);
  serve(variant).catch((error: unknown) => {
    console.error(`[${variant}] cannot start:`, error);
    process.exit(1);
  });
} else {
  stopServersOnSignals("servers");
  bench(readBenchOptions(values, { rounds: 3, seconds: 5, warmup: 2 })).catch(failBench);
}
