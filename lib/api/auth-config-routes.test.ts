import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
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
  let tillAuthorization: string;

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
    await seedConfig(handle.db, keyring, admin, {
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
    });
    await seedConfig(handle.db, keyring, admin, {
      identifier: "tampered",
      tokenUrl: neverAsked.url(),
      clientId: "client",
      clientSecret: "the real secret",
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
    // A till (Basic) is the organisation's own identity and reaches every API.
    expect((await tokenOf("payments", tillAuthorization)).status).toBe(200);
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
