import "server-only";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
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

/** Embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests). */
export async function openPglite(dataDir?: string): Promise<DatabaseHandle> {
  const client = await PGlite.create(dataDir);
  return {
    db: drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database,
    driver: "pglite",
    close: () => client.close(),
  };
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
