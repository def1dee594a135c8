import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, type Executor, queryRows } from "@/db/client";
import { apiClientPageQuery, listApiClients } from "@/lib/api-clients/service";
import { authConfigPageQuery, listAuthConfigs } from "@/lib/auth-configs/service";
import { integrationPageQuery, listIntegrations } from "@/lib/integrations/service";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { listTills, tillPageQuery } from "@/lib/tills/service";
import { listQuerySchema, type Page } from "./contract";
import { decodeCursor, encodeCursor } from "./keyset";
import { InvalidCursorError, type ListOptions } from "./list-query";

/**
 * What every console list promises, checked on each of the four: keyset pages in the order of
 * the lower-cased key then id, searches served by indexes, cursors that survive their row's
 * deletion and refuse what is not ours.
 */
type ListCase = {
  name: string;
  table: string;
  /** Whether two rows may share a key in any case (tills and auth configs refuse it). */
  equalKeys: boolean;
  insert: (db: Executor, keys: string[]) => Promise<void>;
  /** A page of the list, each row as its id and the key it is ordered by. */
  list: (db: Executor, options: ListOptions) => Promise<Page<KeyedRow>>;
  query: (db: Executor, options: ListOptions, limit: number) => { getSQL(): SQL };
  /** Another searched column: its value for a key, and a term that only it holds. */
  other?: { term: string };
};

const values = (rows: SQL[]) => sql.join(rows, sql`, `);

type KeyedRow = { id: string; key: string };

/** A list whose rows are reduced to their id and order key, so every case reads alike. */
function keyed<Row extends { id: string }>(
  list: (db: Executor, options: ListOptions) => Promise<Page<Row>>,
  keyOf: (row: Row) => string,
): ListCase["list"] {
  return async (db, options) => {
    const page = await list(db, options);
    return { ...page, items: page.items.map((row) => ({ id: row.id, key: keyOf(row) })) };
  };
}

const lists: ListCase[] = [
  {
    name: "API clients",
    table: "api_clients",
    equalKeys: true,
    insert: async (db, keys) => {
      await db.execute(sql`insert into tills (id, code, name, password_hash)
        values ('till_lists', 'lists', 'Lists', 'x') on conflict do nothing`);
      await db.execute(sql`insert into api_clients (id, name, client_key, secret_hash,
        secret_prefix, token_ttl_minutes, till_id, created_by_label) values ${values(
          keys.map(
            (key, i) =>
              sql`(${`cli_${i}x${randomUUID().slice(0, 8)}`}, ${key}, ${`adk_ck_${i}qzkey${randomUUID()}`}, 'x', 'x', 60, 'till_lists', 'seed')`,
          ),
        )}`);
    },
    list: keyed(listApiClients, (row) => row.name),
    query: apiClientPageQuery,
    other: { term: "qzkey" },
  },
  {
    name: "auth configs",
    table: "auth_configs",
    equalKeys: false,
    insert: async (db, keys) => {
      await db.execute(sql`insert into auth_configs (id, identifier, type, token_url_sealed,
        scope_sealed, client_id_sealed, client_secret_sealed, auth_method, created_by_label)
        values ${values(
          keys.map(
            (key) =>
              sql`(${`cfg_${randomUUID().slice(0, 12)}`}, ${key}, 'oauth2_client_credentials', 'x', 'x', 'x', 'x', 'client_secret_basic', 'seed')`,
          ),
        )}`);
    },
    list: keyed(listAuthConfigs, (row) => row.identifier),
    query: authConfigPageQuery,
  },
  {
    name: "integrations",
    table: "integrations",
    equalKeys: true,
    insert: async (db, keys) => {
      await db.execute(
        sql`insert into integrations (id, name, created_by_label) values ${values(
          keys.map((key) => sql`(${randomUUID()}, ${key}, 'seed')`),
        )}`,
      );
    },
    list: keyed(listIntegrations, (row) => row.name),
    query: integrationPageQuery,
  },
  {
    name: "tills",
    table: "tills",
    equalKeys: false,
    insert: async (db, keys) => {
      await db.execute(
        sql`insert into tills (id, code, name, password_hash) values ${values(
          keys.map(
            (key) => sql`(${`till_${randomUUID().slice(0, 12)}`}, ${key}, ${`Qzname ${key}`}, 'x')`,
          ),
        )}`,
      );
    },
    list: keyed(listTills, (row) => row.code),
    query: tillPageQuery,
    other: { term: "qzname" },
  },
];

/** Every page of a list, following the cursors; fails on a page over `limit`. */
async function allPages(
  db: Executor,
  list: ListCase,
  options: ListOptions,
  limit: number,
): Promise<string[]> {
  const keys: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await list.list(db, { ...options, after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    keys.push(...page.items.map((item) => item.key));
    if (!page.nextCursor) return keys;
    after = page.nextCursor;
  }
  throw new Error("the list did not end");
}

/** The order the lists promise: lower-cased key in byte order, then id (not compared here). */
const byLowerKey = (keys: string[]) =>
  [...keys].sort((a, b) => {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  });

describe.each(testDrivers)("lists on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await handle?.close();
  });

  describe.each(lists)("$name", (list) => {
    beforeEach(async () => {
      // API clients first: they hold their till.
      await handle.db.execute(sql`delete from api_clients`);
      await handle.db.execute(sql.raw(`delete from ${list.table}`));
    });

    it("pages in key order, any case, ties by id, with no gap or repeat", async () => {
      const keys = list.equalKeys
        ? ["b", "A", "a", "C", "a_1", "B", "a", "Ab", "aB"]
        : ["b", "A", "C", "a_1", "Bb", "ab", "Ac", "é-last", "zz"];
      await list.insert(handle.db, keys);
      for (const limit of [1, 2, 4, 50]) {
        const seen = await allPages(handle.db, list, {}, limit);
        expect(seen.map((key) => key.toLowerCase())).toEqual(
          byLowerKey(keys).map((key) => key.toLowerCase()),
        );
        expect([...seen].sort()).toEqual([...keys].sort());
      }
      // Equal keys in any case come in id order, the tie-breaker.
      const page = await list.list(handle.db, { limit: 50 });
      const ids = page.items.map((item) => item.id);
      const keyed = page.items.map((item) => item.key.toLowerCase());
      for (let i = 1; i < ids.length; i++)
        if (keyed[i] === keyed[i - 1]) expect(String(ids[i]) > String(ids[i - 1])).toBe(true);
    });

    it("continues after a cursor whose row was deleted meanwhile", async () => {
      await list.insert(handle.db, ["k1", "k2", "k3", "k4", "k5"]);
      const first = await list.list(handle.db, { limit: 2 });
      expect(first.items.map((item) => item.key)).toEqual(["k1", "k2"]);
      const last = first.items[1];
      if (!last) throw new Error("the first page should hold two rows");
      await handle.db.execute(sql`delete from ${sql.identifier(list.table)} where id = ${last.id}`);
      const next = await list.list(handle.db, { limit: 2, after: first.nextCursor ?? undefined });
      expect(next.items.map((item) => item.key)).toEqual(["k3", "k4"]);
    });

    it("searches any part of 3+ characters across pages, wildcards taken literally", async () => {
      const keys = ["Zeta sync", "alpha SYNC 1", "beta", "gamma-sync", "50%_off", "a\\b"];
      await list.insert(handle.db, keys);
      // Load more inside a search: every match, each once, in order.
      expect(await allPages(handle.db, list, { search: "Sync" }, 1)).toEqual([
        "alpha SYNC 1",
        "gamma-sync",
        "Zeta sync",
      ]);
      expect(await allPages(handle.db, list, { search: "0%_" }, 2)).toEqual(["50%_off"]);
      expect(await allPages(handle.db, list, { search: "%%%" }, 2)).toEqual([]);
      expect(await allPages(handle.db, list, { search: "___" }, 2)).toEqual([]);
      expect(await allPages(handle.db, list, { search: "a\\b" }, 2)).toEqual(["a\\b"]);
      expect(await allPages(handle.db, list, { search: "nothing" }, 2)).toEqual([]);
      if (list.other) {
        expect((await allPages(handle.db, list, { search: list.other.term }, 2)).length).toBe(
          keys.length,
        );
      }
    });

    it("matches the start of the key for a search of 1 or 2 characters", async () => {
      await list.insert(handle.db, ["Alpha", "alps", "Beta", "xa", "a_1", "_x"]);
      expect(await allPages(handle.db, list, { search: "a" }, 2)).toEqual(["a_1", "Alpha", "alps"]);
      expect(await allPages(handle.db, list, { search: "AL" }, 1)).toEqual(["Alpha", "alps"]);
      // Not a substring: "xa" holds an "a" but does not start with one.
      expect(await allPages(handle.db, list, { search: "a_" }, 2)).toEqual(["a_1"]);
      expect(await allPages(handle.db, list, { search: "_" }, 2)).toEqual(["_x"]);
      expect(await allPages(handle.db, list, { search: "%" }, 2)).toEqual([]);
    });

    it("refuses a cursor that is not ours", async () => {
      await list.insert(handle.db, ["k1"]);
      for (const after of ["not-a-cursor", encodeCursor({ key: "k", id: "" }).slice(2), "e30"]) {
        await expect(list.list(handle.db, { after })).rejects.toBeInstanceOf(InvalidCursorError);
      }
    });

    it("serves first pages, later pages and every kind of search from indexes", async () => {
      await list.insert(
        handle.db,
        Array.from({ length: 30 }, (_, i) => `row ${String(i).padStart(3, "0")}`),
      );
      const cursor = encodeCursor({ key: "row 010", id: "00000000-0000-0000-0000-000000000000" });
      const cases: ListOptions[] = [
        {},
        { after: cursor },
        { search: "row 01" },
        { search: "ro" },
        { search: "r" },
        { search: "row", after: cursor },
      ];
      for (const options of cases) {
        const text = await planOf(handle.db, list, options);
        // With sequential scans priced out, a plan that still reads the table sequentially is
        // one that no index can serve.
        expect(text, JSON.stringify(options)).not.toMatch(
          new RegExp(`Seq Scan on ${list.table}\\b`),
        );
        // A full walk of the order index would pass the line above while reading every row:
        // a cursor must be the index's condition, and a search must be served by a bitmap
        // scan, which only an index that matches the search's own condition can give.
        if (options.after && !options.search)
          expect(text, JSON.stringify(options)).toMatch(/Index Cond/);
        if (options.search) {
          const bitmapOnly = await planOf(handle.db, list, options, { bitmapOnly: true });
          expect(bitmapOnly, JSON.stringify(options)).not.toMatch(
            new RegExp(`Seq Scan on ${list.table}\\b`),
          );
        }
      }
    });
  });
});

describe("the list query", () => {
  it("takes a search and a cursor, nothing else", () => {
    expect(listQuerySchema.safeParse({ search: " a ", after: "abc_-" }).data).toEqual({
      search: "a",
      after: "abc_-",
    });
    for (const input of [
      { after: "not base64!" },
      { after: "" },
      { after: 1 },
      { search: "x".repeat(65) },
      { limit: 1000 },
    ])
      expect(listQuerySchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });

  it("decodes only cursors of its own shape", () => {
    const cursor = encodeCursor({ key: "Ab", id: "cli_1" });
    expect(decodeCursor(cursor)).toEqual({ key: "Ab", id: "cli_1" });
    for (const text of ["", "e30", "bm90IGpzb24", encodeCursor({ key: "a", id: "" })])
      expect(decodeCursor(text), text).toBeNull();
  });
});

/** The plan of a list's page query, with sequential scans (and, if asked, index walks) priced out. */
async function planOf(
  db: Executor,
  list: ListCase,
  options: ListOptions,
  { bitmapOnly = false } = {},
): Promise<string> {
  const plan = await db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    if (bitmapOnly) {
      await tx.execute(sql`set local enable_indexscan = off`);
      await tx.execute(sql`set local enable_indexonlyscan = off`);
    }
    return queryRows<{ "QUERY PLAN": string }>(
      tx,
      sql`explain ${list.query(tx, options, 50).getSQL()}`,
    );
  });
  return plan.map((row) => row["QUERY PLAN"]).join("\n");
}
