import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { admins, apiClients, apiGroups, auditEvents, tills } from "@/db/schema";
import { createBasicVerifier } from "@/lib/api-auth/basic";
import { COUNT_CAP } from "@/lib/paging/contract";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createTillSchema, deleteTillSchema } from "./schema";
import { createTill, deleteTill, listTills } from "./service";

const admin = { type: "admin" as const, id: "adm_test", label: "ada@example.com" };
const context = { actor: admin, clientAddress: "192.0.2.10" };
const PASSWORD = "correct horse battery";

function tillInput(code: string, password = PASSWORD) {
  return createTillSchema.parse({ code, name: `Till ${code}`, password });
}

async function created(handle: DatabaseHandle, code: string) {
  const result = await createTill(handle.db, tillInput(code), context);
  if (!result.ok) throw new Error(result.error);
  return result.till;
}

/** An API client row pointing at the till; the api-clients service has its own tests. */
function clientValues(tillId: string) {
  const id = `cli_${randomBytes(6).toString("hex")}`;
  return {
    id,
    name: id,
    clientKey: `key_${id}`,
    secretHash: "0".repeat(64),
    secretPrefix: "adk_cs_0000…",
    tokenTtlMinutes: 60,
    tillId,
    createdByLabel: admin.label,
  };
}

describe.each(testDrivers)("tills on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "unused", role: "owner" });
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    await handle.db.delete(apiClients);
    await handle.db.delete(tills);
    await handle.db.delete(auditEvents);
  });

  it("creates a till with a scrypt hash of its password, audited without the password", async () => {
    const result = await createTill(handle.db, tillInput("Store-01.a_b"), context);
    if (!result.ok) throw new Error(result.error);
    expect(result.till).toEqual({
      id: expect.stringMatching(/^till_/),
      code: "Store-01.a_b",
      name: "Till Store-01.a_b",
      createdAt: expect.any(Date),
      scopes: [],
    });
    const [raw] = await queryRows<Record<string, unknown>>(handle.db, sql`select * from tills`);
    expect(raw?.password_hash).toMatch(/^scrypt\$/);
    expect(raw?.created_by_id).toBe(admin.id);
    const events = await handle.db.select().from(auditEvents);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "till.created",
      actorLabel: admin.label,
      targetId: result.till.id,
      details: { code: "Store-01.a_b", name: "Till Store-01.a_b", scopes: [] },
    });
    expect(JSON.stringify([raw, events])).not.toContain(PASSWORD);
  });

  it("stores the permissions chosen per API group, which Basic requests then carry", async () => {
    const groups = await handle.db.select().from(apiGroups);
    const idOf = (slug: string) => groups.find((group) => group.slug === slug)?.id ?? "";
    const result = await createTill(
      handle.db,
      createTillSchema.parse({
        code: "scoped",
        name: "Scoped",
        password: PASSWORD,
        permissions: {
          [idOf("transaction")]: "read",
          [idOf("all")]: "write",
          [idOf("target-groups")]: "none",
        },
      }),
      context,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.till.scopes).toEqual(["all:read", "all:write", "transaction:read"]);
    expect((await listTills(handle.db)).items[0]?.scopes).toEqual(result.till.scopes);
    const [event] = await handle.db.select().from(auditEvents);
    expect(event?.details).toMatchObject({ scopes: result.till.scopes });
    const verified = await createBasicVerifier().verify(
      handle.db,
      { code: "scoped", password: PASSWORD },
      null,
    );
    expect(verified).toMatchObject({ ok: true, scopes: result.till.scopes });

    expect(
      await createTill(
        handle.db,
        createTillSchema.parse({
          code: "ghost",
          name: "Ghost",
          password: PASSWORD,
          permissions: { grp_gone: "read" },
        }),
        context,
      ),
    ).toEqual({ ok: false, error: "group_not_found", groupIds: ["grp_gone"] });
    expect((await listTills(handle.db)).items.map((till) => till.code)).toEqual(["scoped"]);
  });

  it("refuses a code taken in any case, also when creates race", async () => {
    await created(handle, "front-desk");
    expect(await createTill(handle.db, tillInput("FRONT-DESK"), context)).toEqual({
      ok: false,
      error: "code_taken",
    });
    const racing = await Promise.all(
      ["race", "RACE", "Race"].map((code) => createTill(handle.db, tillInput(code), context)),
    );
    expect(racing.filter((result) => result.ok)).toHaveLength(1);
    expect(racing.filter((result) => !result.ok)).toEqual([
      { ok: false, error: "code_taken" },
      { ok: false, error: "code_taken" },
    ]);
    // The losers' audit events rolled back with their inserts.
    expect(
      await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "till.created")),
    ).toHaveLength(2);
  });

  it("counts a till's API clients up to one past the cap", async () => {
    const busy = await created(handle, "busy");
    await handle.db.execute(sql`
      insert into api_clients (id, name, client_key, secret_hash, secret_prefix,
        token_ttl_minutes, till_id, created_by_label)
      select 'cli_busy' || n, 'Busy ' || n, 'adk_ck_busy' || n, 'x', 'x', 60, ${busy.id}, 'seed'
      from generate_series(1, ${COUNT_CAP + 5}) as n`);
    expect((await listTills(handle.db)).items).toMatchObject([
      { code: "busy", apiClientCount: COUNT_CAP + 1 },
    ]);
    await handle.db.delete(apiClients);
  });

  it("lists tills by code with how many API clients use each, never the hash", async () => {
    const b = await created(handle, "b-till");
    const a = await created(handle, "A-till");
    await handle.db.insert(apiClients).values([clientValues(b.id), clientValues(b.id)]);
    const { items: list } = await listTills(handle.db);
    expect(list.map((till) => [till.code, till.apiClientCount])).toEqual([
      ["A-till", 0],
      ["b-till", 2],
    ]);
    expect(list[0]).toEqual({ ...a, apiClientCount: 0 });
    expect(JSON.stringify(list)).not.toContain("scrypt");
  });

  it("refuses to delete a till while an API client uses it, and deletes it after", async () => {
    const till = await created(handle, "busy");
    const client = clientValues(till.id);
    await handle.db.insert(apiClients).values([client, clientValues(till.id)]);
    expect(await deleteTill(handle.db, till.id, context)).toEqual({
      ok: false,
      error: "till_in_use",
      apiClientCount: 2,
      message: "2 API clients use this till. Delete those clients first.",
    });
    await handle.db.delete(apiClients).where(eq(apiClients.id, client.id));
    expect(await deleteTill(handle.db, till.id, context)).toMatchObject({
      error: "till_in_use",
      apiClientCount: 1,
      message: "1 API client uses this till. Delete that client first.",
    });
    await handle.db.delete(apiClients);
    expect(await deleteTill(handle.db, till.id, context)).toEqual({
      ok: true,
      deleted: { id: till.id, code: "busy", name: "Till busy" },
    });
    expect(await listTills(handle.db)).toEqual({ items: [], nextCursor: null });
    expect(await deleteTill(handle.db, till.id, context)).toEqual({
      ok: false,
      error: "not_found",
    });
    const events = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "till.deleted"))
      .orderBy(auditEvents.id);
    expect(events.map((event) => [event.targetId, event.details])).toEqual([
      [till.id, { code: "busy", name: "Till busy" }],
    ]);
  });

  // Staging the race needs a second connection, which only PostgreSQL has (PGlite has one).
  if (driver === "postgres")
    it("maps the foreign key's refusal to till_in_use when a client appears mid-delete", async () => {
      const till = await created(handle, "contested");
      const pool = (handle.db as unknown as { $client: pg.Pool }).$client;
      const other = await pool.connect();
      try {
        // Another admin's registration, not yet committed: the delete's count cannot see it.
        await other.query("begin");
        const client = clientValues(till.id);
        await other.query(
          `insert into api_clients (id, name, client_key, secret_hash, secret_prefix,
             token_ttl_minutes, till_id, created_by_label) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            client.id,
            client.name,
            client.clientKey,
            client.secretHash,
            client.secretPrefix,
            60,
            till.id,
            admin.label,
          ],
        );
        const deleting = deleteTill(handle.db, till.id, context);
        // Commit only once the delete waits on the inserted row's lock, past its count.
        for (let attempt = 0; attempt < 100; attempt++) {
          const [waiting] = await queryRows<{ total: number }>(
            handle.db,
            sql`select count(*)::int as total from pg_stat_activity
                where datname = current_database() and wait_event_type = 'Lock'`,
          );
          if ((waiting?.total ?? 0) > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await other.query("commit");
        expect(await deleting).toEqual({
          ok: false,
          error: "till_in_use",
          apiClientCount: 1,
          message: "1 API client uses this till. Delete that client first.",
        });
      } finally {
        other.release();
      }
      expect((await listTills(handle.db)).items).toMatchObject([
        { code: "contested", apiClientCount: 1 },
      ]);
      expect(
        await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "till.deleted")),
      ).toEqual([]);
    });

  it("a created till signs in over Basic with its code in any case and only its password", async () => {
    const till = await created(handle, "Basic-1");
    const verifier = createBasicVerifier();
    const signIn = (code: string, password: string) =>
      verifier.verify(handle.db, { code, password }, context.clientAddress);
    expect(await signIn("basic-1", PASSWORD)).toMatchObject({ ok: true, tillId: till.id });
    for (const wrong of [`${PASSWORD}!`, "", "x".repeat(100_000)]) {
      expect(await signIn("Basic-1", wrong)).toEqual({ ok: false, error: "invalid_credentials" });
    }
  });
});

describe("the till schemas", () => {
  const valid = { code: "t1", name: "Till one", password: "twelve-chars" };
  const errorsOf = (input: Record<string, unknown>) => {
    const result = createTillSchema.safeParse({ ...valid, ...input });
    return result.success
      ? {}
      : Object.fromEntries(
          result.error.issues.toReversed().map((issue) => [issue.path[0], issue.message]),
        );
  };

  it.each([
    [{ code: "" }, "code", "Enter a till code"],
    [{ code: "   " }, "code", "Enter a till code"],
    [{ code: "x".repeat(33) }, "code", "Use at most 32 characters"],
    [
      { code: "user:pass" },
      "code",
      "Use only letters, digits, dots, underscores and hyphens (no spaces)",
    ],
    [
      { code: "two words" },
      "code",
      "Use only letters, digits, dots, underscores and hyphens (no spaces)",
    ],
    [{ name: "" }, "name", "Enter a name"],
    [{ name: "n".repeat(101) }, "name", "Use at most 100 characters"],
    [{ password: "eleven-char" }, "password", "Use at least 12 characters"],
    [{ password: "p".repeat(129) }, "password", "Use at most 128 characters"],
    [{ password: undefined }, "password", "Enter a password"],
  ])("rejects %j", (input, field, message) => {
    expect(errorsOf(input)).toEqual({ [field]: message });
  });

  it("trims code and name but keeps every character of the password", () => {
    expect(
      createTillSchema.parse({ code: " t-1 ", name: " Front ", password: " spaced pass " }),
    ).toEqual({ code: "t-1", name: "Front", password: " spaced pass ", permissions: {} });
    expect(createTillSchema.parse({ ...valid, code: "x".repeat(32) }).code).toHaveLength(32);
  });

  it("refuses unknown fields", () => {
    expect(createTillSchema.safeParse({ ...valid, passwordHash: "x" }).success).toBe(false);
    expect(deleteTillSchema.safeParse({ id: "till_1", force: true }).success).toBe(false);
    expect(deleteTillSchema.parse({ id: "till_1" })).toEqual({ id: "till_1" });
  });
});
