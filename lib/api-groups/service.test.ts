import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import {
  admins,
  apiClientPermissions,
  apiClients,
  apiGroups,
  auditEvents,
  tills,
} from "@/db/schema";
import { COUNT_CAP } from "@/lib/paging/contract";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createApiGroupSchema, deleteApiGroupSchema, RESERVED_GROUP_SLUGS } from "./schema";
import { createApiGroup, deleteApiGroup, describeGroupDeletion, listApiGroups } from "./service";

const admin = { type: "admin" as const, id: "adm_test", label: "ada@example.com" };
const context = { actor: admin, clientAddress: "192.0.2.10" };
const TILL_ID = "till_test";
const SEEDED = [
  ["grp_target_groups", "target-groups", "Target Groups"],
  ["grp_transaction", "transaction", "Transaction"],
  ["grp_integrations", "integrations", "Integrations"],
  ["grp_all", "all", "All (other APIs)"],
];

/** A client row with grants; the api-clients service has its own tests. */
async function clientWith(
  handle: DatabaseHandle,
  grants: Record<string, "read" | "write">,
): Promise<string> {
  const id = `cli_${randomBytes(6).toString("hex")}`;
  await handle.db.insert(apiClients).values({
    id,
    name: id,
    clientKey: `key_${id}`,
    secretHash: "0".repeat(64),
    secretPrefix: "adk_cs_0000…",
    tokenTtlMinutes: 60,
    tillId: TILL_ID,
    createdByLabel: admin.label,
  });
  const rows = Object.entries(grants).map(([groupId, level]) => ({ clientId: id, groupId, level }));
  if (rows.length) await handle.db.insert(apiClientPermissions).values(rows);
  return id;
}

async function custom(handle: DatabaseHandle, slug: string, name = `Group ${slug}`) {
  const result = await createApiGroup(
    handle.db,
    createApiGroupSchema.parse({ slug, name }),
    context,
  );
  if (!result.ok) throw new Error(result.error);
  return result.group;
}

describe.each(testDrivers)("API groups on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "unused", role: "owner" });
    await handle.db
      .insert(tills)
      .values({ id: TILL_ID, code: "t1", name: "Till", passwordHash: "unused" });
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    await handle.db.delete(apiClients);
    await handle.db.delete(apiGroups).where(eq(apiGroups.builtIn, false));
    await handle.db.delete(auditEvents);
  });

  it("has the seeded built-in groups after migration, in the seed's order", async () => {
    const groups = await listApiGroups(handle.db);
    expect(groups.map((group) => [group.id, group.slug, group.name])).toEqual(SEEDED);
    expect(groups.every((group) => group.builtIn && group.clientCount === 0)).toBe(true);
  });

  it("creates a custom group, audited, listed after the built-ins by name", async () => {
    const zeta = await custom(handle, "zeta", "zeta reports");
    expect(zeta).toEqual({
      id: expect.stringMatching(/^grp_[0-9a-f]{20}$/),
      slug: "zeta",
      name: "zeta reports",
      builtIn: false,
      createdAt: expect.any(Date),
    });
    await custom(handle, "loyalty", "Loyalty");
    await custom(handle, "alpha-2", "Alpha");
    const groups = await listApiGroups(handle.db);
    expect(groups.map((group) => group.name)).toEqual([
      ...SEEDED.map(([, , name]) => name),
      "Alpha",
      "Loyalty",
      "zeta reports",
    ]);
    const [event] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, zeta.id));
    expect(event).toMatchObject({
      action: "api_group.created",
      actorLabel: admin.label,
      details: { slug: "zeta", name: "zeta reports" },
    });
  });

  it("refuses a taken slug, a built-in's included, also when creates race", async () => {
    await custom(handle, "reports");
    for (const slug of ["reports", "all", "integrations"]) {
      expect(
        await createApiGroup(handle.db, createApiGroupSchema.parse({ slug, name: "x" }), context),
      ).toEqual({ ok: false, error: "slug_taken" });
    }
    const racing = await Promise.all(
      [1, 2, 3].map((index) =>
        createApiGroup(
          handle.db,
          createApiGroupSchema.parse({ slug: "race", name: `Race ${index}` }),
          context,
        ),
      ),
    );
    expect(racing.filter((result) => result.ok)).toHaveLength(1);
    expect(racing.filter((result) => !result.ok)).toHaveLength(2);
    expect(
      await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "api_group.created")),
    ).toHaveLength(2);
  });

  it("counts a group's clients up to one past the cap", async () => {
    await handle.db.execute(sql`
      insert into api_clients (id, name, client_key, secret_hash, secret_prefix,
        token_ttl_minutes, till_id, created_by_label)
      select 'cli_many' || n, 'Many ' || n, 'adk_ck_many' || n, 'x', 'x', 60, ${TILL_ID}, 'seed'
      from generate_series(1, ${COUNT_CAP + 5}) as n`);
    await handle.db.execute(sql`
      insert into api_client_permissions (client_id, group_id, level)
      select 'cli_many' || n, 'grp_all', 'read' from generate_series(1, ${COUNT_CAP + 5}) as n`);
    const all = (await listApiGroups(handle.db)).find((group) => group.slug === "all");
    expect(all?.clientCount).toBe(COUNT_CAP + 1);
  });

  it("counts the clients holding each group", async () => {
    const reports = await custom(handle, "reports");
    await clientWith(handle, { grp_all: "read", [reports.id]: "write" });
    await clientWith(handle, { grp_all: "write" });
    await clientWith(handle, {});
    const counts = Object.fromEntries(
      (await listApiGroups(handle.db)).map((group) => [group.slug, group.clientCount]),
    );
    expect(counts).toEqual({
      "target-groups": 0,
      transaction: 0,
      integrations: 0,
      all: 2,
      reports: 1,
    });
  });

  it("describes a deletion, then deletes the group with its grants and reports the count", async () => {
    const reports = await custom(handle, "reports");
    const first = await clientWith(handle, { grp_all: "read", [reports.id]: "write" });
    await clientWith(handle, { [reports.id]: "read" });
    const bystander = await clientWith(handle, { grp_all: "write" });
    expect(await describeGroupDeletion(handle.db, reports.id)).toEqual({
      group: reports,
      affectedClients: 2,
    });
    expect(await describeGroupDeletion(handle.db, "grp_missing")).toBeNull();

    expect(await deleteApiGroup(handle.db, reports.id, context)).toEqual({
      ok: true,
      deleted: reports,
      affectedClients: 2,
    });
    expect((await listApiGroups(handle.db)).map((group) => group.slug)).not.toContain("reports");
    const grants = await handle.db.select().from(apiClientPermissions);
    expect(grants.map((grant) => [grant.clientId, grant.groupId]).sort()).toEqual(
      [
        [first, "grp_all"],
        [bystander, "grp_all"],
      ].sort(),
    );
    // The clients themselves stay.
    expect(await handle.db.select({ id: apiClients.id }).from(apiClients)).toHaveLength(3);
    const [event] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "api_group.deleted"));
    expect(event).toMatchObject({
      targetId: reports.id,
      actorLabel: admin.label,
      details: { slug: "reports", name: "Group reports", affectedClients: 2 },
    });
    expect(await deleteApiGroup(handle.db, reports.id, context)).toEqual({
      ok: false,
      error: "not_found",
    });
  });

  it("refuses to delete a built-in group", async () => {
    await clientWith(handle, { grp_transaction: "read" });
    for (const [id] of SEEDED) {
      expect(await deleteApiGroup(handle.db, id as string, context)).toEqual({
        ok: false,
        error: "built_in",
      });
    }
    expect(await listApiGroups(handle.db)).toHaveLength(4);
    expect(await handle.db.select().from(apiClientPermissions)).toHaveLength(1);
    expect(await handle.db.select().from(auditEvents)).toEqual([]);
  });
});

describe("the API group schemas", () => {
  const errorsOf = (input: Record<string, unknown>) => {
    const result = createApiGroupSchema.safeParse({ name: "Reports", slug: "reports", ...input });
    return result.success
      ? {}
      : Object.fromEntries(
          result.error.issues.toReversed().map((issue) => [issue.path[0], issue.message]),
        );
  };

  it.each([
    [{ name: " " }, "name", "Enter a name"],
    [{ name: "n".repeat(61) }, "name", "Use at most 60 characters"],
    [{ slug: "" }, "slug", "Enter a slug"],
    [{ slug: "s".repeat(41) }, "slug", "Use at most 40 characters"],
    [{ slug: "Reports" }, "slug", "Use only lowercase letters, digits and hyphens"],
    [{ slug: "my_group" }, "slug", "Use only lowercase letters, digits and hyphens"],
    [{ slug: "a:b" }, "slug", "Use only lowercase letters, digits and hyphens"],
    [{ slug: "openid" }, "slug", "This word is reserved for OAuth scopes; choose another slug"],
    [{ slug: "write" }, "slug", "This word is reserved for OAuth scopes; choose another slug"],
  ])("rejects %j", (input, field, message) => {
    expect(errorsOf(input)).toEqual({ [field]: message });
  });

  it("accepts the allowed characters and limits, trimmed", () => {
    expect(
      createApiGroupSchema.parse({ name: ` ${"n".repeat(60)} `, slug: " reports-2024 " }),
    ).toEqual({ name: "n".repeat(60), slug: "reports-2024" });
    expect(createApiGroupSchema.parse({ name: "x", slug: "s".repeat(40) }).slug).toHaveLength(40);
  });

  it("reserves only slugs the slug rule would otherwise allow", () => {
    for (const slug of RESERVED_GROUP_SLUGS) expect(slug).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it("refuses unknown fields", () => {
    expect(createApiGroupSchema.safeParse({ name: "x", slug: "x", builtIn: true }).success).toBe(
      false,
    );
    expect(deleteApiGroupSchema.safeParse({ id: "grp_x", extra: 1 }).success).toBe(false);
  });
});
