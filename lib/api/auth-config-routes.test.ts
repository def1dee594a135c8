import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import type { ApiAccessInput } from "@/lib/api-access/schema";
import { setAuthConfigAccess } from "@/lib/auth-configs/access";
import { createTokenBroker, type TokenBroker } from "@/lib/auth-configs/token-broker";
import {
  type FakeTokenServer,
  insertTestAdmin,
  OIDC_CLIENTS,
  type OidcServer,
  seedConfig,
  sendJson,
  startFakeTokenServer,
  startOidcServer,
  testKeyring,
} from "@/lib/auth-configs/token-broker.testing";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  type ApiServer,
  accessTokenFor,
  basicHeader,
  insertClient,
  insertTill,
  startApiServer,
  type TestClient,
} from "./api.testing";

const UPSTREAM_SECRET_BODY = "upstream-body-with-internal-details";

describe.each(testDrivers)("POST /api/v1/auth-configs/{identifier}/token on %s", (driver) => {
  let handle: DatabaseHandle;
  let broker: TokenBroker;
  let oidc: OidcServer;
  let fake: FakeTokenServer;
  let neverAsked: FakeTokenServer;
  let server: ApiServer;
  let viewer: TestClient;
  let modifier: TestClient;
  let outsider: TestClient;
  let ungranted: TestClient;
  let tillAuthorization: string;
  let readOnlyTillAuthorization: string;
  let paymentsId: string;
  let grant: (access: ApiAccessInput) => Promise<void>;

  const bearerFor = async (client: TestClient) => `Bearer ${await accessTokenFor(server, client)}`;

  const tokenOf = (identifier: string, authorization: string) =>
    fetch(`${server.url}/api/v1/auth-configs/${encodeURIComponent(identifier)}/token`, {
      method: "POST",
      headers: { authorization },
    });

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    const keyring = testKeyring();
    const admin = await insertTestAdmin(handle.db);
    oidc = await startOidcServer();
    fake = await startFakeTokenServer();
    neverAsked = await startFakeTokenServer();
    fake.respond((_req, res) =>
      sendJson(res, 400, { error: "invalid_client", detail: UPSTREAM_SECRET_BODY }),
    );
    const basic = OIDC_CLIENTS[0] as (typeof OIDC_CLIENTS)[number];
    paymentsId = await seedConfig(handle.db, keyring, admin, {
      identifier: "payments",
      tokenUrl: oidc.tokenUrl,
      clientId: basic.clientId,
      clientSecret: basic.clientSecret,
      authMethod: basic.authMethod,
      scope: "api:read",
    });
    await seedConfig(handle.db, keyring, admin, {
      identifier: "broken",
      tokenUrl: fake.url(),
      clientId: "client",
      clientSecret: "secret",
      apiAccess: { mode: "all" },
    });
    const context = { actor: { type: "admin" as const, ...admin }, clientAddress: null };
    grant = async (access) => {
      const result = await setAuthConfigAccess(handle.db, paymentsId, access, context);
      if (!result.ok) throw new Error(result.error);
    };
    await seedConfig(handle.db, keyring, admin, {
      identifier: "tampered",
      tokenUrl: neverAsked.url(),
      clientId: "client",
      clientSecret: "the real secret",
      apiAccess: { mode: "all" },
    });
    broker = createTokenBroker({
      db: handle.db,
      keyring,
      allowPrivateTokenUrls: true,
      usageFlushIntervalMs: 0,
    });
    server = await startApiServer({ db: handle.db, tokenBroker: broker });
    const till = await insertTill(handle.db);
    tillAuthorization = basicHeader(till.code, till.password);
    viewer = await insertClient(handle.db, { tillId: till.id, permissions: { all: "read" } });
    modifier = await insertClient(handle.db, { tillId: till.id, permissions: { all: "write" } });
    outsider = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { transaction: "write", integrations: "write" },
    });
    ungranted = await insertClient(handle.db, { tillId: till.id, permissions: { all: "write" } });
    const readOnlyTill = await insertTill(handle.db, { permissions: { transaction: "read" } });
    readOnlyTillAuthorization = basicHeader(readOnlyTill.code, readOnlyTill.password);
    // The clients above may fetch "payments" tokens, and tills too; `ungranted` may not.
    await grant({ mode: "selected", clientIds: [viewer.id, modifier.id], tills: true });
  });

  afterAll(async () => {
    await server?.close();
    await broker?.close();
    await oidc?.close();
    await fake?.close();
    await neverAsked?.close();
    await handle?.close();
  });

  it("returns a token from the upstream server to View only and Modify on All", async () => {
    for (const client of [viewer, modifier]) {
      const response = await tokenOf("payments", await bearerFor(client));
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual([
        "access_token",
        "expires_at",
        "scope",
        "token_type",
      ]);
      expect(body).toMatchObject({ token_type: "Bearer", scope: "api:read" });
      expect(typeof body.access_token).toBe("string");
      expect(Date.parse(String(body.expires_at))).toBeGreaterThan(Date.now());
    }
    // Identifiers are case-insensitive, as they are unique.
    expect((await tokenOf("PAYMENTS", await bearerFor(viewer))).status).toBe(200);
    // A till (Basic) holding all:read, with tills ticked on the config's access list.
    expect((await tokenOf("payments", tillAuthorization)).status).toBe(200);
  });

  it("refuses with 403 a client without a grant on the config, though it holds all:write", async () => {
    const response = await tokenOf("payments", await bearerFor(ungranted));
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toMatchObject({ status: 403, title: "No access to this auth config" });
    expect(JSON.stringify(body)).not.toContain("access_token");
  });

  it("follows the access list as an admin changes it: grant, tills off, all", async () => {
    const authorization = await bearerFor(ungranted);
    try {
      await grant({ mode: "selected", clientIds: [ungranted.id], tills: false });
      expect((await tokenOf("payments", authorization)).status).toBe(200);
      expect((await tokenOf("payments", await bearerFor(viewer))).status).toBe(403);
      // A till holding all:read, but tills are not on the list.
      const till = await tokenOf("payments", tillAuthorization);
      expect(till.status).toBe(403);
      expect(await till.json()).toMatchObject({ title: "No access to this auth config" });
      await grant({ mode: "all" });
      expect((await tokenOf("payments", await bearerFor(viewer))).status).toBe(200);
      expect((await tokenOf("payments", tillAuthorization)).status).toBe(200);
    } finally {
      await grant({ mode: "selected", clientIds: [viewer.id, modifier.id], tills: true });
    }
  });

  it("gives a till over Basic only its own permissions' scopes", async () => {
    // Tills are on the list, but this one holds only transaction:read, not all:read.
    const response = await tokenOf("payments", readOnlyTillAuthorization);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("refuses a client without all:read or all:write with 403 insufficient_scope", async () => {
    const response = await tokenOf("payments", await bearerFor(outsider));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("answers 404 for an unknown or impossible identifier", async () => {
    const authorization = await bearerFor(viewer);
    for (const identifier of ["no-such-config", "has space", "x".repeat(65)]) {
      const response = await tokenOf(identifier, authorization);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({
        title: "Auth config not found",
        detail: "There is no auth config with this identifier.",
      });
    }
  });

  it("answers 502 in plain words when the upstream fails, never with its body", async () => {
    const authorization = await bearerFor(viewer);
    const response = await tokenOf("broken", authorization);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain(UPSTREAM_SECRET_BODY);
    expect(JSON.parse(text)).toMatchObject({
      status: 502,
      code: "upstream_rejected",
      detail: "The token server rejected the client credentials (invalid_client).",
    });
    // The broker now backs off; the answer is still a 502, with when to try again.
    const again = await tokenOf("broken", authorization);
    expect(again.status).toBe(502);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await again.json()).toMatchObject({ code: "backing_off" });
  });

  it("answers a typed 500 naming the config when its secret was copied from another row", async () => {
    await handle.db.execute(
      sql`update auth_configs set client_secret_sealed = (select client_secret_sealed from auth_configs where identifier = 'payments') where identifier = 'tampered'`,
    );
    const authorization = await bearerFor(viewer);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await tokenOf("tampered", authorization);
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        type: "urn:authdesk:problem:auth-config-unreadable",
        title: "Auth config cannot be read",
        status: 500,
        code: "config_unreadable",
        identifier: "tampered",
      });
      expect(body.detail).toContain('auth config "tampered" cannot be decrypted');
      expect(body.detail).toContain("Restore the key that sealed them");
    }
    // Nothing went to the token server with a secret that is not this config's.
    expect(neverAsked.connections()).toBe(0);
    const events = await queryRows<{ target_id: string }>(
      handle.db,
      sql`select target_id from audit_events where action = 'auth_config.unreadable'`,
    );
    expect(events).toHaveLength(1);
  });
});
