import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { admins, apiGroups } from "@/db/schema";
import { createApiGroup, deleteApiGroup } from "@/lib/api-groups/service";
import { countingDatabase } from "@/lib/testing/counting-database";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { authorizationServerMetadata, SCOPES_TTL_MS } from "./metadata";

const admin = { type: "admin" as const, id: "adm_meta", label: "meta@example.com" };
const context = { actor: admin, clientAddress: null };

describe.each(testDrivers)("authorization server metadata on %s", (driver) => {
  let handle: DatabaseHandle;
  let clock = 0;
  const now = () => clock;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "x", role: "owner" });
  });
  afterAll(() => handle?.close());

  it("reads the API groups once per few seconds, and afresh at once when the console changes them", async () => {
    const counting = countingDatabase(handle.db);
    const scopes = async () =>
      (await authorizationServerMetadata(counting.db, "https://authdesk.example", now))
        .scopes_supported;

    // Concurrent first requests share one read; later ones within the TTL read nothing.
    const first = await Promise.all([scopes(), scopes(), scopes()]);
    expect(first[0]).toContain("all:read");
    expect(counting.calls()).toBe(1);
    clock += SCOPES_TTL_MS - 1;
    await scopes();
    expect(counting.calls()).toBe(1);

    // A group written behind the service's back (another instance) shows once the TTL is over.
    await handle.db.insert(apiGroups).values({ id: "grp_other", slug: "other", name: "Other" });
    expect(await scopes()).not.toContain("other:read");
    clock += 1;
    expect(await scopes()).toContain("other:read");
    expect(counting.calls()).toBe(2);

    // Through the service (this instance's console), at once.
    const created = await createApiGroup(handle.db, { name: "Loyalty", slug: "loyalty" }, context);
    if (!created.ok) throw new Error(created.error);
    expect(await scopes()).toContain("loyalty:write");
    await deleteApiGroup(handle.db, created.group.id, context);
    expect(await scopes()).not.toContain("loyalty:write");
    expect(counting.calls()).toBe(4);
    await handle.db.delete(apiGroups).where(eq(apiGroups.id, "grp_other"));
  });
});
