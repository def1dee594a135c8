import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import {
  admins,
  apiClientPermissions,
  apiClients,
  apiGroups,
  auditEvents,
  revokedAccessTokens,
  tills,
} from "@/db/schema";
import { createApiGroup, deleteApiGroup } from "@/lib/api-groups/service";
import { PAGE_SIZE, type Page } from "@/lib/paging/contract";
import { encodeCursor } from "@/lib/paging/keyset";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createTill, deleteTill } from "@/lib/tills/service";
import { hashCredential, isWellFormedCredential, visiblePrefix } from "./credentials";
import {
  deleteApiClientSchema,
  registerApiClientSchema,
  registerApiClientSchemaFor,
} from "./schema";
import * as service from "./service";

const admin = { type: "admin" as const, id: "adm_test", label: "ada@example.com" };
const context = { actor: admin, clientAddress: "192.0.2.10" };
const TILL = { id: "till_main", code: "Main-Till", name: "Main till" };

const parse = (input: Record<string, unknown> = {}) =>
  registerApiClientSchema.parse({ name: "Loyalty sync", tillId: TILL.id, ...input });

async function registered(handle: DatabaseHandle, input: Record<string, unknown> = {}) {
  const result = await service.registerApiClient(handle.db, parse(input), context);
  if (!result.ok) throw new Error(result.error);
  return result;
}

/** A revocation row: the one table besides permissions that references a client. */
async function revocationFor(handle: DatabaseHandle, clientId: string) {
  const tokenId = randomBytes(16).toString("base64url");
  await handle.db.insert(revokedAccessTokens).values({
    tokenId,
    clientId,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  return tokenId;
}

/** Every row of every table, as text: where a leaked secret would show up. */
async function everyRow(handle: DatabaseHandle): Promise<Record<string, string>> {
  const tables = await queryRows<{ table_schema: string; table_name: string }>(
    handle.db,
    sql`select table_schema, table_name from information_schema.tables
        where table_type = 'BASE TABLE'
          and table_schema not in ('pg_catalog', 'information_schema')`,
  );
  const dump: Record<string, string> = {};
  for (const { table_schema, table_name } of tables) {
    const rows = await queryRows(
      handle.db,
      sql`select * from ${sql.identifier(table_schema)}.${sql.identifier(table_name)}`,
    );
    dump[`${table_schema}.${table_name}`] = JSON.stringify(rows);
  }
  return dump;
}

/**
 * Runs `statement` in another connection's open transaction, starts `action`, and commits only
 * once `action` waits on that transaction's row lock: the action then sees the change only
 * through its foreign key check, after its own reads said all was well.
 */
async function committedMidway<T>(
  handle: DatabaseHandle,
  statement: string,
  params: unknown[],
  action: () => Promise<T>,
): Promise<T> {
  const pool = (handle.db as unknown as { $client: pg.Pool }).$client;
  const other = await pool.connect();
  try {
    await other.query("begin");
    await other.query(statement, params);
    const pending = action();
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
    return await pending;
  } finally {
    other.release();
  }
}

describe.each(testDrivers)("API clients on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "unused", role: "owner" });
    // A till row without the scrypt cost; the tills service has its own tests.
    await handle.db.insert(tills).values({ ...TILL, passwordHash: "unused" });
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    await handle.db.delete(apiClients);
    await handle.db.delete(apiGroups).where(eq(apiGroups.builtIn, false));
    await handle.db.delete(tills).where(sql`${tills.id} <> ${TILL.id}`);
    await handle.db.delete(auditEvents);
  });

  it("registers a client and returns its key and secret, in their formats", async () => {
    const result = await registered(handle, {
      description: "Nightly points export",
      tokenTtlMinutes: 90,
      permissions: { grp_target_groups: "read", grp_integrations: "write", grp_all: "none" },
    });
    expect(isWellFormedCredential(result.clientKey, "client_key")).toBe(true);
    expect(isWellFormedCredential(result.clientSecret, "client_secret")).toBe(true);
    expect(result.client).toEqual({
      id: expect.stringMatching(/^cli_/),
      name: "Loyalty sync",
      description: "Nightly points export",
      clientKey: result.clientKey,
      secretPrefix: visiblePrefix(result.clientSecret),
      tokenTtlMinutes: 90,
      permissions: [
        {
          groupId: "grp_target_groups",
          slug: "target-groups",
          name: "Target Groups",
          level: "read",
        },
        { groupId: "grp_integrations", slug: "integrations", name: "Integrations", level: "write" },
      ],
      scopes: ["INTEGRATION_API", "integrations:read", "integrations:write", "target-groups:read"],
      till: TILL,
      createdBy: admin.label,
      createdAt: expect.any(Date),
      lastUsedAt: null,
      secretRolledAt: null,
      previousSecretPrefix: null,
      previousSecretExpiresAt: null,
      tokensValidAfter: null,
    });
    expect(result.client.secretPrefix).toMatch(/^adk_cs_.{4}…$/);
    // "none" is the absence of a grant, not a row.
    expect(await handle.db.select().from(apiClientPermissions)).toHaveLength(2);
  });

  it("keeps only the secret's hash: no table, audit log included, holds the secret", async () => {
    const { client, clientSecret } = await registered(handle, {
      permissions: { grp_all: "write" },
    });
    await revocationFor(handle, client.id);
    const [raw] = await queryRows<Record<string, unknown>>(
      handle.db,
      sql`select * from api_clients`,
    );
    expect(raw?.secret_hash).toBe(hashCredential(clientSecret));
    expect(raw?.secret_prefix).toBe(visiblePrefix(clientSecret));
    const dump = await everyRow(handle);
    expect(Object.keys(dump)).toEqual(
      expect.arrayContaining([
        "public.api_clients",
        "public.api_client_permissions",
        "public.revoked_access_tokens",
        "public.audit_events",
      ]),
    );
    expect(dump["public.audit_events"]).toContain("api_client.registered");
    // The whole secret, and its random part past what the visible prefix shows.
    const hidden = clientSecret.slice(visiblePrefix(clientSecret).length - 1);
    for (const [table, rows] of Object.entries(dump)) {
      expect(rows, table).not.toContain(clientSecret);
      expect(rows, table).not.toContain(hidden);
    }
  });

  it("never returns the secret or its hash after registration", async () => {
    const { client, clientSecret } = await registered(handle);
    const hash = hashCredential(clientSecret);
    const reads = [
      await service.getApiClient(handle.db, client.id),
      await service.listApiClients(handle.db),
    ];
    for (const read of reads) {
      const text = JSON.stringify(read);
      expect(text).not.toContain(clientSecret);
      expect(text).not.toContain(hash);
      expect(text).not.toMatch(/secretHash|secret_hash|clientSecret/);
    }
    expect(await service.getApiClient(handle.db, client.id)).toEqual(client);
    expect(await service.getApiClient(handle.db, "cli_missing")).toBeNull();
  });

  it("gives every client its own key and secret", async () => {
    const first = await registered(handle);
    const second = await registered(handle);
    expect(second.clientKey).not.toBe(first.clientKey);
    expect(second.clientSecret).not.toBe(first.clientSecret);
    expect(second.client.id).not.toBe(first.client.id);
  });

  it("audits the registration with till and permissions, never the secret", async () => {
    const { client, clientKey, clientSecret } = await registered(handle, {
      tokenTtlMinutes: 5,
      permissions: { grp_transaction: "write", grp_all: "read" },
    });
    const events = await handle.db.select().from(auditEvents);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "api_client.registered",
      actorType: "admin",
      actorId: admin.id,
      actorLabel: admin.label,
      targetType: "api_client",
      targetId: client.id,
      clientAddress: "192.0.2.10",
      details: {
        name: "Loyalty sync",
        clientKey,
        tillCode: "Main-Till",
        tokenTtlMinutes: 5,
        permissions: { transaction: "write", all: "read" },
      },
    });
    expect(JSON.stringify(events)).not.toContain(clientSecret);
  });

  it("refuses an unknown till or group, writing nothing", async () => {
    expect(
      await service.registerApiClient(handle.db, parse({ tillId: "till_missing" }), context),
    ).toEqual({ ok: false, error: "till_not_found" });
    expect(
      await service.registerApiClient(
        handle.db,
        parse({ permissions: { grp_all: "read", grp_gone: "write", grp_old: "none" } }),
        context,
      ),
    ).toEqual({ ok: false, error: "group_not_found", groupIds: ["grp_gone"] });
    expect(await service.listApiClients(handle.db)).toEqual({ items: [], nextCursor: null });
    expect(await handle.db.select().from(auditEvents)).toEqual([]);
  });

  it("lists clients by name with permissions in group order, custom groups included", async () => {
    const custom = await createApiGroup(handle.db, { slug: "reports", name: "Reports" }, context);
    if (!custom.ok) throw new Error(custom.error);
    await registered(handle, { name: "zeta" });
    await registered(handle, {
      name: "Alpha",
      permissions: { [custom.group.id]: "read", grp_all: "write", grp_target_groups: "read" },
    });
    await registered(handle, { name: "beta" });
    const { items: list } = await service.listApiClients(handle.db);
    expect(list.map((client) => client.name)).toEqual(["Alpha", "beta", "zeta"]);
    expect(list[0]?.permissions.map((permission) => [permission.slug, permission.level])).toEqual([
      ["target-groups", "read"],
      ["all", "write"],
      ["reports", "read"],
    ]);
    expect(list[0]?.scopes).toEqual([
      "all:read",
      "all:write",
      "reports:read",
      "target-groups:read",
    ]);
    expect(list[1]).toMatchObject({ permissions: [], scopes: [] });
  });

  it("pages by name in any case, ties by id, and searches name or key", async () => {
    const names = ["b", "A", "a", "C", "a_1", "B"];
    const keys = new Map<string, string>();
    for (const name of names) keys.set(name, (await registered(handle, { name })).clientKey);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await service.listApiClients(handle.db, { after, limit: 2 });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((client) => client.name));
      after = page.nextCursor ?? undefined;
    } while (after);
    // Equal names in any case come in id order, which differs between collations: each page
    // must still start where the last one ended, losing and repeating none.
    expect(seen.map((name) => name.toLowerCase())).toEqual(["a", "a", "a_1", "b", "b", "c"]);
    expect(new Set(seen)).toEqual(new Set(names));

    // `_` and `%` are letters here, not wildcards.
    const underscore = await service.listApiClients(handle.db, { search: "a_" });
    expect(underscore.items.map((client) => client.name)).toEqual(["a_1"]);
    expect((await service.listApiClients(handle.db, { search: "%" })).items).toEqual([]);
    const byKey = await service.listApiClients(handle.db, {
      search: keys.get("C")?.slice(7, 20).toLowerCase(),
    });
    expect(byKey.items.map((client) => client.name)).toEqual(["C"]);
  });

  it("deletes a client with its permissions and revocations, audited", async () => {
    const doomed = await registered(handle, { permissions: { grp_all: "read" } });
    const kept = await registered(handle, { name: "Kept", permissions: { grp_all: "read" } });
    await revocationFor(handle, doomed.client.id);
    await revocationFor(handle, doomed.client.id);
    const keptRevocation = await revocationFor(handle, kept.client.id);
    expect(await service.deleteApiClient(handle.db, doomed.client.id, context)).toEqual({
      ok: true,
      deleted: {
        id: doomed.client.id,
        name: "Loyalty sync",
        clientKey: doomed.clientKey,
      },
    });
    expect(
      (await handle.db.select().from(revokedAccessTokens)).map((revoked) => revoked.tokenId),
    ).toEqual([keptRevocation]);
    expect(
      (await handle.db.select().from(apiClientPermissions)).map((grant) => grant.clientId),
    ).toEqual([kept.client.id]);
    expect(await service.getApiClient(handle.db, doomed.client.id)).toBeNull();
    const [event] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "api_client.deleted"));
    expect(event).toMatchObject({
      targetId: doomed.client.id,
      actorLabel: admin.label,
      details: { name: "Loyalty sync", clientKey: doomed.clientKey },
    });
    expect(await service.deleteApiClient(handle.db, doomed.client.id, context)).toEqual({
      ok: false,
      error: "not_found",
    });
  });

  it("keeps a till while a client uses it, and lets it go once the client is deleted", async () => {
    const till = await createTill(
      handle.db,
      { code: "store-9", name: "Store 9", password: "a long till password", permissions: {} },
      context,
    );
    if (!till.ok) throw new Error(till.error);
    const { client } = await registered(handle, { tillId: till.till.id });
    expect(client.till).toEqual({ id: till.till.id, code: "store-9", name: "Store 9" });
    expect(await deleteTill(handle.db, till.till.id, context)).toMatchObject({
      ok: false,
      error: "till_in_use",
      apiClientCount: 1,
    });
    await service.deleteApiClient(handle.db, client.id, context);
    expect(await deleteTill(handle.db, till.till.id, context)).toMatchObject({ ok: true });
  });

  it("settles a registration racing a till's deletion one way or the other", async () => {
    for (let round = 0; round < 3; round++) {
      const till = await createTill(
        handle.db,
        { code: `race-${round}`, name: "Race", password: "a long till password", permissions: {} },
        context,
      );
      if (!till.ok) throw new Error(till.error);
      const [registration, deletion] = await Promise.all([
        service.registerApiClient(handle.db, parse({ tillId: till.till.id }), context),
        deleteTill(handle.db, till.till.id, context),
      ]);
      if (registration.ok) expect(deletion).toMatchObject({ ok: false, error: "till_in_use" });
      else {
        expect(registration).toEqual({ ok: false, error: "till_not_found" });
        expect(deletion).toMatchObject({ ok: true });
      }
    }
  });

  it("settles a registration racing a group's deletion one way or the other", async () => {
    for (let round = 0; round < 3; round++) {
      const group = await createApiGroup(
        handle.db,
        { slug: `race-${round}`, name: "Race" },
        context,
      );
      if (!group.ok) throw new Error(group.error);
      const [registration, deletion] = await Promise.all([
        service.registerApiClient(
          handle.db,
          parse({ permissions: { [group.group.id]: "write" } }),
          context,
        ),
        deleteApiGroup(handle.db, group.group.id, context),
      ]);
      if (!deletion.ok) throw new Error(deletion.error);
      if (registration.ok) {
        expect(deletion.affectedClients).toBe(1);
        expect(
          (await service.getApiClient(handle.db, registration.client.id))?.permissions,
        ).toEqual([]);
      } else {
        expect(registration).toEqual({
          ok: false,
          error: "group_not_found",
          groupIds: [group.group.id],
        });
        expect(deletion.affectedClients).toBe(0);
      }
    }
  });

  // Staging the race needs a second connection, which only PostgreSQL has (PGlite has one).
  if (driver === "postgres")
    it("maps the foreign keys' refusal when the till or a group goes mid-registration", async () => {
      await handle.db
        .insert(tills)
        .values({ id: "till_doomed", code: "doomed", name: "Doomed", passwordHash: "unused" });
      expect(
        await committedMidway(handle, "delete from tills where id = $1", ["till_doomed"], () =>
          service.registerApiClient(handle.db, parse({ tillId: "till_doomed" }), context),
        ),
      ).toEqual({ ok: false, error: "till_not_found" });
      const group = await createApiGroup(handle.db, { slug: "doomed", name: "Doomed" }, context);
      if (!group.ok) throw new Error(group.error);
      expect(
        await committedMidway(
          handle,
          "delete from api_groups where id = $1",
          [group.group.id],
          () =>
            service.registerApiClient(
              handle.db,
              parse({ permissions: { grp_all: "read", [group.group.id]: "read" } }),
              context,
            ),
        ),
      ).toEqual({ ok: false, error: "group_not_found", groupIds: [group.group.id] });
      expect(await service.listApiClients(handle.db)).toEqual({ items: [], nextCursor: null });
      expect(
        await handle.db
          .select()
          .from(auditEvents)
          .where(eq(auditEvents.action, "api_client.registered")),
      ).toEqual([]);
    });

  // PostgreSQL refuses a statement with more than 65,535 bind parameters; the list once sent one
  // per client. Seeded with one statement per table: 70,000 registrations would take minutes.
  if (driver === "postgres")
    it("pages through more than 65,535 clients with their permissions", async () => {
      const total = 70_000;
      await handle.db.execute(sql`
        insert into api_clients (id, name, client_key, secret_hash, secret_prefix,
          token_ttl_minutes, till_id, created_by_label)
        select 'cli_bulk' || lpad(n::text, 6, '0'), 'Bulk client ' || lpad(n::text, 6, '0'),
          'adk_ck_bulk' || lpad(n::text, 6, '0'), 'unused', 'unused', 60, ${TILL.id}, 'seed'
        from generate_series(1, ${total}) as n`);
      // Even clients may write transactions, every third one may read the rest.
      await handle.db.execute(sql`
        insert into api_client_permissions (client_id, group_id, level)
        select 'cli_bulk' || lpad(n::text, 6, '0'), g.group_id, g.level
        from generate_series(1, ${total}) as n
        cross join (values ('grp_transaction', 'write', 2), ('grp_all', 'read', 3))
          as g(group_id, level, every)
        where n % g.every = 0`);
      const expected = (n: number) => ({
        id: `cli_bulk${String(n).padStart(6, "0")}`,
        name: `Bulk client ${String(n).padStart(6, "0")}`,
        permissions: [
          ...(n % 2 === 0 ? [["transaction", "write"]] : []),
          ...(n % 3 === 0 ? [["all", "read"]] : []),
        ],
      });
      const shape = (page: Page<service.ApiClientView>) =>
        page.items.map((client) => ({
          id: client.id,
          name: client.name,
          permissions: client.permissions.map((p) => [p.slug, p.level]),
        }));
      const size = PAGE_SIZE;
      const numbers = (from: number) => Array.from({ length: size }, (_, i) => from + i);

      const first = await service.listApiClients(handle.db);
      expect(shape(first)).toEqual(numbers(1).map(expected));
      expect(first.items[1]?.scopes).toEqual(["transaction:read", "transaction:write"]);
      expect(first.nextCursor).not.toBeNull();

      const second = await service.listApiClients(handle.db, {
        after: first.nextCursor ?? undefined,
      });
      expect(shape(second)).toEqual(numbers(1 + size).map(expected));

      // The last page says there is none after it; a search reaches deep into the table.
      const last = await service.listApiClients(handle.db, {
        after: encodeCursor({ key: expected(total - 1).name, id: expected(total - 1).id }),
      });
      expect(shape(last)).toEqual([expected(total)]);
      expect(last.nextCursor).toBeNull();
      const found = await service.listApiClients(handle.db, { search: "CLIENT 069999" });
      expect(shape(found)).toEqual([expected(69_999)]);
    }, 120_000);

  describe("credential lifecycle", () => {
    /** The raw secret columns, which no view returns. */
    async function secretColumns(id: string) {
      const [row] = await queryRows<Record<string, string | null>>(
        handle.db,
        sql`select secret_hash, previous_secret_hash, previous_secret_prefix
            from api_clients where id = ${id}`,
      );
      return row;
    }

    const eventsOf = async (action: string) =>
      (await handle.db.select().from(auditEvents)).filter((event) => event.action === action);

    it("rolls the secret: the new one returned once, only hashes kept, the old one for its grace period", async () => {
      const { client, clientSecret: original } = await registered(handle);
      const rolled = await service.rollApiClientSecret(handle.db, client.id, "1h", context);
      if (!rolled.ok) throw new Error(rolled.error);
      expect(isWellFormedCredential(rolled.clientSecret, "client_secret")).toBe(true);
      expect(rolled.clientSecret).not.toBe(original);
      expect(rolled.client).toMatchObject({
        secretPrefix: visiblePrefix(rolled.clientSecret),
        previousSecretPrefix: visiblePrefix(original),
        secretRolledAt: expect.any(Date),
        tokensValidAfter: null,
      });
      // The grace period runs on the database's clock.
      expect(await secretColumns(client.id)).toMatchObject({
        secret_hash: hashCredential(rolled.clientSecret),
        previous_secret_hash: hashCredential(original),
      });
      const [{ ends } = { ends: "" }] = await queryRows<{ ends: string }>(
        handle.db,
        sql`select (previous_secret_expires_at - now() between interval '59 minutes'
              and interval '1 hour')::text as ends from api_clients where id = ${client.id}`,
      );
      expect(ends).toBe("true");
      expect(await service.getApiClient(handle.db, client.id)).toEqual(rolled.client);

      const [event] = await eventsOf("api_client.secret_rolled");
      expect(event).toMatchObject({
        targetId: client.id,
        actorId: admin.id,
        details: {
          gracePeriod: "1h",
          clientKey: client.clientKey,
          secretPrefix: visiblePrefix(rolled.clientSecret),
          oldSecretPrefix: visiblePrefix(original),
          oldSecretAcceptedUntil: rolled.client.previousSecretExpiresAt?.toISOString(),
        },
      });
      const dump = await everyRow(handle);
      for (const [table, rows] of Object.entries(dump)) {
        for (const secret of [original, rolled.clientSecret]) {
          expect(rows, table).not.toContain(secret);
          expect(rows, table).not.toContain(secret.slice(visiblePrefix(secret).length - 1));
        }
      }
      expect(dump["public.audit_events"]).not.toContain(hashCredential(original));
    });

    it("rolls without a grace period: the old secret ends at once", async () => {
      const { client } = await registered(handle);
      const rolled = await service.rollApiClientSecret(handle.db, client.id, "none", context);
      if (!rolled.ok) throw new Error(rolled.error);
      expect(rolled.client).toMatchObject({
        previousSecretPrefix: null,
        previousSecretExpiresAt: null,
      });
      expect(await secretColumns(client.id)).toMatchObject({
        secret_hash: hashCredential(rolled.clientSecret),
        previous_secret_hash: null,
      });
      const [event] = await eventsOf("api_client.secret_rolled");
      expect(event?.details).toMatchObject({ gracePeriod: "none", oldSecretAcceptedUntil: null });
    });

    it("keeps one old secret: a second roll ends the first one's grace period", async () => {
      const { client, clientSecret: original } = await registered(handle);
      const first = await service.rollApiClientSecret(handle.db, client.id, "7d", context);
      const second = await service.rollApiClientSecret(handle.db, client.id, "24h", context);
      if (!first.ok || !second.ok) throw new Error("roll failed");
      expect(second.client.previousSecretPrefix).toBe(visiblePrefix(first.clientSecret));
      expect(await secretColumns(client.id)).toMatchObject({
        secret_hash: hashCredential(second.clientSecret),
        previous_secret_hash: hashCredential(first.clientSecret),
      });
      const events = await eventsOf("api_client.secret_rolled");
      expect(events.map((event) => event.details)).toContainEqual(
        expect.objectContaining({
          gracePeriod: "24h",
          endedPreviousSecretPrefix: visiblePrefix(original),
        }),
      );
    });

    it("cuts the grace period short, audited, and says when there is nothing to cut", async () => {
      const { client } = await registered(handle);
      const rolled = await service.rollApiClientSecret(handle.db, client.id, "24h", context);
      if (!rolled.ok) throw new Error(rolled.error);
      const expired = await service.expirePreviousSecret(handle.db, client.id, context);
      if (!expired.ok) throw new Error(expired.error);
      expect(expired.client).toMatchObject({
        secretPrefix: visiblePrefix(rolled.clientSecret),
        previousSecretPrefix: null,
        previousSecretExpiresAt: null,
      });
      expect(await secretColumns(client.id)).toMatchObject({
        secret_hash: hashCredential(rolled.clientSecret),
        previous_secret_hash: null,
        previous_secret_prefix: null,
      });
      const [event] = await eventsOf("api_client.old_secret_expired");
      expect(event).toMatchObject({
        targetId: client.id,
        details: {
          oldSecretPrefix: rolled.client.previousSecretPrefix,
          scheduledEnd: rolled.client.previousSecretExpiresAt?.toISOString(),
        },
      });
      expect(await service.expirePreviousSecret(handle.db, client.id, context)).toEqual({
        ok: false,
        error: "no_previous_secret",
      });
      expect(await eventsOf("api_client.old_secret_expired")).toHaveLength(1);
    });

    it("stops showing an old secret once the database's clock passes its end", async () => {
      const { client } = await registered(handle);
      await service.rollApiClientSecret(handle.db, client.id, "1h", context);
      await handle.db.execute(
        sql`update api_clients set previous_secret_expires_at = now() - interval '1 second'
            where id = ${client.id}`,
      );
      expect(await service.getApiClient(handle.db, client.id)).toMatchObject({
        previousSecretPrefix: null,
        previousSecretExpiresAt: null,
      });
      expect(await service.expirePreviousSecret(handle.db, client.id, context)).toEqual({
        ok: false,
        error: "no_previous_secret",
      });
    });

    it("revokes all tokens by a not-before time on the database's clock, audited", async () => {
      const { client, clientKey } = await registered(handle);
      const revoked = await service.revokeApiClientTokens(handle.db, client.id, context);
      if (!revoked.ok) throw new Error(revoked.error);
      const [{ now } = { now: "" }] = await queryRows<{ now: string }>(
        handle.db,
        sql`select now()::text as now`,
      );
      expect(revoked.client.tokensValidAfter?.getTime()).toBeLessThanOrEqual(
        new Date(now).getTime(),
      );
      expect(revoked.client.tokensValidAfter?.getTime()).toBeGreaterThan(
        client.createdAt.getTime() - 1,
      );
      const [event] = await eventsOf("api_client.tokens_revoked");
      expect(event).toMatchObject({
        targetId: client.id,
        details: { name: client.name, clientKey },
      });
    });

    it("answers not_found for a client that does not exist, recording nothing", async () => {
      for (const result of [
        await service.rollApiClientSecret(handle.db, "cli_missing", "1h", context),
        await service.expirePreviousSecret(handle.db, "cli_missing", context),
        await service.revokeApiClientTokens(handle.db, "cli_missing", context),
      ]) {
        expect(result).toEqual({ ok: false, error: "not_found" });
      }
      expect(await handle.db.select().from(auditEvents)).toEqual([]);
    });
  });

  it("changes nothing a client may do: only its credentials have a lifecycle", () => {
    // Name, permissions, till and token lifetime are fixed at registration; the only functions
    // that write to an existing client are the credential lifecycle's.
    const writers = Object.keys(service).filter(
      (name) => !/^(get|list|register|delete|apiClientPageQuery$)/.test(name),
    );
    expect(writers.sort()).toEqual([
      "expirePreviousSecret",
      "revokeApiClientTokens",
      "rollApiClientSecret",
    ]);
  });
});

describe("the register schema", () => {
  const valid = { name: "c", tillId: "till_1" };
  const errorsOf = (input: Record<string, unknown>, schema = registerApiClientSchema) => {
    const result = schema.safeParse({ ...valid, ...input });
    return result.success
      ? {}
      : Object.fromEntries(
          result.error.issues.toReversed().map((issue) => [issue.path[0], issue.message]),
        );
  };

  it("fills the seed's defaults: 60 minutes, no permissions", () => {
    expect(registerApiClientSchema.parse({ ...valid, description: "  " })).toEqual({
      name: "c",
      description: undefined,
      tokenTtlMinutes: 60,
      permissions: {},
      tillId: "till_1",
    });
  });

  it("accepts the edges of every range", () => {
    for (const tokenTtlMinutes of [5, 1440])
      expect(registerApiClientSchema.parse({ ...valid, tokenTtlMinutes }).tokenTtlMinutes).toBe(
        tokenTtlMinutes,
      );
    expect(
      registerApiClientSchema.parse({
        ...valid,
        name: "n".repeat(100),
        description: "d".repeat(500),
      }).name,
    ).toHaveLength(100);
  });

  it.each([
    [{ name: "  " }, "name", "Enter a client name"],
    [{ name: "n".repeat(101) }, "name", "Use at most 100 characters"],
    [{ description: "d".repeat(501) }, "description", "Use at most 500 characters"],
    [{ tokenTtlMinutes: 4 }, "tokenTtlMinutes", "Choose between 5 and 1,440 minutes"],
    [{ tokenTtlMinutes: 1441 }, "tokenTtlMinutes", "Choose between 5 and 1,440 minutes"],
    [{ tokenTtlMinutes: 30.5 }, "tokenTtlMinutes", "Use whole minutes"],
    [{ tokenTtlMinutes: "60" }, "tokenTtlMinutes", "Choose between 5 and 1,440 minutes"],
    [{ permissions: { grp_all: "admin" } }, "permissions", "Choose None, View only or Modify"],
    [{ permissions: { ["g".repeat(65)]: "read" } }, "permissions", "Unknown API group"],
    [{ permissions: { "": "read" } }, "permissions", "Unknown API group"],
    [
      { permissions: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`g${i}`, "none"])) },
      "permissions",
      "Too many API groups",
    ],
    [{ tillId: undefined }, "tillId", "Select your organization till"],
    [{ tillId: "" }, "tillId", "Select your organization till"],
  ])("rejects %j", (input, field, message) => {
    expect(errorsOf(input)).toEqual({ [field]: message });
  });

  it("refuses unknown fields, a client secret above all", () => {
    expect(registerApiClientSchema.safeParse({ ...valid, clientSecret: "mine" }).success).toBe(
      false,
    );
    expect(deleteApiClientSchema.safeParse({ id: "cli_1", extra: true }).success).toBe(false);
    expect(deleteApiClientSchema.parse({ id: "cli_1" })).toEqual({ id: "cli_1" });
  });

  it("makes a permission for a group that does not exist a field error", () => {
    const schema = registerApiClientSchemaFor([{ id: "grp_all" }, { id: "grp_transaction" }]);
    expect(
      schema.parse({ ...valid, permissions: { grp_all: "read", grp_transaction: "none" } })
        .permissions,
    ).toEqual({ grp_all: "read", grp_transaction: "none" });
    const result = schema.safeParse({ ...valid, permissions: { grp_all: "read", grp_x: "write" } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ["permissions", "grp_x"],
        message: "An API group in this form no longer exists; reload the page",
      }),
    ]);
  });
});
