import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { type Executor, migrationsFolder, queryRows } from "@/db/client";

export interface Health {
  status: "ok" | "unavailable";
  database: "reachable" | "unreachable";
  migrations: { applied: number; expected: number };
}

let expectedMigrations: number | undefined;

/** How many migrations this build ships; read once, it cannot change while the process runs. */
function countShippedMigrations(): number {
  if (expectedMigrations === undefined) {
    const journal = JSON.parse(
      readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8"),
    );
    expectedMigrations = (journal.entries as unknown[]).length;
  }
  return expectedMigrations;
}

/** Healthy means the database answers and every migration this build ships has been applied. */
export async function checkHealth(executor: Executor): Promise<Health> {
  const expected = countShippedMigrations();
  try {
    const [row] = await queryRows<{ applied: number }>(
      executor,
      sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
    );
    const applied = row?.applied ?? 0;
    const status = applied === expected ? "ok" : "unavailable";
    return { status, database: "reachable", migrations: { applied, expected } };
  } catch {
    return { status: "unavailable", database: "unreachable", migrations: { applied: 0, expected } };
  }
}
