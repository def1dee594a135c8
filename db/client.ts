import "server-only";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** What services take: the database itself, or a transaction they join. */
export type Executor = Database | Transaction;

export type Driver = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Database;
  driver: Driver;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** Serialises migrations when several instances start against one PostgreSQL at once. */
const MIGRATION_LOCK_ID = 0x41757468; // "Auth"

export interface PgliteOptions {
  /**
   * False removes write-ahead log segments a checkpoint no longer needs instead of renaming them
   * for reuse, which keeps their old contents on disk until overwritten. `keys:rotate` opens the
   * database this way so that old ciphertexts leave the data directory (lib/crypto/rotate.ts).
   */
  recycleWal?: boolean;
}

/** Embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests). */
export async function openPglite(
  dataDir?: string,
  options: PgliteOptions = {},
): Promise<DatabaseHandle> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  const startParams =
    options.recycleWal === false
      ? [...PGlite.defaultStartParams, "-c", "wal_recycle=off"]
      : undefined;
  // pg_trgm serves the lists' substring searches (migration 0011 creates the extension).
  const client = await PGlite.create(dataDir, {
    extensions: { pg_trgm },
    ...(startParams ? { startParams } : {}),
  }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  return {
    db: drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database,
    driver: "pglite",
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/** Another live process holds the embedded database (usually the app itself). */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";
  constructor(
    readonly dataDir: string,
    readonly holder: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${holder}; PGlite allows one process at a time. Stop that process first.`,
    );
  }
}

/**
 * PGlite is a single-process database: a second process opening the same directory (say
 * `npm run admin:create` while the app runs) would corrupt it, so a lock file refuses that.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  mkdirSync(path.dirname(lockPath), { recursive: true });
  try {
    writeFileSync(lockPath, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number(readFileSync(lockPath, "utf8"));
    if (holder !== process.pid && isRunning(holder)) throw new DataDirInUseError(dataDir, holder);
    writeFileSync(lockPath, String(process.pid));
  }
  const unlock = () => rmSync(lockPath, { force: true });
  process.once("exit", unlock);
  return unlock;
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function openPostgres(url: string, poolSize = 10): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", (error) => console.error("[db] idle PostgreSQL client error:", error.message));
  return {
    db: drizzlePg(pool, { schema, casing: "snake_case" }) as unknown as Database,
    driver: "postgres",
    close: () => pool.end(),
  };
}

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === "pglite") {
    await migratePglite(handle.db as never, { migrationsFolder });
    // PGlite runs no autovacuum, so nothing else gathers the statistics with which the planner
    // tells a common search (walk the order index, stop after a page) from a rare one (the
    // trigram index). Without them a search matching most rows sorts the whole table. ANALYZE
    // samples at most 30,000 rows a table, so this costs the same at any size.
    await handle.db.execute(sql`analyze`);
    return;
  }
  const pool = (handle.db as unknown as { $client: pg.Pool }).$client;
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await migratePg(drizzlePg(client), { migrationsFolder });
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
    client.release();
  }
}

/** Runs raw SQL and returns its rows; both drivers answer `execute` with `{ rows }`. */
export async function queryRows<Row>(executor: Executor, query: SQL): Promise<Row[]> {
  const result = (await executor.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}
