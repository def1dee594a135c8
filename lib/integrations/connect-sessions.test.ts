import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { auditEvents, integrationConnections, integrationConnectSessions } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  CONNECT_SESSION_LIFETIME_MS,
  createConnectSession,
  deleteStaleConnectSessions,
  openConnectSession,
  returnUrlAllowed,
  returnUrlWith,
  STALE_CONNECT_SESSION_MS,
  setConnectReturnUrls,
} from "./connect-sessions";
import { hashToken } from "./connect-tokens";
import { connectWithLink } from "./connect-with-link";
import {
  adminContext,
  type CredentialService,
  createTestLink,
  SEED_EXAMPLE_BODY,
  startCredentialService,
} from "./integrations.testing";
import { connectReturnUrlsSchema, type UpdateAuthInput, updateAuthSchema } from "./schema";
import { createIntegration, getIntegration, updateIntegrationAuth } from "./service";

const keyring = testKeyring();
const ORIGIN = "https://authdesk.example.com";
const parseAuth = (body: unknown): UpdateAuthInput =>
  updateAuthSchema({ allowPrivateUrls: true }).parse(body);

describe("return-URL allowlist matching", () => {
  const allowlist = ["https://app.example.com/connected", "https://app.example.com/hooks/"];

  it("allows an exact entry, with any query, and paths under an entry ending in /", () => {
    expect(returnUrlAllowed("https://app.example.com/connected", allowlist)).toBe(true);
    expect(returnUrlAllowed("https://app.example.com/connected?state=42", allowlist)).toBe(true);
    expect(returnUrlAllowed("https://app.example.com/hooks/", allowlist)).toBe(true);
    expect(returnUrlAllowed("https://app.example.com/hooks/acme/done", allowlist)).toBe(true);
  });

  it("refuses other paths, origins, schemes, fragments and credentials", () => {
    for (const candidate of [
      "https://app.example.com/connected/more", // no trailing slash: exact only
      "https://app.example.com/connectedx",
      "https://app.example.com/hooks", // the prefix itself without its slash
      "https://app.example.com:8443/connected", // another port is another origin
      "http://app.example.com/connected", // another scheme too
      "https://evil.example.com/connected",
      "https://app.example.com.evil.com/connected",
      "https://app.example.com/connected#token",
      "https://user:pass@app.example.com/connected",
      "https://user@app.example.com/connected",
      "javascript:alert(1)",
      "/connected",
      "not a url",
    ]) {
      expect({ candidate, allowed: returnUrlAllowed(candidate, allowlist) }).toEqual({
        candidate,
        allowed: false,
      });
    }
    expect(returnUrlAllowed("https://app.example.com/connected", [])).toBe(false);
  });

  it("adds connection_id and status to the return URL's own query", () => {
    expect(
      returnUrlWith("https://app.example.com/connected?state=a%20b", {
        connection_id: "conn_1",
        status: "connected",
      }),
    ).toBe("https://app.example.com/connected?state=a+b&connection_id=conn_1&status=connected");
    expect(returnUrlWith(null, { error: "expired" })).toBeNull();
  });

  it("accepts allowlist entries only as absolute https URLs without query, fragment or credentials", () => {
    const strict = connectReturnUrlsSchema({ allowPrivateUrls: false });
    expect(strict.parse([" https://app.example.com/connected "])).toEqual([
      "https://app.example.com/connected",
    ]);
    const problems = (urls: string[]) =>
      strict.safeParse(urls).error?.issues.map((issue) => issue.message) ?? [];
    expect(problems(["http://app.example.com/"])).toEqual(["Use an https URL"]);
    expect(problems(["app.example.com"])[0]).toMatch(/absolute URL/);
    expect(problems(["https://a:b@app.example.com/"])[0]).toMatch(/user name and password/);
    expect(problems(["https://app.example.com/#x"])[0]).toMatch(/fragment/);
    expect(problems(["https://app.example.com/?x=1"])[0]).toMatch(/query/);
    expect(problems([`https://app.example.com/${"a".repeat(2_048)}`])[0]).toMatch(/at most 2,048/);
    expect(problems(["https://a.example.com/", "https://a.example.com/"])).toEqual([
      "This URL is already listed",
    ]);
    expect(problems(Array.from({ length: 21 }, (_, i) => `https://a.example.com/${i}`))).toEqual([
      "Use at most 20 return URLs",
    ]);
    // Plain http only where the operator allows private URLs (tests, labs).
    expect(
      connectReturnUrlsSchema({ allowPrivateUrls: true }).safeParse(["http://127.0.0.1:5173/"])
        .success,
    ).toBe(true);
  });
});

describe.each(testDrivers)("connect links on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let service: CredentialService;
  let context: ChangeContext;
  const deps = () => ({ keyring, sandbox });

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    service = await startCredentialService();
    context = await adminContext(handle.db);
  });
  afterAll(async () => {
    await sandbox.close();
    await service.close();
    await handle.close();
  });

  /** An API_KEY integration with the seed's fields and test code, and its allowlist. */
  async function seedIntegration(returnUrls: string[] = []) {
    const { id } = await createIntegration(
      handle.db,
      { name: "Acme CRM", description: "" },
      context,
    );
    const updated = await updateIntegrationAuth(
      handle.db,
      deps(),
      id,
      parseAuth(SEED_EXAMPLE_BODY),
      context,
    );
    expect(updated.ok).toBe(true);
    if (returnUrls.length > 0) await setConnectReturnUrls(handle.db, id, returnUrls, context);
    return id;
  }

  const newLink = (integrationId: string, extra: { returnUrl?: string } = {}) =>
    createTestLink(
      handle.db,
      { integrationId, endUserId: "user-ada", origin: ORIGIN, ...extra },
      context,
    );

  const goodValues = () => ({ api_key: service.goodKey, base_url: service.url });
  const submit = (token: string, values: Record<string, string> = goodValues()) =>
    connectWithLink(handle.db, deps(), { token, values }, "203.0.113.9");
  const connectionsOf = (integrationId: string) =>
    handle.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.integrationId, integrationId));

  it("stores only the token's hash: the token appears in no table", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.id).toMatch(/^cs_/);
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(
      CONNECT_SESSION_LIFETIME_MS - 5_000,
    );
    const tables = await queryRows<{ table_name: string }>(
      handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(10);
    for (const { table_name } of tables) {
      const rows = await queryRows<unknown>(
        handle.db,
        sql`select * from ${sql.identifier(table_name)}`,
      );
      expect({ table_name, leaks: JSON.stringify(rows).includes(link.token) }).toEqual({
        table_name,
        leaks: false,
      });
    }
    const [row] = await handle.db
      .select()
      .from(integrationConnectSessions)
      .where(eq(integrationConnectSessions.id, link.id));
    expect(row?.tokenHash).toBe(hashToken(link.token));
  });

  it("opens a good link with what the page shows, and calls a tampered one invalid", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const opened = await openConnectSession(handle.db, link.token);
    expect(opened).toMatchObject({
      ok: true,
      session: { integrationName: "Acme CRM", authType: "API_KEY", endUserId: "user-ada" },
    });
    if (!opened.ok) return;
    expect(opened.session.fields.map((field) => field.slug)).toEqual(["api_key", "base_url"]);
    const last = link.token.at(-1) === "A" ? "B" : "A";
    for (const token of [
      `${link.token.slice(0, -1)}${last}`,
      link.token.slice(1),
      "",
      "x".repeat(500),
    ]) {
      expect(await openConnectSession(handle.db, token)).toEqual({
        ok: false,
        problem: "invalid",
        returnUrl: null,
      });
      expect(await submit(token)).toMatchObject({ ok: false, error: "link", problem: "invalid" });
    }
  });

  it("stores the end user's connection once and spends the link; the link then says spent", async () => {
    const integrationId = await seedIntegration(["https://app.example.com/connected"]);
    const link = await newLink(integrationId, {
      returnUrl: "https://app.example.com/connected?state=xyz",
    });
    const result = await submit(link.token);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.returnTo).toBe(
      `https://app.example.com/connected?state=xyz&connection_id=${result.connectionId}&status=connected`,
    );
    const [connection] = await connectionsOf(integrationId);
    expect(connection).toMatchObject({ id: result.connectionId, endUserId: "user-ada" });
    expect(connection?.createdByLabel).toBe(`end user user-ada (connect link ${link.id})`);
    const [session] = await handle.db
      .select()
      .from(integrationConnectSessions)
      .where(eq(integrationConnectSessions.id, link.id));
    expect(session?.spentAt).toBeInstanceOf(Date);
    expect(session?.connectionId).toBe(result.connectionId);
    const [audit] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, result.connectionId));
    expect(audit).toMatchObject({
      actorType: "anonymous",
      actorLabel: `end user user-ada (connect link ${link.id})`,
      action: "integration.connection_created",
      clientAddress: "203.0.113.9",
    });
    expect(JSON.stringify(audit)).not.toContain(service.goodKey);

    expect(await openConnectSession(handle.db, link.token)).toEqual({
      ok: false,
      problem: "spent",
      returnUrl: "https://app.example.com/connected?state=xyz",
    });
    expect(await submit(link.token)).toMatchObject({ ok: false, error: "link", problem: "spent" });
    expect(await connectionsOf(integrationId)).toHaveLength(1);
  });

  it("stores one connection when one link is submitted twice at once", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const results = await Promise.all([submit(link.token), submit(link.token)]);
    const outcomes = results.map((result) =>
      result.ok ? "connected" : result.error === "link" ? result.problem : result.error,
    );
    expect(outcomes.sort()).toEqual(["connected", "spent"]);
    const connections = await connectionsOf(integrationId);
    expect(connections).toHaveLength(1);
    const winner = results.find((result) => result.ok);
    expect(connections[0]?.id).toBe(winner?.ok ? winner.connectionId : undefined);
  });

  it("spends nothing when the test fails: the end user can correct the values", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const failed = await submit(link.token, { api_key: "wrong-key", base_url: service.url });
    expect(failed).toMatchObject({ ok: false, error: "test_failed" });
    const invalid = await submit(link.token, { base_url: service.url });
    expect(invalid).toMatchObject({
      ok: false,
      error: "invalid",
      issues: [{ path: ["values", "api_key"] }],
    });
    expect(await connectionsOf(integrationId)).toEqual([]);
    expect((await openConnectSession(handle.db, link.token)).ok).toBe(true);
    expect((await submit(link.token)).ok).toBe(true);
  });

  it("refuses an expired link, on the page and when submitted, and stores nothing", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const later = new Date(link.expiresAt.getTime() + 1);
    expect(await openConnectSession(handle.db, link.token, later)).toMatchObject({
      ok: false,
      problem: "expired",
    });
    await handle.db
      .update(integrationConnectSessions)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(integrationConnectSessions.id, link.id));
    expect(await submit(link.token)).toMatchObject({
      ok: false,
      error: "link",
      problem: "expired",
    });
    expect(await connectionsOf(integrationId)).toEqual([]);
  });

  it("keeps an ended link for a day, so its page still says why, then deletes it", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const dayAfter = link.expiresAt.getTime() + STALE_CONNECT_SESSION_MS;
    // Earlier tests' links in this database may go too; this one must stay until its day is over.
    await deleteStaleConnectSessions(handle.db, new Date(dayAfter - 1_000));
    expect(await openConnectSession(handle.db, link.token, new Date(dayAfter))).toMatchObject({
      problem: "expired",
    });
    expect(await deleteStaleConnectSessions(handle.db, new Date(dayAfter + 1_000))).toBeGreaterThan(
      0,
    );
    expect(await openConnectSession(handle.db, link.token)).toMatchObject({ problem: "invalid" });
  });

  it("invalidates links when the auth type changes, even back and forth", async () => {
    const integrationId = await seedIntegration();
    const link = await newLink(integrationId);
    const toNone = await updateIntegrationAuth(
      handle.db,
      deps(),
      integrationId,
      parseAuth({ authType: "NONE" }),
      context,
    );
    expect(toNone.ok).toBe(true);
    await updateIntegrationAuth(
      handle.db,
      deps(),
      integrationId,
      parseAuth(SEED_EXAMPLE_BODY),
      context,
    );
    expect(await openConnectSession(handle.db, link.token)).toMatchObject({
      ok: false,
      problem: "auth_changed",
    });
    expect(await submit(link.token)).toMatchObject({ problem: "auth_changed" });
    expect(await connectionsOf(integrationId)).toEqual([]);
  });

  it("makes links only with an allowed return URL, and none for a service account", async () => {
    const integrationId = await seedIntegration(["https://app.example.com/hooks/"]);
    const make = (returnUrl: string) =>
      createConnectSession(
        handle.db,
        { integrationId, endUserId: "user-ada", origin: ORIGIN, returnUrl },
        context,
      );
    expect((await make("https://app.example.com/hooks/acme")).ok).toBe(true);
    expect(await make("https://app.example.com/other")).toEqual({
      ok: false,
      error: "return_url_not_allowed",
    });
    expect(await make("https://app.example.com/hooks/acme#frag")).toMatchObject({ ok: false });

    await updateIntegrationAuth(
      handle.db,
      deps(),
      integrationId,
      parseAuth({ ...SEED_EXAMPLE_BODY, authType: "SERVICE_ACCOUNT" }),
      context,
    );
    expect(await make("https://app.example.com/hooks/acme")).toEqual({
      ok: false,
      error: "not_connectable",
      authType: "SERVICE_ACCOUNT",
    });
    expect(
      await createConnectSession(
        handle.db,
        {
          integrationId: "00000000-0000-4000-8000-000000000000",
          endUserId: "user-ada",
          origin: ORIGIN,
        },
        context,
      ),
    ).toEqual({ ok: false, error: "not_found" });
  });

  it("replaces the allowlist with an audit event naming what changed", async () => {
    const integrationId = await seedIntegration([
      "https://a.example.com/",
      "https://b.example.com/",
    ]);
    const result = await setConnectReturnUrls(
      handle.db,
      integrationId,
      ["https://b.example.com/", "https://c.example.com/done"],
      context,
    );
    expect(result).toEqual({
      ok: true,
      urls: ["https://b.example.com/", "https://c.example.com/done"],
    });
    expect((await getIntegration(handle.db, integrationId))?.connectReturnUrls).toEqual([
      "https://b.example.com/",
      "https://c.example.com/done",
    ]);
    const events = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, integrationId))
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(1);
    expect(events[0]?.action).toBe("integration.connect_return_urls_changed");
    expect(events[0]?.details).toEqual({
      added: ["https://c.example.com/done"],
      removed: ["https://a.example.com/"],
    });
    expect(
      await setConnectReturnUrls(handle.db, "00000000-0000-4000-8000-000000000000", [], context),
    ).toEqual({ ok: false, error: "not_found" });
  });
});
