import { sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import { generateKeyEntry, parseKeyring } from "./keyring";
import { type SealedColumn, sealBindingFor, sealedColumns } from "./registry";
import { compactSealedTables, rotateSealedColumns } from "./rotate";
import { open, SealError, seal } from "./seal";

const v1 = generateKeyEntry(1);
const v2 = generateKeyEntry(2);
const keyringV1 = parseKeyring(v1);
const keyringV1V2 = parseKeyring(`${v1}\n${v2}`);
const keyringV2 = parseKeyring(v2);

const fixture: SealedColumn = { table: "sealed_fixture", idColumn: "id", column: "secret" };
const bindingFor = (id: string) => ({ table: "sealed_fixture", column: "secret", rowId: id });
const plaintextFor = (id: string) => `secret of ${id} ✓`;
const ids = Array.from({ length: 7 }, (_, index) => `row-${index}`);

describe.each(testDrivers)("rotateSealedColumns on %s", (driver) => {
  let handle: DatabaseHandle;

  async function storedValues(): Promise<Map<string, string | null>> {
    const result = await handle.db.execute(sql`select id, secret from sealed_fixture order by id`);
    const rows = (result as unknown as { rows: Array<{ id: string; secret: string | null }> }).rows;
    return new Map(rows.map((row) => [row.id, row.secret]));
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db.execute(sql`create table sealed_fixture (id text primary key, secret text)`);
  });
  afterAll(() => handle.close());

  beforeEach(async () => {
    await handle.db.execute(sql`delete from sealed_fixture`);
    for (const id of ids) {
      const sealed = seal(keyringV1, plaintextFor(id), bindingFor(id));
      await handle.db.execute(sql`insert into sealed_fixture values (${id}, ${sealed})`);
    }
    await handle.db.execute(sql`insert into sealed_fixture values ('row-null', null)`);
  });

  it("re-seals every value under the newest key, in batches, and only once", async () => {
    const first = await rotateSealedColumns(handle.db, keyringV1V2, [fixture], { batchSize: 3 });
    expect(first).toEqual([{ table: "sealed_fixture", column: "secret", reencrypted: 7 }]);

    const stored = await storedValues();
    expect(stored.get("row-null")).toBeNull();
    for (const id of ids) {
      const value = stored.get(id) as string;
      expect(value.startsWith("ad1.2.")).toBe(true);
      expect(open(keyringV2, value, bindingFor(id))).toBe(plaintextFor(id));
    }

    const second = await rotateSealedColumns(handle.db, keyringV1V2, [fixture], { batchSize: 3 });
    expect(second).toEqual([{ table: "sealed_fixture", column: "secret", reencrypted: 0 }]);
    expect(await storedValues()).toEqual(stored);
  });

  it("keeps values bound to their row after rotation", async () => {
    await rotateSealedColumns(handle.db, keyringV1V2, [fixture]);
    await handle.db.execute(
      sql`update sealed_fixture set secret = (select secret from sealed_fixture where id = 'row-0') where id = 'row-1'`,
    );
    const copied = (await storedValues()).get("row-1") as string;
    expect(() => open(keyringV2, copied, bindingFor("row-1"))).toThrow(SealError);
  });

  it("stops at a value the keyring cannot open, naming its row", async () => {
    const otherKeyV1 = parseKeyring(generateKeyEntry(1));
    const foreign = seal(otherKeyV1, "sealed elsewhere", bindingFor("row-3"));
    await handle.db.execute(sql`update sealed_fixture set secret = ${foreign} where id = 'row-3'`);
    await expect(rotateSealedColumns(handle.db, keyringV1V2, [fixture])).rejects.toThrow(
      "Cannot open sealed value for sealed_fixture.secret (row row-3): wrong key",
    );
  });

  it("pages through integer ids too", async () => {
    const numbered: SealedColumn = { table: "sealed_numbered", idColumn: "n", column: "value" };
    await handle.db.execute(sql`create table sealed_numbered (n integer primary key, value text)`);
    for (const n of [1, 2, 10, 11, 100]) {
      const sealed = seal(keyringV1, `number ${n}`, sealBindingFor(numbered, n));
      await handle.db.execute(sql`insert into sealed_numbered values (${n}, ${sealed})`);
    }
    const results = await rotateSealedColumns(handle.db, keyringV1V2, [numbered], {
      batchSize: 2,
    });
    expect(results[0]?.reencrypted).toBe(5);
    const result = await handle.db.execute(sql`select value from sealed_numbered where n = 10`);
    const [row] = (result as unknown as { rows: Array<{ value: string }> }).rows;
    expect(open(keyringV2, row?.value ?? "", sealBindingFor(numbered, 10))).toBe("number 10");
  });

  it("compacts the tables it rotated: new files, and no old ciphertext in their statistics", async () => {
    const oldSamples = sql`
      select count(*)::int as n from pg_stats where tablename = 'sealed_fixture'
      and concat(most_common_vals::text, histogram_bounds::text) like '%ad1.1.%'`;
    const fileOf = sql`select pg_relation_filepath('sealed_fixture') as file`;
    await handle.db.execute(sql`analyze sealed_fixture`);
    expect((await queryRows<{ n: number }>(handle.db, oldSamples))[0]?.n).toBe(1);
    const [before] = await queryRows<{ file: string }>(handle.db, fileOf);

    await rotateSealedColumns(handle.db, keyringV1V2, [fixture]);
    expect(await compactSealedTables(handle, [fixture])).toEqual({
      tables: ["sealed_fixture"],
      heldBy: [],
      checkpointed: true,
      // The tests connect as the database's owner (a superuser), who may compact pg_statistic.
      statisticsCompacted: true,
    });

    const [after] = await queryRows<{ file: string }>(handle.db, fileOf);
    expect(after?.file).not.toBe(before?.file);
    expect((await queryRows<{ n: number }>(handle.db, oldSamples))[0]?.n).toBe(0);
  });

  if (driver === "postgres") {
    it("names a transaction older than the rotation, which keeps old row versions alive", async () => {
      const second = await openSecondInstance(handle);
      const pool = (second.db as unknown as { $client: pg.Pool }).$client;
      const client = await pool.connect();
      try {
        // A snapshot taken before the rotation, as a long request or a psql session holds one.
        await client.query("begin isolation level repeatable read");
        const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
        await rotateSealedColumns(handle.db, keyringV1V2, [fixture]);
        const result = await compactSealedTables(handle, [fixture], { waitMs: 300 });
        expect(result.heldBy).toEqual([rows[0]?.pid]);
      } finally {
        await client.query("rollback");
        client.release();
        await second.close();
      }
      expect((await compactSealedTables(handle, [fixture])).heldBy).toEqual([]);
    });
  }

  it("runs over every registered column of the migrated schema", async () => {
    const results = await rotateSealedColumns(handle.db, keyringV1V2);
    expect(results).toHaveLength(sealedColumns.length);
  });
});
