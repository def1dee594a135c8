/**
 * Runs server.ts on PostgreSQL for the e2e "postgres" projects: creates a fresh database on the
 * DATABASE_URL server and serves it from two app instances, as two `npm start` processes would be:
 * instance A on PORT and instance B on E2E_POSTGRES_SECOND_PORT, with the same encryption key and
 * nothing else in common but the database. When Playwright stops the wrapper (SIGTERM), both
 * instances stop before the database is dropped.
 *
 * Playwright's webServer entry waits for one URL, A's. So B starts first and A only once B's
 * /api/health answers: when Playwright sees A healthy, both are. Starting one after the other also
 * keeps the two from migrating the fresh database at the same moment.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { generateKeyEntry } from "@/lib/crypto";
import { runOnServer } from "@/lib/testing/databases";
import { postgresDatabaseUrlFile } from "./support/ports";

const serverUrl = process.env.E2E_POSTGRES_SERVER_URL;
if (!serverUrl) throw new Error("E2E_POSTGRES_SERVER_URL is required");
const firstPort = process.env.PORT;
const secondPort = process.env.E2E_POSTGRES_SECOND_PORT;
if (!firstPort || !secondPort) throw new Error("PORT and E2E_POSTGRES_SECOND_PORT are required");
const host = process.env.HOST ?? "127.0.0.1";
const name = `authdesk_e2e_${randomBytes(6).toString("hex")}`;

const run = (statement: string) => runOnServer(serverUrl, statement);

await run(`create database ${name}`);
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${name}`;
const encryptionKeys = generateKeyEntry(1);
const databaseUrlFile = postgresDatabaseUrlFile(firstPort);
// Specs that must reach into the database (e2e/unreadable.spec.ts) read where it is from here.
mkdirSync(path.dirname(databaseUrlFile), { recursive: true });
writeFileSync(databaseUrlFile, databaseUrl.toString());

const servers: ChildProcess[] = [];
let stopping = false;

function startInstance(port: string): ChildProcess {
  const server = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      "./scripts/server-only-hook.mjs",
      "--import",
      "./e2e/support/server-errors.mjs",
      "server.ts",
    ],
    {
      stdio: "inherit",
      env: {
        ...process.env,
        PORT: port,
        DATABASE_URL: databaseUrl.toString(),
        AUTHDESK_ENCRYPTION_KEYS: encryptionKeys,
      },
    },
  );
  servers.push(server);
  // One instance gone means the pair is not what the specs expect: stop the other too.
  server.once("exit", (code) => void stop(code ?? 1));
  return server;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    servers.map(async (server) => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }),
  );
  await run(`drop database if exists ${name} with (force)`);
  rmSync(databaseUrlFile, { force: true });
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(0));

async function waitUntilHealthy(port: string): Promise<void> {
  const health = `http://${host.includes(":") ? `[${host}]` : host}:${port}/api/health`;
  while (!stopping) {
    const ok = await fetch(health).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
}

startInstance(secondPort);
await waitUntilHealthy(secondPort);
if (!stopping) startInstance(firstPort);
