import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  type DatabaseHandle,
  type Driver,
  migrateDatabase,
  openPglite,
  openPostgres,
} from "@/db/client";

/** Service tests run on embedded PGlite always, and on PostgreSQL too when DATABASE_URL is set. */
export const testDrivers: Driver[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the
 * DATABASE_URL server that `close()` drops again.
 */
export async function createTestDatabase(driver: Driver): Promise<DatabaseHandle> {
  if (driver === "pglite") {
    const handle = await openPglite();
    await migrateDatabase(handle);
    return handle;
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("DATABASE_URL is required for PostgreSQL tests");
  const name = `authdesk_test_${randomBytes(6).toString("hex")}`;
  await runOnServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openPostgres(url.toString(), 4);
  await migrateDatabase(handle);
  const test: DatabaseHandle = {
    ...handle,
    close: async () => {
      await handle.close();
      await runOnServer(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
  testDatabaseUrls.set(test, url.toString());
  return test;
}

/** Each PostgreSQL test database's URL, for second instances on it. */
const testDatabaseUrls = new WeakMap<DatabaseHandle, string>();

/**
 * What a second app instance on the same test database would hold: its own pool on PostgreSQL.
 * PGlite is one database in one process, so there it is the same database, and closing it is
 * left to the first handle's owner.
 */
export async function openSecondInstance(first: DatabaseHandle): Promise<DatabaseHandle> {
  const url = testDatabaseUrls.get(first);
  if (!url) return { ...first, close: async () => {} };
  return openPostgres(url, 4);
}

/** Runs one statement (create/drop database) on the server itself, outside any pool. */
export async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
