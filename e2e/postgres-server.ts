/**
 * Runs server.ts on PostgreSQL for the e2e "postgres" project: creates a fresh database on the
 * DATABASE_URL server, serves from it, and drops it again when Playwright stops the server.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { generateKeyEntry } from "@/lib/crypto";
import { runOnServer } from "@/lib/testing/databases";

const serverUrl = process.env.E2E_POSTGRES_SERVER_URL;
if (!serverUrl) throw new Error("E2E_POSTGRES_SERVER_URL is required");
const name = `authdesk_e2e_${randomBytes(6).toString("hex")}`;

const run = (statement: string) => runOnServer(serverUrl, statement);

await run(`create database ${name}`);
const databaseUrl = new URL(serverUrl);
databaseUrl.pathname = `/${name}`;

const server = spawn(
  process.execPath,
  ["--import", "tsx", "--import", "./scripts/server-only-hook.mjs", "server.ts"],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl.toString(),
      AUTHDESK_ENCRYPTION_KEYS: generateKeyEntry(1),
    },
  },
);

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.kill("SIGTERM");
  await new Promise((resolve) =>
    server.exitCode === null ? server.once("exit", resolve) : resolve(null),
  );
  await run(`drop database if exists ${name} with (force)`);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void stop(0));
server.once("exit", (code) => void stop(code ?? 1));
