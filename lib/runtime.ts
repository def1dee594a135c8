import "server-only";
import path from "node:path";
import {
  type Database,
  type DatabaseHandle,
  migrateDatabase,
  openPglite,
  openPostgres,
} from "@/db/client";
import { createTokenBroker, type TokenBroker } from "@/lib/auth-configs/token-broker";
import { type Keyring, loadKeyring } from "@/lib/crypto";
import { type Env, env } from "@/lib/env";
import {
  createFreshCredentials,
  type FreshCredentials,
} from "@/lib/integrations/oauth/fresh-credentials";
import { createSandbox, type Sandbox } from "@/lib/sandbox";

export interface Runtime {
  env: Env;
  database: DatabaseHandle;
  keyring: Keyring;
  /** One per process, so its token cache and single flight cover every caller in it. */
  tokenBroker: TokenBroker;
  /** Runs integrations' authTestCode; its worker threads start on the first run. */
  sandbox: Sandbox;
  /** One per process, so its single flight covers every caller of …/credentials in it. */
  freshCredentials: FreshCredentials;
}

/**
 * The process-wide database and keyring. server.ts and Next's server bundle each load their own
 * copy of this module, so the runtime lives on globalThis: two PGlite instances on one data
 * directory would corrupt it.
 */
const RUNTIME = Symbol.for("authdesk.runtime");
const holder = globalThis as typeof globalThis & { [RUNTIME]?: Promise<Runtime> };

export function startRuntime(log: (message: string) => void = console.log): Promise<Runtime> {
  if (process.env.NEXT_PHASE === "phase-production-build") {
    // A page that reaches the database while `next build` prerenders it must be made dynamic;
    // failing here says so instead of quietly creating a database and key at build time.
    throw new Error("The database is not available during `next build`: make this page dynamic.");
  }
  holder[RUNTIME] ??= boot(log);
  return holder[RUNTIME];
}

async function boot(log: (message: string) => void): Promise<Runtime> {
  const config = env();
  // The key is checked before the database is touched, so a bad key fails fast and changes nothing.
  const keyring = loadKeyring({
    configured: config.AUTHDESK_ENCRYPTION_KEYS,
    dataDir: config.AUTHDESK_DATA_DIR,
    embedded: !config.DATABASE_URL,
    log,
  });
  const database = config.DATABASE_URL
    ? await openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE)
    : await openPglite(path.join(config.AUTHDESK_DATA_DIR, "pglite"));
  await migrateDatabase(database);
  const tokenBroker = createTokenBroker({
    db: database.db,
    keyring,
    allowPrivateTokenUrls: config.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
  });
  const sandbox = createSandbox({
    allowPrivateAddresses: config.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
  });
  const freshCredentials = createFreshCredentials({
    db: database.db,
    keyring,
    sandbox,
    allowPrivateUrls: config.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
  });
  return { env: config, database, keyring, tokenBroker, sandbox, freshCredentials };
}

export async function getDb(): Promise<Database> {
  return (await startRuntime()).database.db;
}

export async function stopRuntime(): Promise<void> {
  const running = holder[RUNTIME];
  holder[RUNTIME] = undefined;
  if (!running) return;
  const runtime = await running;
  // The broker flushes its batched usage counts, so it closes before the database does.
  await runtime.tokenBroker.close();
  // Refreshes in flight write their tokens (a rotated refresh token must not be lost) first.
  await runtime.freshCredentials.close();
  await runtime.sandbox.close();
  await runtime.database.close();
}
