import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  type AuditEvent,
  type AuditQuery,
  decodeAuditCursor,
  listAuditEvents,
  prefixEnd,
  recordAudit,
  searchAuditActors,
} from "./service";

const EVENTS = 250;
const ACTORS = ["ada@example.com", "Adam@Example.com", "eve@example.com", "zed@example.com"];

describe.each(testDrivers)("audit log on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    // Seven events share each timestamp (to the microsecond), so only the id tie-breaker keeps
    // pages apart; ids and times run in opposite directions within a group to prove it.
    await handle.db.execute(sql`
      insert into audit_events (occurred_at, actor_type, actor_label, action, details)
      select timestamptz '2026-01-01 00:00:00.123456+00' + (n / 7) * interval '1 second',
             'admin',
             (array['ada@example.com', 'Adam@Example.com', 'eve@example.com', 'zed@example.com'])[n % 4 + 1],
             (array['admin.signed_in', 'admin.sign_in_failed', 'till.created'])[n % 3 + 1],
             jsonb_build_object('n', n)
        from generate_series(0, ${EVENTS - 1}) as n`);
  });
  afterAll(() => handle.close());

  async function walk(query: Omit<AuditQuery, "cursor">): Promise<AuditEvent[]> {
    const seen: AuditEvent[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1000; pages++) {
      const page = await listAuditEvents(handle.db, { ...query, cursor });
      if (!page.ok) throw new Error(page.error);
      seen.push(...page.events);
      if (!page.nextCursor) return seen;
      expect(page.events).toHaveLength(query.limit);
      cursor = page.nextCursor;
    }
    throw new Error("the walk did not end");
  }

  /** What a full walk must return: every matching event, newest first, ties by id desc. */
  function expected(match: (n: number) => boolean): number[] {
    const all = Array.from({ length: EVENTS }, (_, n) => n).filter(match);
    return all.sort((a, b) => Math.floor(b / 7) - Math.floor(a / 7) || b - a);
  }
  const numbers = (events: AuditEvent[]) => events.map((event) => event.details.n);

  it("walks every event once, newest first, across pages that split equal timestamps", async () => {
    expect(numbers(await walk({ limit: 10 }))).toEqual(expected(() => true));
    // A page size that does not divide the group size or the total.
    expect(numbers(await walk({ limit: 13 }))).toEqual(expected(() => true));
  });

  it("says when there are no older events", async () => {
    const all = await listAuditEvents(handle.db, { limit: EVENTS });
    expect(all).toMatchObject({ ok: true, nextCursor: null });
    const first = await listAuditEvents(handle.db, { limit: EVENTS - 1 });
    if (!first.ok || !first.nextCursor) throw new Error("expected a next page");
    const last = await listAuditEvents(handle.db, { limit: 10, cursor: first.nextCursor });
    expect(last).toMatchObject({ ok: true, nextCursor: null });
    if (last.ok) expect(numbers(last.events)).toEqual([0]);
  });

  it("filters by action, by actor, and by both, page by page", async () => {
    expect(numbers(await walk({ limit: 9, action: "admin.sign_in_failed" }))).toEqual(
      expected((n) => n % 3 === 1),
    );
    expect(numbers(await walk({ limit: 9, actor: "Adam@Example.com" }))).toEqual(
      expected((n) => n % 4 === 1),
    );
    expect(
      numbers(await walk({ limit: 4, actor: "eve@example.com", action: "till.created" })),
    ).toEqual(expected((n) => n % 4 === 2 && n % 3 === 2));
    expect(await listAuditEvents(handle.db, { limit: 5, action: "api_group.deleted" })).toEqual({
      ok: true,
      events: [],
      nextCursor: null,
    });
  });

  it("refuses a cursor it could not have made, and one naming no event", async () => {
    for (const cursor of [
      "",
      "not a cursor",
      "bm90IGEgY3Vyc29y",
      Buffer.from("ae1.0").toString("base64url"),
      Buffer.from("ae1.-5").toString("base64url"),
      Buffer.from("ae1.99999999999999999").toString("base64url"),
      `${Buffer.from("ae1.12").toString("base64url")}=`,
      "x".repeat(5000),
    ]) {
      expect(decodeAuditCursor(cursor), cursor).toBeNull();
      expect(await listAuditEvents(handle.db, { limit: 5, cursor })).toEqual({
        ok: false,
        error: "invalid_cursor",
      });
    }
    const unknown = Buffer.from("ae1.987654").toString("base64url");
    expect(decodeAuditCursor(unknown)).toBe(987654);
    expect(await listAuditEvents(handle.db, { limit: 5, cursor: unknown })).toEqual({
      ok: false,
      error: "invalid_cursor",
    });
  });

  it("suggests actors by a case-insensitive prefix, each label once", async () => {
    expect(await searchAuditActors(handle.db, "", 10)).toEqual(
      [...ACTORS].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
    );
    expect(await searchAuditActors(handle.db, "ADA", 10)).toEqual([
      "ada@example.com",
      "Adam@Example.com",
    ]);
    expect(await searchAuditActors(handle.db, "ada", 1)).toEqual(["ada@example.com"]);
    expect(await searchAuditActors(handle.db, "adam@", 10)).toEqual(["Adam@Example.com"]);
    expect(await searchAuditActors(handle.db, "b", 10)).toEqual([]);
    expect(await searchAuditActors(handle.db, "%", 10)).toEqual([]);
    expect(await searchAuditActors(handle.db, "z\u{10ffff}", 10)).toEqual([]);
  });

  it("writes nothing when the transaction it joined rolls back", async () => {
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, {
          actor: { type: "system", label: "rollback-test" },
          action: "api_group.deleted",
        });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await listAuditEvents(handle.db, { limit: 1, action: "api_group.deleted" })).toEqual({
      ok: true,
      events: [],
      nextCursor: null,
    });
  });
});

describe("prefixEnd", () => {
  it("is the next string after every string with the prefix", () => {
    expect(prefixEnd("ada")).toBe("adb");
    expect(prefixEnd("a\u{10ffff}")).toBe("b");
    expect(prefixEnd("\u{10ffff}")).toBeNull();
    expect(prefixEnd("\u{d7ff}")).toBe("\u{e000}");
    expect(prefixEnd("")).toBeNull();
  });
});
