import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, migrateDatabase, queryRows } from "@/db/client";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";

describe.each(testDrivers)("database on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
  });
  afterAll(() => handle.close());

  it("applies every committed migration, and applying again changes nothing", async () => {
    const appliedCount = sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    const before = await queryRows<{ n: number }>(handle.db, appliedCount);
    await migrateDatabase(handle);
    expect(await queryRows(handle.db, appliedCount)).toEqual(before);
    expect(before[0]?.n).toBeGreaterThan(0);
  });
});
