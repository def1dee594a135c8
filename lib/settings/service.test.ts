import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { admins, auditEvents, organizationSettings } from "@/db/schema";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { setBasicAuthEnabledSchema } from "./schema";
import { getOrganizationSettings, setBasicAuthEnabled } from "./service";

const admin = { type: "admin" as const, id: "adm_test", label: "ada@example.com" };
const context = { actor: admin, clientAddress: "192.0.2.10" };

describe.each(testDrivers)("organisation settings on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "unused", role: "owner" });
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    await handle.db
      .update(organizationSettings)
      .set({ basicAuthEnabled: true })
      .where(eq(organizationSettings.id, 1));
    await handle.db.delete(auditEvents);
  });

  it("has Basic authentication enabled after migration", async () => {
    const settings = await getOrganizationSettings(handle.db);
    expect(settings.basicAuthEnabled).toBe(true);
    expect(settings.updatedAt).toBeInstanceOf(Date);
    expect(await handle.db.select().from(organizationSettings)).toHaveLength(1);
  });

  it("switches Basic authentication off and on, auditing each change", async () => {
    const before = await getOrganizationSettings(handle.db);
    const off = await setBasicAuthEnabled(handle.db, false, context);
    expect(off).toMatchObject({ ok: true, changed: true, settings: { basicAuthEnabled: false } });
    expect(off.settings.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    expect((await getOrganizationSettings(handle.db)).basicAuthEnabled).toBe(false);
    const on = await setBasicAuthEnabled(handle.db, true, context);
    expect(on).toMatchObject({ ok: true, changed: true, settings: { basicAuthEnabled: true } });
    const events = await handle.db.select().from(auditEvents).orderBy(auditEvents.id);
    expect(events.map((event) => [event.action, event.details, event.actorLabel])).toEqual([
      ["settings.basic_auth_changed", { enabled: false }, "ada@example.com"],
      ["settings.basic_auth_changed", { enabled: true }, "ada@example.com"],
    ]);
    expect(events[0]?.clientAddress).toBe("192.0.2.10");
  });

  it("writes and audits nothing when the value is unchanged", async () => {
    const before = await getOrganizationSettings(handle.db);
    expect(await setBasicAuthEnabled(handle.db, true, context)).toEqual({
      ok: true,
      changed: false,
      settings: before,
    });
    expect(await handle.db.select().from(auditEvents)).toEqual([]);
  });

  it("records one change when two admins flip the switch the same way at once", async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => setBasicAuthEnabled(handle.db, false, context)),
    );
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(results.every((result) => result.settings.basicAuthEnabled === false)).toBe(true);
    expect(await handle.db.select().from(auditEvents)).toHaveLength(1);
  });
});

describe("the Basic authentication switch schema", () => {
  it("accepts a boolean and nothing else", () => {
    expect(setBasicAuthEnabledSchema.parse({ enabled: false })).toEqual({ enabled: false });
    expect(setBasicAuthEnabledSchema.safeParse({ enabled: "yes" }).error?.issues[0]?.message).toBe(
      "Choose Yes or No",
    );
    expect(setBasicAuthEnabledSchema.safeParse({ enabled: true, extra: 1 }).success).toBe(false);
  });
});
