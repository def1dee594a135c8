import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { auditEvents, integrationConnections, integrations } from "@/db/schema";
import { insertClient, insertTill } from "@/lib/api/api.testing";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createConnection, deleteConnection, listConnections, testAuthCode } from "./connections";
import {
  adminContext,
  type CredentialService,
  SEED_EXAMPLE_BODY,
  startCredentialService,
} from "./integrations.testing";
import { createFreshCredentials } from "./oauth/fresh-credentials";
import { type CreateConnectionInput, type UpdateAuthInput, updateAuthSchema } from "./schema";
import {
  checkApiAccess,
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  setApiAccess,
  updateIntegrationAuth,
} from "./service";

const keyring = testKeyring();
const parseAuth = (body: unknown): UpdateAuthInput =>
  updateAuthSchema({ allowPrivateUrls: true }).parse(body);

const CANARY = "canary-9f2c4e-never-shown";

describe.each(testDrivers)("integrations service on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let service: CredentialService;
  let context: ChangeContext;
  const deps = () => ({ keyring, sandbox });

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    // A generous deadline: these tests are about the rules around the sandbox, and a busy CI
    // machine must not turn a slow passing test run into a failure (sandbox.test.ts covers limits).
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    service = await startCredentialService();
    context = await adminContext(handle.db);
  });
  afterAll(async () => {
    await sandbox.close();
    await service.close();
    await handle.close();
  });

  async function newIntegration(name = "Acme CRM") {
    return createIntegration(handle.db, { name, description: "" }, context);
  }

  async function configureSeedExample(id: string) {
    const result = await updateAuth(id, parseAuth(SEED_EXAMPLE_BODY));
    expect(result.ok).toBe(true);
  }

  const connect = (integrationId: string, input: CreateConnectionInput) =>
    createConnection(handle.db, deps(), integrationId, input, context);
  const updateAuth = (integrationId: string, input: UpdateAuthInput) =>
    updateIntegrationAuth(handle.db, deps(), integrationId, input, context);

  const goodValues = () => ({ api_key: service.goodKey, base_url: service.url });

  describe("integrations", () => {
    it("creates, finds by part of the name, and deletes with its connections", async () => {
      const created = await newIntegration("Zendesk Support");
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.authType).toBe("NONE");
      const found = async (search: string) =>
        (await listIntegrations(handle.db, { search })).items.map((item) => item.id);
      expect(await found("support zen")).toEqual([]);
      expect(await found("DESK")).toContain(created.id);
      expect(await found("50%_")).toEqual([]);

      await configureSeedExample(created.id);
      const connected = await connect(created.id, { endUserId: "user-1", values: goodValues() });
      expect(connected.ok).toBe(true);

      const deleted = await deleteIntegration(handle.db, created.id, context);
      expect(deleted).toMatchObject({
        ok: true,
        deleted: { name: "Zendesk Support", connectionsDeleted: 1 },
      });
      expect(await getIntegration(handle.db, created.id)).toBeNull();
      const left = await handle.db
        .select()
        .from(integrationConnections)
        .where(eq(integrationConnections.integrationId, created.id));
      expect(left).toEqual([]);
      expect(await deleteIntegration(handle.db, created.id, context)).toEqual({
        ok: false,
        error: "not_found",
      });
    });
  });

  describe("auth configuration", () => {
    it("replaces the fields as a whole on every update, in the order sent", async () => {
      const { id } = await newIntegration();
      await configureSeedExample(id);
      const first = await getIntegration(handle.db, id);
      expect(first?.authFields.map((field) => field.slug)).toEqual(["api_key", "base_url"]);
      expect(first?.authFields[0]).toMatchObject({
        type: "PASSWORD",
        required: true,
        placeholder: "sk-...",
      });

      await updateAuth(
        id,
        parseAuth({
          authType: "API_KEY",
          authFields: [{ slug: "token", label: "Token", type: "TEXT" }],
        }),
      );
      const second = await getIntegration(handle.db, id);
      expect(second?.authFields).toEqual([
        expect.objectContaining({
          slug: "token",
          description: "",
          placeholder: null,
          required: false,
        }),
      ]);
      expect(second?.authFields[0]?.id).not.toBe(first?.authFields[0]?.id);

      // Left out, the fields are replaced by none: the seed's "fully replaced on every call".
      await updateAuth(id, parseAuth({ authType: "API_KEY" }));
      expect((await getIntegration(handle.db, id))?.authFields).toEqual([]);
    });

    it("keeps authTestCode when it is left out and clears it on null", async () => {
      const { id } = await newIntegration();
      await configureSeedExample(id);
      await updateAuth(id, parseAuth({ authType: "API_KEY" }));
      expect((await getIntegration(handle.db, id))?.authTestCode).toBe(
        SEED_EXAMPLE_BODY.authTestCode,
      );
      await updateAuth(id, parseAuth({ authType: "API_KEY", authTestCode: null }));
      expect((await getIntegration(handle.db, id))?.authTestCode).toBeNull();
      // Blank code would pass every test; it is stored as none.
      await updateAuth(id, parseAuth({ authType: "API_KEY", authTestCode: " \n\t " }));
      expect((await getIntegration(handle.db, id))?.authTestCode).toBeNull();
    });

    it("refuses test code that does not parse, with the parser's message, and changes nothing", async () => {
      const { id } = await newIntegration();
      await configureSeedExample(id);
      const result = await updateAuth(
        id,
        parseAuth({ authType: "NONE", authTestCode: "return {;" }),
      );
      expect(result).toMatchObject({ ok: false, error: "invalid_code", path: ["authTestCode"] });
      if (result.ok || result.error !== "invalid_code") throw new Error("expected invalid_code");
      expect(result.message).toMatch(/SyntaxError/);
      expect((await getIntegration(handle.db, id))?.authType).toBe("API_KEY");
    });

    it("saves nothing and says so when the sandbox cannot check the code", async () => {
      const { id } = await newIntegration();
      // One worker, no queue: while it spins on an endless loop, a syntax check cannot start.
      const busy = createSandbox({ allowPrivateAddresses: false, poolSize: 1, maxQueued: 0 });
      try {
        const spinning = busy.run({ code: "while (true) {}", secrets: {} });
        const result = await updateIntegrationAuth(
          handle.db,
          { keyring, sandbox: busy },
          id,
          parseAuth({ authType: "API_KEY", authTestCode: "return true;" }),
          context,
        );
        expect(result).toEqual({ ok: false, error: "sandbox_unavailable" });
        expect((await getIntegration(handle.db, id))?.authType).toBe("NONE");
        await spinning;
      } finally {
        await busy.close();
      }
    });

    it("seals the OAuth client's write-only values and never shows them", async () => {
      const { id } = await newIntegration();
      const result = await updateAuth(
        id,
        parseAuth({
          authType: "OAUTH",
          oauthClient: {
            scopes: "read write",
            label: "Connect Acme",
            authUrl: `https://auth.example.com/${CANARY}/authorize`,
            tokenUrl: `https://auth.example.com/${CANARY}/token`,
            clientId: `id-${CANARY}`,
            clientSecret: `secret-${CANARY}`,
          },
        }),
      );
      expect(result.ok).toBe(true);
      const detail = await getIntegration(handle.db, id);
      expect(detail?.oauthClient).toEqual({
        scopes: "read write",
        label: "Connect Acme",
        authorizationCode: "",
        accessTokenCode: "",
        refreshTokenCode: "",
        stored: { authUrl: true, tokenUrl: true, clientId: true, clientSecret: true },
      });
      expect(JSON.stringify(detail)).not.toContain(CANARY);
      const [row] = await queryRows<Record<string, unknown>>(
        handle.db,
        sql`select * from integration_oauth_clients where integration_id = ${id}`,
      );
      expect(JSON.stringify(row)).not.toContain(CANARY);
      expect(row?.client_secret_sealed).toMatch(/^ad1\.1\./);
      const audit = await handle.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
      expect(JSON.stringify(audit)).not.toContain(CANARY);
    });

    it("keeps OAuth properties left out of a later update and clears those sent as null", async () => {
      const { id } = await newIntegration();
      await updateAuth(
        id,
        parseAuth({
          authType: "OAUTH",
          oauthClient: {
            scopes: "a b",
            label: "Go",
            clientId: "cid",
            clientSecret: "cs",
            accessTokenCode: "return 1;",
          },
        }),
      );
      await updateAuth(
        id,
        parseAuth({ authType: "OAUTH", oauthClient: { label: null, clientSecret: null } }),
      );
      expect((await getIntegration(handle.db, id))?.oauthClient).toEqual({
        scopes: "a b",
        label: null,
        authorizationCode: "",
        accessTokenCode: "return 1;",
        refreshTokenCode: "",
        stored: { authUrl: false, tokenUrl: false, clientId: true, clientSecret: false },
      });
      // Left out entirely, the client stays; null deletes it.
      await updateAuth(id, parseAuth({ authType: "OAUTH" }));
      expect((await getIntegration(handle.db, id))?.oauthClient?.scopes).toBe("a b");
      await updateAuth(id, parseAuth({ authType: "OAUTH", oauthClient: null }));
      expect((await getIntegration(handle.db, id))?.oauthClient).toBeNull();
    });

    it.each(["NONE", "API_KEY", "SERVICE_ACCOUNT"] as const)(
      "deletes the OAuth client when the type becomes %s",
      async (authType) => {
        const { id } = await newIntegration();
        await updateAuth(id, parseAuth({ authType: "OAUTH_DCR", oauthClient: { scopes: "x" } }));
        expect((await getIntegration(handle.db, id))?.oauthClient).not.toBeNull();
        await updateAuth(id, parseAuth({ authType }));
        expect((await getIntegration(handle.db, id))?.oauthClient).toBeNull();
      },
    );

    it("starts a fresh OAuth client when the type changes between OAuth types", async () => {
      const { id } = await newIntegration();
      await updateAuth(
        id,
        parseAuth({ authType: "OAUTH", oauthClient: { scopes: "old", clientId: "c" } }),
      );
      await updateAuth(id, parseAuth({ authType: "OAUTH_DCR", oauthClient: { label: "New" } }));
      expect((await getIntegration(handle.db, id))?.oauthClient).toMatchObject({
        scopes: null,
        label: "New",
        stored: { clientId: false },
      });
    });

    it("deletes every connection when the type changes, and none when it stays", async () => {
      const { id } = await newIntegration();
      await configureSeedExample(id);
      for (const endUserId of ["a", "b", "c"]) {
        const made = await connect(id, { endUserId, values: goodValues() });
        expect(made.ok).toBe(true);
      }
      const same = await updateAuth(id, parseAuth(SEED_EXAMPLE_BODY));
      expect(same).toMatchObject({ ok: true, connectionsDeleted: 0 });
      const changed = await updateAuth(id, parseAuth({ authType: "NONE" }));
      expect(changed).toMatchObject({ ok: true, connectionsDeleted: 3 });
      expect((await getIntegration(handle.db, id))?.connectionCount).toBe(0);
      const [event] = await handle.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.targetId, id))
        .orderBy(sql`${auditEvents.id} desc`)
        .limit(1);
      expect(event?.details).toMatchObject({
        authType: "NONE",
        previousAuthType: "API_KEY",
        connectionsDeleted: 3,
      });
    });

    it("answers not_found for an integration that does not exist", async () => {
      const result = await updateAuth(
        "00000000-0000-4000-8000-000000000000",
        parseAuth({ authType: "NONE" }),
      );
      expect(result).toEqual({ ok: false, error: "not_found" });
    });
  });

  describe("connections", () => {
    let integrationId: string;
    beforeEach(async () => {
      integrationId = (await newIntegration()).id;
      await configureSeedExample(integrationId);
    });

    it("stores a connection only after the test code passes, sealed", async () => {
      const result = await connect(integrationId, { endUserId: "user-1", values: goodValues() });
      expect(result).toMatchObject({
        ok: true,
        replaced: false,
        connection: { endUserId: "user-1", status: "active" },
      });
      if (!result.ok) throw new Error("expected a connection");
      expect(result.connection.lastTestedAt).toBeInstanceOf(Date);
      const [row] = await handle.db
        .select()
        .from(integrationConnections)
        .where(eq(integrationConnections.id, result.connection.id));
      expect(row?.valuesSealed).not.toContain(service.goodKey);
    });

    it("stores nothing when the test code fails, and says why without the secret", async () => {
      const badKey = "sk-bad-key-5678";
      const result = await connect(integrationId, {
        endUserId: "user-1",
        values: { api_key: badKey, base_url: service.url },
      });
      expect(result).toMatchObject({ ok: false, error: "test_failed" });
      if (result.ok || result.error !== "test_failed" || result.test.ok)
        throw new Error("expected a failed test");
      expect(result.test.error).toEqual({ name: "Error", message: "Invalid credentials" });
      expect(result.test.fetches).toEqual([
        expect.objectContaining({ method: "GET", status: 401 }),
      ]);
      expect(JSON.stringify(result)).not.toContain(badKey);
      expect((await getIntegration(handle.db, integrationId))?.connectionCount).toBe(0);
    });

    it("checks values against the fields before running anything", async () => {
      const before = service.requests();
      const result = await connect(integrationId, {
        endUserId: "user-1",
        values: { api_key: "", other: "x" },
      });
      expect(result).toEqual({
        ok: false,
        error: "invalid",
        issues: [
          { path: ["values", "other"], message: "This integration has no field with this slug" },
          { path: ["values", "api_key"], message: "Enter API Key" },
          { path: ["values", "base_url"], message: "Enter Base URL" },
        ],
      });
      expect(service.requests()).toBe(before);
      const noUser = await connect(integrationId, { values: goodValues() });
      expect(noUser).toMatchObject({
        ok: false,
        issues: [{ path: ["endUserId"], message: "Enter the end user's id" }],
      });
    });

    it("replaces an end user's values on a second connect, keeping the connection id", async () => {
      const first = await connect(integrationId, { endUserId: "u", values: goodValues() });
      const second = await connect(integrationId, { endUserId: "u", values: goodValues() });
      if (!first.ok || !second.ok) throw new Error("expected connections");
      expect(second.replaced).toBe(true);
      expect(second.connection.id).toBe(first.connection.id);
      expect((await getIntegration(handle.db, integrationId))?.connectionCount).toBe(1);
    });

    it("gives the credentials back only through an audited read", async () => {
      const made = await connect(integrationId, { endUserId: "u", values: goodValues() });
      if (!made.ok) throw new Error("expected a connection");
      const credentials = createFreshCredentials({
        db: handle.db,
        keyring,
        sandbox,
        allowPrivateUrls: true,
      });
      const read = await credentials.getCredentials(integrationId, made.connection.id, context);
      expect(read).toMatchObject({
        ok: true,
        credentials: { kind: "fields", values: goodValues() },
      });
      const events = await handle.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.targetId, made.connection.id));
      expect(events.map((event) => event.action)).toEqual(
        expect.arrayContaining([
          "integration.connection_created",
          "integration.connection_credentials_read",
        ]),
      );
      expect(JSON.stringify(events)).not.toContain(service.goodKey);
      const otherIntegration = await newIntegration();
      expect(
        await credentials.getCredentials(otherIntegration.id, made.connection.id, context),
      ).toEqual({ ok: false, error: "not_found" });
    });

    it("lists newest first in pages, and deletes", async () => {
      const ids: string[] = [];
      for (const endUserId of ["a", "b", "c", "d", "e"]) {
        const made = await connect(integrationId, { endUserId, values: goodValues() });
        if (made.ok) ids.push(made.connection.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listConnections(handle.db, integrationId, { limit: 2, cursor });
        if ("error" in page) throw new Error("bad cursor");
        seen.push(...page.connections.map((connection) => connection.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(await listConnections(handle.db, integrationId, { cursor: "bm9wZQ" })).toEqual({
        error: "invalid_cursor",
      });

      expect(
        await deleteConnection(handle.db, integrationId, ids[0] as string, context),
      ).toMatchObject({ ok: true });
      expect(await deleteConnection(handle.db, integrationId, ids[0] as string, context)).toEqual({
        ok: false,
        error: "not_found",
      });
    });

    it("keeps one service connection for a SERVICE_ACCOUNT integration", async () => {
      await updateAuth(
        integrationId,
        parseAuth({ ...SEED_EXAMPLE_BODY, authType: "SERVICE_ACCOUNT" }),
      );
      const withUser = await connect(integrationId, { endUserId: "u", values: goodValues() });
      expect(withUser).toMatchObject({
        ok: false,
        error: "invalid",
        issues: [{ path: ["endUserId"], message: expect.any(String) }],
      });
      const first = await connect(integrationId, { values: goodValues() });
      const second = await connect(integrationId, { values: goodValues() });
      expect(first).toMatchObject({ ok: true, connection: { endUserId: null } });
      expect(second).toMatchObject({ ok: true, replaced: true });
      expect((await getIntegration(handle.db, integrationId))?.connectionCount).toBe(1);
    });

    it("makes NONE connections without values, and refuses posted values for OAuth types", async () => {
      await updateAuth(integrationId, parseAuth({ authType: "NONE", authTestCode: null }));
      expect(await connect(integrationId, { endUserId: "u", values: {} })).toMatchObject({
        ok: true,
        connection: { lastTestedAt: null },
      });
      expect(await connect(integrationId, { endUserId: "v", values: { key: "x" } })).toMatchObject({
        ok: false,
        error: "invalid",
      });
      await updateAuth(integrationId, parseAuth({ authType: "OAUTH" }));
      expect(await connect(integrationId, { endUserId: "u", values: {} })).toEqual({
        ok: false,
        error: "oauth_flow_required",
        authType: "OAUTH",
      });
    });

    it("tests sample values without storing them", async () => {
      const result = await testAuthCode(
        handle.db,
        sandbox,
        integrationId,
        {
          code: SEED_EXAMPLE_BODY.authTestCode,
          fields: SEED_EXAMPLE_BODY.authFields.map((field) => ({ ...field })),
          values: goodValues(),
        },
        context,
      );
      expect(result).toMatchObject({ ok: true, test: { ok: true, value: { success: true } } });
      expect((await getIntegration(handle.db, integrationId))?.connectionCount).toBe(0);
    });

    it("never lets a connection outlive a type change it raced with", async () => {
      // Each create's test holds a slow fetch open, so every one is mid-test when the type changes.
      await updateAuth(
        integrationId,
        parseAuth({
          ...SEED_EXAMPLE_BODY,
          authTestCode: "await fetch(secrets.base_url + '/slow?ms=300'); return true;",
        }),
      );
      const creates = Array.from({ length: 12 }, (_, index) =>
        connect(integrationId, { endUserId: `racer-${index}`, values: goodValues() }),
      );
      // Fast creates (no test code) race too: they commit before or after the change.
      const fast = await newIntegration();
      await updateAuth(fast.id, parseAuth({ authType: "NONE" }));
      const fastCreates = Array.from({ length: 30 }, (_, index) =>
        connect(fast.id, { endUserId: `fast-${index}`, values: {} }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [changed, fastChanged] = await Promise.all([
        updateAuth(integrationId, parseAuth({ authType: "NONE" })),
        updateAuth(fast.id, parseAuth({ authType: "API_KEY" })),
      ]);
      const results = await Promise.all(creates);
      const fastResults = await Promise.all(fastCreates);

      expect(changed.ok && fastChanged.ok).toBe(true);
      const describe = (result: (typeof results)[number]) =>
        result.ok
          ? "stored"
          : result.error === "test_failed"
            ? JSON.stringify(result.test)
            : result.error;
      expect(results.map(describe)).toEqual(Array(12).fill("auth_changed"));
      for (const result of fastResults)
        expect(["stored", "auth_changed"]).toContain(result.ok ? "stored" : result.error);
      const survivorsOf = async (id: string) => {
        const [integration] = await handle.db
          .select()
          .from(integrations)
          .where(eq(integrations.id, id));
        const rows = await handle.db
          .select()
          .from(integrationConnections)
          .where(eq(integrationConnections.integrationId, id));
        return { rows, stale: rows.filter((row) => row.authVersion !== integration?.authVersion) };
      };
      // Nothing made under the old type survives. A fast create whose snapshot was read after
      // the change may legitimately exist under the new one.
      expect(await survivorsOf(integrationId)).toEqual({ rows: [], stale: [] });
      expect((await survivorsOf(fast.id)).stale).toEqual([]);
    });

    it("has the database refuse a connection under a superseded auth version", async () => {
      const [integration] = await handle.db
        .select()
        .from(integrations)
        .where(eq(integrations.id, integrationId));
      await updateAuth(integrationId, parseAuth({ authType: "NONE" }));
      await expect(
        handle.db.insert(integrationConnections).values({
          id: "conn_00000000000000000000",
          integrationId,
          authVersion: integration?.authVersion as number,
          endUserId: "late",
          valuesSealed: "x",
          createdByLabel: "test",
        }),
      ).rejects.toThrow();
    });
  });

  describe("API access", () => {
    it("lets every client in by default, and only listed clients once restricted", async () => {
      const { id } = await newIntegration();
      const till = await insertTill(handle.db);
      const listed = await insertClient(handle.db, { tillId: till.id });
      const other = await insertClient(handle.db, { tillId: till.id });
      const as = (clientId: string) => checkApiAccess(handle.db, id, { kind: "client", clientId });

      expect(await as(other.id)).toBe("allowed");
      expect(await checkApiAccess(handle.db, id, { kind: "till" })).toBe("allowed");
      const restricted = await setApiAccess(
        handle.db,
        id,
        { mode: "selected", clientIds: [listed.id] },
        context,
      );
      expect(restricted).toMatchObject({
        ok: true,
        integration: { apiAccess: { mode: "selected", clients: [{ id: listed.id }] } },
      });
      expect(await as(listed.id)).toBe("allowed");
      expect(await as(other.id)).toBe("forbidden");
      expect(await checkApiAccess(handle.db, id, { kind: "till" })).toBe("forbidden");
      expect(
        await checkApiAccess(handle.db, "00000000-0000-4000-8000-000000000000", { kind: "till" }),
      ).toBe("not_found");
      expect(
        await setApiAccess(handle.db, id, { mode: "selected", clientIds: ["cli_gone"] }, context),
      ).toEqual({
        ok: false,
        error: "unknown_client",
      });
      // The shared access list's tills flag lets tills in under "selected" too.
      expect(
        await setApiAccess(
          handle.db,
          id,
          { mode: "selected", clientIds: [], tills: true },
          context,
        ),
      ).toMatchObject({ ok: true, integration: { apiAccess: { tills: true, clients: [] } } });
      expect(await checkApiAccess(handle.db, id, { kind: "till" })).toBe("allowed");
      expect(await as(listed.id)).toBe("forbidden");
    });
  });
});
