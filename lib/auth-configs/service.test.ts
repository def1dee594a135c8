import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { admins, auditEvents, authConfigs } from "@/db/schema";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { authConfigDetailOutput } from "./contract";
import { createAuthConfigSchema } from "./schema";
import * as service from "./service";
import { createTokenBroker, type TokenBroker } from "./token-broker";
import {
  type FakeTokenServer,
  seedConfig,
  sendJson,
  startFakeTokenServer,
} from "./token-broker.testing";

const keyring = parseKeyring(generateKeyEntry(1));
const admin = { type: "admin" as const, id: "adm_test", label: "ada@example.com" };
const context = { actor: admin, clientAddress: "192.0.2.10" };
const SECRET = "s3cr3t-value-that-must-not-leak";
const ACCESS_TOKEN = "upstream-access-token-that-must-not-leak";
const parse = (input: Record<string, unknown>) =>
  createAuthConfigSchema({ allowPrivateTokenUrls: false }).parse({
    tokenUrl: "https://auth.example.com/oauth/token",
    scope: "read:things  write:things",
    clientId: "client-123",
    clientSecret: SECRET,
    ...input,
  });

describe.each(testDrivers)("auth configs on %s", (driver) => {
  let handle: DatabaseHandle;
  let tokenServer: FakeTokenServer;
  let broker: TokenBroker;
  let clock: number;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    await handle.db
      .insert(admins)
      .values({ id: admin.id, email: admin.label, passwordHash: "unused", role: "owner" });
    tokenServer = await startFakeTokenServer();
  });
  afterAll(async () => {
    await tokenServer?.close();
    await handle?.close();
  });
  beforeEach(async () => {
    await handle.db.delete(authConfigs);
    await handle.db.delete(auditEvents);
    clock = Date.UTC(2030, 0, 1, 12);
    tokenServer.requests.length = 0;
    tokenServer.respond((_req, res) =>
      sendJson(res, 200, {
        access_token: ACCESS_TOKEN,
        token_type: "Bearer",
        expires_in: 300,
        scope: "api:read",
      }),
    );
    // The real broker with a clock the tests move and no flush timer: only the service flushes.
    broker = createTokenBroker({
      db: handle.db,
      keyring,
      allowPrivateTokenUrls: true,
      usageFlushIntervalMs: 0,
      now: () => clock,
    });
  });
  afterEach(() => broker.close());

  /** A config whose token URL is the loopback server, which the create schema would refuse. */
  const seedLoopbackConfig = (identifier: string) =>
    seedConfig(handle.db, keyring, admin, {
      identifier,
      tokenUrl: tokenServer.url(),
      clientId: "loopback-client",
      clientSecret: SECRET,
    });

  const eventsOf = (action: string) =>
    handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, action))
      .orderBy(auditEvents.id);

  it("creates a config, shows everything but the secret, and audits it", async () => {
    const result = await service.createAuthConfig(
      handle.db,
      keyring,
      parse({ identifier: "Partner.API_v2" }),
      context,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.config).toMatchObject({
      identifier: "Partner.API_v2",
      type: "oauth2_client_credentials",
      tokenUrl: "https://auth.example.com/oauth/token",
      scope: "read:things write:things",
      clientId: "client-123",
      authMethod: "client_secret_basic",
      audience: null,
      createdBy: "ada@example.com",
      lastUsedAt: null,
      tokensFetched: 0,
    });
    expect(result.config.id).toMatch(/^cfg_/);
    expect(JSON.stringify(result.config)).not.toContain(SECRET);
    expect(
      JSON.stringify(await service.getAuthConfig(handle.db, keyring, result.config.id)),
    ).not.toContain(SECRET);
    const [event] = await handle.db.select().from(auditEvents);
    expect(event).toMatchObject({
      action: "auth_config.created",
      actorLabel: "ada@example.com",
      targetId: result.config.id,
    });
    expect(JSON.stringify(event)).not.toContain(SECRET);
  });

  it("keeps credentials sealed in the table, readable only through the keyring", async () => {
    const result = await service.createAuthConfig(
      handle.db,
      keyring,
      parse({ identifier: "sealed" }),
      context,
    );
    if (!result.ok) throw new Error(result.error);
    const [raw] = await queryRows<Record<string, string>>(
      handle.db,
      sql`select * from auth_configs`,
    );
    const rawText = JSON.stringify(raw);
    for (const plain of [SECRET, "client-123", "auth.example.com", "read:things"])
      expect(rawText).not.toContain(plain);
    expect(raw?.client_secret_sealed).toMatch(/^ad1\.1\./);
    const credentials = await service.findAuthConfigCredentials(handle.db, keyring, "SEALED");
    expect(credentials?.clientSecret).toBe(SECRET);
  });

  it("refuses a duplicate identifier in any case, also when two creates race", async () => {
    await service.createAuthConfig(
      handle.db,
      keyring,
      parse({ identifier: "partner-api" }),
      context,
    );
    expect(
      await service.createAuthConfig(
        handle.db,
        keyring,
        parse({ identifier: "PARTNER-API" }),
        context,
      ),
    ).toEqual({
      ok: false,
      error: "identifier_taken",
    });
    const racing = await Promise.all(
      [1, 2, 3].map(() =>
        service.createAuthConfig(handle.db, keyring, parse({ identifier: "race" }), context),
      ),
    );
    expect(racing.filter((result) => result.ok)).toHaveLength(1);
    expect(racing.filter((result) => !result.ok)).toEqual([
      { ok: false, error: "identifier_taken" },
      { ok: false, error: "identifier_taken" },
    ]);
    const created = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth_config.created"));
    expect(created).toHaveLength(2); // the losers' audit events rolled back with them
  });

  it("lists in identifier order and searches by part of the identifier", async () => {
    for (const identifier of ["zeta", "Alpha", "beta_100", "beta-2", "x1"]) {
      await service.createAuthConfig(handle.db, keyring, parse({ identifier }), context);
    }
    const identifiers = async (search?: string) =>
      (await service.listAuthConfigs(handle.db, { search })).items.map((item) => item.identifier);
    expect(await identifiers()).toEqual(["Alpha", "beta-2", "beta_100", "x1", "zeta"]);
    expect(await identifiers("BETA")).toEqual(["beta-2", "beta_100"]);
    // LIKE wildcards in the search are literal characters: "a_1" does not match "alpha1".
    expect(await identifiers("a_1")).toEqual(["beta_100"]);
    // One or two characters match the start of the identifier only.
    expect(await identifiers("x")).toEqual(["x1"]);
    expect(await identifiers("%")).toEqual([]);
    expect(await identifiers("nothing")).toEqual([]);
  });

  it("deletes a config with its usage in the audit event, and reports a missing one", async () => {
    const result = await service.createAuthConfig(
      handle.db,
      keyring,
      parse({ identifier: "doomed" }),
      context,
    );
    if (!result.ok) throw new Error(result.error);
    await service.recordTokenFetched(handle.db, result.config.id, new Date());
    const deleted = await service.deleteAuthConfig(handle.db, broker, result.config.id, context);
    expect(deleted).toMatchObject({
      ok: true,
      deleted: { identifier: "doomed", tokensFetched: 1 },
    });
    expect(await service.getAuthConfig(handle.db, keyring, result.config.id)).toBeNull();
    expect(await service.deleteAuthConfig(handle.db, broker, result.config.id, context)).toEqual({
      ok: false,
      error: "not_found",
    });
    const [event] = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "auth_config.deleted"));
    expect(event?.details).toEqual({ identifier: "doomed", tokensFetched: 1 });
  });

  it("forgets the cached token when it deletes a config", async () => {
    const id = await seedLoopbackConfig("cached");
    await broker.getAccessToken("cached");
    // Within the broker's config recheck, a remembered token is served without a query.
    await broker.getAccessToken("cached");
    expect(tokenServer.requests).toHaveLength(1);

    expect(await service.deleteAuthConfig(handle.db, broker, id, context)).toMatchObject({
      ok: true,
    });
    await expect(broker.getAccessToken("cached")).rejects.toMatchObject({
      code: "config_not_found",
    });
    expect(tokenServer.requests).toHaveLength(1);
  });

  it("tests a config: describes the token, writes its usage and audits the outcome", async () => {
    const id = await seedLoopbackConfig("tested");
    const first = await service.testAuthConfig(handle.db, broker, id, context);
    expect(first).toEqual({
      ok: true,
      tokenType: "Bearer",
      scope: "api:read",
      expiresAt: new Date(clock + 300_000),
    });
    expect(JSON.stringify(first)).not.toContain(ACCESS_TOKEN);
    expect(await service.getAuthConfig(handle.db, keyring, id)).toMatchObject({
      tokensFetched: 1,
      lastUsedAt: new Date(clock),
    });

    // A second test is a cache hit, which the broker would write only in its next batch.
    clock += 10_000;
    expect(await service.testAuthConfig(handle.db, broker, id, context)).toMatchObject({
      ok: true,
    });
    expect(tokenServer.requests).toHaveLength(1);
    expect(await service.getAuthConfig(handle.db, keyring, id)).toMatchObject({
      tokensFetched: 1,
      lastUsedAt: new Date(clock),
    });

    const events = await eventsOf("auth_config.tested");
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorLabel: admin.label,
      targetId: id,
      clientAddress: context.clientAddress,
      details: { identifier: "tested", outcome: "success" },
    });
    expect(JSON.stringify(events)).not.toContain(ACCESS_TOKEN);
  });

  it("tests a config the token server refuses: the failure in words, audited by its code", async () => {
    tokenServer.respond((_req, res) =>
      sendJson(res, 401, { error: "invalid_client", error_description: "unknown client" }),
    );
    const id = await seedLoopbackConfig("refused");
    const outcome = await service.testAuthConfig(handle.db, broker, id, context);
    expect(outcome).toMatchObject({
      ok: false,
      error: "token_failed",
      code: "upstream_rejected",
      oauthError: "invalid_client",
      status: 401,
      message: expect.stringContaining("rejected the client credentials"),
    });
    expect(JSON.stringify(outcome)).not.toContain(SECRET);
    const [event] = await eventsOf("auth_config.tested");
    expect(event?.details).toEqual({ identifier: "refused", outcome: "upstream_rejected" });
    expect(await service.getAuthConfig(handle.db, keyring, id)).toMatchObject({
      tokensFetched: 0,
      lastUsedAt: null,
    });
  });

  it("tests a config whose secret does not open: says what to do, sends nothing, audits once", async () => {
    await seedLoopbackConfig("source");
    const id = await seedLoopbackConfig("copied-into");
    // A cached token must not outlive the broken row either.
    expect(await service.testAuthConfig(handle.db, broker, id, context)).toMatchObject({
      ok: true,
    });
    tokenServer.requests.length = 0;
    await handle.db.execute(
      sql`update auth_configs set client_secret_sealed = (select client_secret_sealed from auth_configs where identifier = 'source') where identifier = 'copied-into'`,
    );
    clock += 5_000; // the broker's config re-read

    for (let attempt = 0; attempt < 3; attempt += 1) {
      const outcome = await service.testAuthConfig(handle.db, broker, id, context);
      expect(outcome).toMatchObject({
        ok: false,
        error: "token_failed",
        code: "config_unreadable",
      });
      if (outcome.ok || outcome.error !== "token_failed") throw new Error("expected a failure");
      expect(outcome.message).toContain('auth config "copied-into" cannot be decrypted');
      expect(outcome.message).toContain("Restore the key that sealed them");
      expect(outcome.message).toContain("delete the config and create it again");
      clock += 5_000;
    }
    expect(tokenServer.requests).toHaveLength(0);
    const unreadable = await eventsOf("auth_config.unreadable");
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({
      actorType: "system",
      targetId: id,
      details: { identifier: "copied-into", reason: "authentication" },
    });
    expect(JSON.stringify(unreadable)).not.toContain(SECRET);
    const tested = await eventsOf("auth_config.tested");
    expect(tested.at(-1)?.details).toEqual({
      identifier: "copied-into",
      outcome: "config_unreadable",
    });
  });

  it("audits an unreadable config again once the period has passed", async () => {
    const id = await seedLoopbackConfig("stays-broken");
    await handle.db.execute(
      sql`update auth_configs set client_secret_sealed = 'ad1.1.AAAA' where id = ${id}`,
    );
    await service.testAuthConfig(handle.db, broker, id, context);
    await handle.db.execute(
      sql`update audit_events set occurred_at = now() - make_interval(secs => ${service.UNREADABLE_AUDIT_PERIOD_SECONDS + 1}) where action = 'auth_config.unreadable'`,
    );
    clock += 5_000;
    await service.testAuthConfig(handle.db, broker, id, context);
    expect(await eventsOf("auth_config.unreadable")).toHaveLength(2);
  });

  describe.each([
    ["token_url_sealed", "tokenUrl"],
    ["scope_sealed", "scope"],
    ["client_id_sealed", "clientId"],
    ["client_secret_sealed", "clientSecret"],
  ] as const)("a config whose %s was copied from another row", (column, field) => {
    it("still shows, with that field unreadable and what to do, and can be deleted", async () => {
      await seedLoopbackConfig("source");
      const id = await seedLoopbackConfig("copied-into");
      await handle.db.execute(
        sql`update auth_configs set ${sql.identifier(column)} = (select ${sql.identifier(column)} from auth_configs where identifier = 'source') where identifier = 'copied-into'`,
      );

      const view = await service.getAuthConfig(handle.db, keyring, id);
      expect(view?.unreadable?.fields).toEqual([field]);
      expect(view?.unreadable?.message).toContain('auth config "copied-into" cannot be decrypted');
      expect(view?.unreadable?.message).toContain("Restore the key that sealed them");
      // The other fields are shown as they are; only the broken one is missing.
      const readable = {
        tokenUrl: tokenServer.url(),
        scope: "api:read",
        clientId: "loopback-client",
      };
      for (const [name, value] of Object.entries(readable)) {
        expect(view?.[name as keyof typeof readable]).toBe(name === field ? null : value);
      }
      expect(JSON.stringify(view)).not.toContain(SECRET);
      // What the page and getAuthConfigAction send: the allowlist takes the view as it is.
      expect(authConfigDetailOutput.parse(view)).toMatchObject({
        tokenUrl: view?.tokenUrl,
        unreadable: { fields: [field] },
      });
      // A view writes nothing: the token route audits, not the console's reading.
      expect(await eventsOf("auth_config.unreadable")).toEqual([]);

      expect(await service.deleteAuthConfig(handle.db, broker, id, context)).toMatchObject({
        ok: true,
      });
      expect(await service.getAuthConfig(handle.db, keyring, id)).toBeNull();
    });
  });

  it("says nothing is unreadable when every sealed field opens", async () => {
    const id = await seedLoopbackConfig("healthy");
    expect(await service.getAuthConfig(handle.db, keyring, id)).toMatchObject({
      unreadable: null,
    });
  });

  it("tests nothing for a config that does not exist, and audits nothing", async () => {
    expect(await service.testAuthConfig(handle.db, broker, "cfg_gone", context)).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(tokenServer.requests).toHaveLength(0);
    expect(await eventsOf("auth_config.tested")).toEqual([]);
  });

  it("records usage: fetched tokens count up, last used never moves back", async () => {
    const result = await service.createAuthConfig(
      handle.db,
      keyring,
      parse({ identifier: "usage" }),
      context,
    );
    if (!result.ok) throw new Error(result.error);
    const later = new Date("2030-01-01T00:00:00Z");
    await service.recordTokenFetched(handle.db, result.config.id, later);
    await service.recordUsed(handle.db, result.config.id, new Date("2029-01-01T00:00:00Z"));
    const view = await service.getAuthConfig(handle.db, keyring, result.config.id);
    expect(view).toMatchObject({ tokensFetched: 1, lastUsedAt: later });
  });

  describe("replace", () => {
    const NEW_SECRET = "rotated-upstream-secret-that-must-not-leak";
    /** The loopback config's settings with a new secret, as the replace form sends them. */
    const replacement = (identifier: string) => ({
      identifier,
      tokenUrl: tokenServer.url(),
      scope: "api:read",
      clientId: "loopback-client",
      clientSecret: NEW_SECRET,
      authMethod: "client_secret_post" as const,
      audience: undefined,
      description: "Rotated upstream secret",
    });

    it("swaps in a new row under the same identifier, keeping usage, audited, secret-free", async () => {
      const oldId = await seedLoopbackConfig("Partner-API");
      await service.recordTokenFetched(handle.db, oldId, new Date("2030-01-01T00:00:00Z"));
      await service.recordTokenFetched(handle.db, oldId, new Date("2030-01-01T00:00:00Z"));
      const result = await service.replaceAuthConfig(
        handle.db,
        keyring,
        broker,
        oldId,
        replacement("partner-api"),
        context,
      );
      if (!result.ok) throw new Error(result.error);
      // The identifier keeps its spelling; the row is new and names the one it replaced.
      expect(result.config).toMatchObject({
        identifier: "Partner-API",
        authMethod: "client_secret_post",
        description: "Rotated upstream secret",
        replacesId: oldId,
        tokensFetched: 2,
        lastUsedAt: new Date("2030-01-01T00:00:00Z"),
      });
      expect(result.config.id).not.toBe(oldId);
      expect(await service.getAuthConfig(handle.db, keyring, oldId)).toBeNull();
      const credentials = await service.findAuthConfigCredentials(
        handle.db,
        keyring,
        "PARTNER-API",
      );
      expect(credentials).toMatchObject({ id: result.config.id, clientSecret: NEW_SECRET });

      const [event] = await eventsOf("auth_config.replaced");
      expect(event).toMatchObject({
        targetId: result.config.id,
        actorId: admin.id,
        details: { identifier: "Partner-API", replacedId: oldId, tokensFetched: 2 },
      });
      const everything = JSON.stringify(await handle.db.select().from(auditEvents));
      expect(everything).not.toContain(NEW_SECRET);
      expect(everything).not.toContain(SECRET);
    });

    it("drops the cached token, so the next call fetches one with the new secret", async () => {
      const oldId = await seedLoopbackConfig("rotated");
      await broker.getAccessToken("rotated");
      const result = await service.replaceAuthConfig(
        handle.db,
        keyring,
        broker,
        oldId,
        replacement("rotated"),
        context,
      );
      expect(result.ok).toBe(true);
      await broker.getAccessToken("rotated");
      expect(tokenServer.requests).toHaveLength(2);
      expect(tokenServer.requests[1]?.body).toContain(`client_secret=${NEW_SECRET}`);
    });

    it("refuses a new identifier (that is Duplicate) and a config already gone, changing nothing", async () => {
      const oldId = await seedLoopbackConfig("kept");
      expect(
        await service.replaceAuthConfig(
          handle.db,
          keyring,
          broker,
          oldId,
          replacement("renamed"),
          context,
        ),
      ).toEqual({ ok: false, error: "identifier_changed" });
      expect(
        await service.replaceAuthConfig(
          handle.db,
          keyring,
          broker,
          "cfg_missing",
          replacement("kept"),
          context,
        ),
      ).toEqual({ ok: false, error: "not_found" });
      const rows = await handle.db.select().from(authConfigs);
      expect(rows.map((row) => row.id)).toEqual([oldId]);
      expect(await eventsOf("auth_config.replaced")).toEqual([]);
    });
  });

  it("has no update path: replacing deletes and inserts, all in one transaction", () => {
    const names = Object.keys(service);
    expect(names.filter((name) => /update|edit|modify|patch|rename|set/i.test(name))).toEqual([]);
  });
});

describe("the create schema", () => {
  const schema = createAuthConfigSchema({ allowPrivateTokenUrls: false });
  const valid = {
    identifier: "a",
    tokenUrl: "https://auth.example.com/token",
    scope: "a",
    clientId: "c",
    clientSecret: "s",
  };
  const errorsOf = (input: Record<string, unknown>) => {
    const result = schema.safeParse({ ...valid, ...input });
    // The first message per field, as the form shows it.
    return result.success
      ? {}
      : Object.fromEntries(
          result.error.issues.toReversed().map((issue) => [issue.path[0], issue.message]),
        );
  };

  it.each([
    [{ identifier: "" }, "identifier", "Enter an identifier"],
    [
      { identifier: "has space" },
      "identifier",
      "Use only letters, digits, dots, underscores and hyphens (no spaces)",
    ],
    [{ identifier: "x".repeat(65) }, "identifier", "Use at most 64 characters"],
    [
      { tokenUrl: "auth.example.com/token" },
      "tokenUrl",
      "Enter an absolute URL, like https://auth.example.com/oauth/token",
    ],
    [{ tokenUrl: "http://auth.example.com/token" }, "tokenUrl", "Use an https URL"],
    [{ tokenUrl: "ftp://auth.example.com/token" }, "tokenUrl", "Use an https URL"],
    [
      { tokenUrl: "https://user:pw@auth.example.com/token" },
      "tokenUrl",
      "Put credentials in Client ID and Client Secret, not in the URL",
    ],
    [{ scope: "   " }, "scope", "Enter at least one scope"],
    [
      { scope: 'read "quoted"' },
      "scope",
      "Scopes are separated by spaces and cannot contain quotes or backslashes",
    ],
    [{ clientSecret: "" }, "clientSecret", "Enter the client secret"],
    [{ authMethod: "private_key_jwt" }, "authMethod", "Choose how the client authenticates"],
    [{ extra: "field" }, undefined, undefined],
  ])("rejects %j", (input, field, message) => {
    const errors = errorsOf(input);
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    if (field) expect(errors[field]).toBe(message);
  });

  it("allows http token URLs only when private token URLs are allowed", () => {
    const lab = createAuthConfigSchema({ allowPrivateTokenUrls: true });
    expect(lab.parse({ ...valid, tokenUrl: "http://127.0.0.1:9999/token" }).tokenUrl).toBe(
      "http://127.0.0.1:9999/token",
    );
  });

  it("normalises scope whitespace and empty optionals", () => {
    expect(
      schema.parse({ ...valid, scope: " a\tb\n c ", audience: "  ", description: "" }),
    ).toMatchObject({
      scope: "a b c",
      audience: undefined,
      description: undefined,
      authMethod: "client_secret_basic",
    });
  });
});
