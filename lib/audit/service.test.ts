import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { listAuditEvents, listAuditFacets, recordAudit } from "./service";

describe.each(testDrivers)("audit log on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    const base = Date.parse("2026-01-01T00:00:00Z");
    for (let index = 0; index < 30; index++) {
      await recordAudit(handle.db, {
        actor:
          index % 3 === 0
            ? { type: "anonymous", label: "eve@example.com" }
            : { type: "admin", id: "adm_1", label: "ada@example.com" },
        action: index % 3 === 0 ? "admin.sign_in_failed" : "admin.signed_in",
        clientAddress: "192.0.2.1",
        details: { index },
      });
      // Distinct, increasing times make "newest first" observable.
      await handle.db
        .update(auditEvents)
        .set({ occurredAt: new Date(base + index * 1000) })
        .where(eq(auditEvents.id, index + 1));
    }
  });
  afterAll(() => handle.close());

  it("lists newest first, a page at a time, with the total", async () => {
    const first = await listAuditEvents(handle.db, { page: 1, pageSize: 10 });
    expect(first.total).toBe(30);
    expect(first.events.map((event) => event.details.index)).toEqual([
      29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
    ]);
    const last = await listAuditEvents(handle.db, { page: 3, pageSize: 10 });
    expect(last.events.at(-1)?.details.index).toBe(0);
  });

  it("filters by action and by actor", async () => {
    const failed = await listAuditEvents(handle.db, {
      page: 1,
      pageSize: 50,
      action: "admin.sign_in_failed",
    });
    expect(failed.total).toBe(10);
    expect(failed.events.every((event) => event.action === "admin.sign_in_failed")).toBe(true);
    const ada = await listAuditEvents(handle.db, {
      page: 1,
      pageSize: 50,
      actor: "ada@example.com",
    });
    expect(ada.total).toBe(20);
    const none = await listAuditEvents(handle.db, {
      page: 1,
      pageSize: 50,
      actor: "ada@example.com",
      action: "admin.sign_in_failed",
    });
    expect(none).toEqual({ events: [], total: 0 });
  });

  it("offers the distinct actions and actors as filters", async () => {
    expect(await listAuditFacets(handle.db)).toEqual({
      actions: ["admin.sign_in_failed", "admin.signed_in"],
      actors: ["ada@example.com", "eve@example.com"],
    });
  });

  it("writes nothing when the transaction it joined rolls back", async () => {
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, {
          actor: { type: "system", label: "test" },
          action: "test.rolled_back",
        });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(
      (await listAuditEvents(handle.db, { page: 1, pageSize: 1, action: "test.rolled_back" }))
        .total,
    ).toBe(0);
  });
});
