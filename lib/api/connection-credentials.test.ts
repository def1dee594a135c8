import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnections } from "@/db/schema";
import { openTokenSet } from "@/lib/integrations/connections";
import { adminContext } from "@/lib/integrations/integrations.testing";
import {
  ageToken,
  authorizeEndUser,
  insertOAuthConnection,
} from "@/lib/integrations/oauth/fresh-credentials.testing";
import {
  createOAuthIntegration,
  oauthDeps,
  REDIRECT_URI,
} from "@/lib/integrations/oauth/oauth.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import { type OAuthProvider, startOAuthProvider } from "@/lib/testing/oauth-provider";
import {
  type ApiServer,
  accessTokenFor,
  insertClient,
  insertTill,
  startApiServer,
  TEST_KEYRING,
} from "./api.testing";

/**
 * GET …/connections/{id}/credentials for OAuth connections, over real HTTP to two app instances
 * on one database (on PostgreSQL each with its own pool, as two processes would have), each
 * with its own fresh-credentials service, against a real oidc-provider.
 */

const CLIENT = { clientId: "authdesk-api", clientSecret: "api s3cret+/=" };

describe.each(testDrivers)("connection credentials API on %s", (driver) => {
  let first: DatabaseHandle;
  let second: DatabaseHandle;
  let sandbox: Sandbox;
  let provider: OAuthProvider;
  let fake: RecordingServer;
  let instances: [ApiServer, ApiServer];
  let authorization: string;
  let integrationId: string;
  let fakeIntegrationId: string;
  let users = 0;
  const logged: string[] = [];
  const keyring = TEST_KEYRING;

  beforeAll(async () => {
    for (const method of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    first = await createTestDatabase(driver);
    second = await openSecondInstance(first);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    provider = await startOAuthProvider({
      clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI] }],
    });
    fake = await startRecordingServer();
    const integrations = { sandbox, allowPrivateUrls: true };
    instances = [
      await startApiServer({ db: first.db, keyring, integrations }),
      await startApiServer({ db: second.db, keyring, integrations }),
    ];
    const till = await insertTill(first.db);
    const client = await insertClient(first.db, {
      tillId: till.id,
      permissions: { integrations: "write" },
    });
    authorization = `Bearer ${await accessTokenFor(instances[0], client)}`;
    const context = await adminContext(first.db);
    const deps = { keyring, sandbox };
    integrationId = await createOAuthIntegration(first.db, deps, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
      ...CLIENT,
      scopes: "read",
    });
    fakeIntegrationId = await createOAuthIntegration(first.db, deps, context, "OAUTH", {
      authUrl: fake.url("/authorize"),
      tokenUrl: fake.url("/token"),
      clientId: "fake-client",
      clientSecret: "fake-secret",
    });
  });
  afterAll(async () => {
    for (const instance of instances ?? []) await instance.close();
    await sandbox?.close();
    await provider?.close();
    await fake?.close();
    await second?.close();
    await first?.close();
    vi.restoreAllMocks();
  });

  async function connectEndUser(): Promise<string> {
    users += 1;
    const tokens = await authorizeEndUser(oauthDeps(first.db, keyring, sandbox), integrationId);
    return insertOAuthConnection(first.db, keyring, integrationId, `api-user-${users}`, tokens);
  }

  const get = (instance: ApiServer, path: string) =>
    fetch(`${instance.url}/api/integrations/v1/${path}`, { headers: { authorization } });
  const credentials = (instance: ApiServer, integration: string, connectionId: string) =>
    get(instance, `${integration}/connections/${connectionId}/credentials`);

  async function stored(connectionId: string) {
    const [row] = await first.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, connectionId));
    if (!row) throw new Error("no such connection");
    return { ...row, tokens: openTokenSet(keyring, row.id, row.valuesSealed) };
  }

  it("answers 50 concurrent requests on two instances with one refresh, and no refresh token", async () => {
    const connectionId = await connectEndUser();
    await ageToken(first.db, connectionId, 5_000);
    const before = provider.tokenCalls("refresh_token");
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        credentials(instances[index % 2] as ApiServer, integrationId, connectionId),
      ),
    );
    expect(provider.tokenCalls("refresh_token")).toBe(before + 1);
    const bodies = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(200);
        expect(response.headers.get("cache-control")).toBe("no-store");
        return response.text();
      }),
    );
    const row = await stored(connectionId);
    for (const text of bodies) {
      const body = JSON.parse(text) as { connection: unknown; credentials: object };
      expect(Object.keys(body).sort()).toEqual(["connection", "credentials"]);
      expect(Object.keys(body.credentials).sort()).toEqual([
        "accessToken",
        "expiresAt",
        "scope",
        "tokenType",
      ]);
      expect(body).toMatchObject({
        connection: { id: connectionId, status: "active" },
        credentials: { accessToken: row.tokens.accessToken, tokenType: "Bearer" },
      });
      expect(text).not.toContain(row.tokens.refreshToken);
    }
  });

  it("answers a typed 409 once the provider refuses the refresh token, and lists needs_reconnect", async () => {
    const connectionId = await connectEndUser();
    await provider.revokeGrant((await stored(connectionId)).tokens.refreshToken ?? "");
    await ageToken(first.db, connectionId, -1_000);
    for (const instance of instances) {
      const response = await credentials(instance, integrationId, connectionId);
      expect(response.status).toBe(409);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(await response.json()).toMatchObject({
        type: "urn:authdesk:problem:needs-reconnect",
        status: 409,
        error: "needs_reconnect",
        reason: "invalid_grant",
      });
      const list = await get(instance, `${integrationId}/connections`);
      const { connections } = (await list.json()) as {
        connections: { id: string; status: string }[];
      };
      expect(connections.find((c) => c.id === connectionId)?.status).toBe("needs_reconnect");
    }
  });

  it("answers 502 with Retry-After when the provider fails, then 503 while backing off", async () => {
    const connectionId = await insertOAuthConnection(
      first.db,
      keyring,
      fakeIntegrationId,
      "failing",
      {
        accessToken: "fake-at-expired",
        refreshToken: "fake-rt-kept",
        tokenType: "Bearer",
        expiresAt: new Date(Date.now() - 1_000),
        scope: null,
      },
    );
    fake.respond((_req, res) => sendJson(res, 500, { error: "server_error" }));
    const failed = await credentials(instances[0], fakeIntegrationId, connectionId);
    expect(failed.status).toBe(502);
    expect(Number(failed.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await failed.json()).toMatchObject({ error: "refresh_failed", reason: "rejected" });
    const waiting = await credentials(instances[0], fakeIntegrationId, connectionId);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({ error: "refresh_failed", reason: "backing_off" });
    expect((await stored(connectionId)).status).toBe("active");
  });

  it("answers a typed 500 when the stored tokens were copied from another connection", async () => {
    const expired = (name: string) => ({
      accessToken: `fake-at-${name}`,
      refreshToken: `fake-rt-${name}`,
      tokenType: "Bearer",
      expiresAt: new Date(Date.now() - 1_000),
      scope: null,
    });
    const source = await insertOAuthConnection(
      first.db,
      keyring,
      fakeIntegrationId,
      "copy-source",
      expired("source"),
    );
    const target = await insertOAuthConnection(
      first.db,
      keyring,
      fakeIntegrationId,
      "copy-target",
      expired("target"),
    );
    await first.db.execute(
      sql`update integration_connections set values_sealed = (select values_sealed from integration_connections where id = ${source}) where id = ${target}`,
    );
    const requestsBefore = fake.requests.length;
    for (const instance of instances) {
      const response = await credentials(instance, fakeIntegrationId, target);
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({
        type: "urn:authdesk:problem:connection-unreadable",
        error: "unreadable",
      });
      expect(body.detail).toContain(`connection ${target} cannot be decrypted`);
      expect(JSON.stringify(body)).not.toContain("fake-rt-source");
    }
    // The other connection's refresh token never went to the provider on this one's behalf.
    expect(fake.requests.length).toBe(requestsBefore);
    const events = await first.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "integration.connection_unreadable"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ targetId: target, actorType: "system" });
  });

  it("keeps every token out of other answers, audit rows and logs", async () => {
    const secrets = [...provider.issuedSecrets(), "fake-at-expired", "fake-rt-kept"];
    expect(secrets.length).toBeGreaterThan(4);
    const answers = await Promise.all([
      get(instances[0], `${integrationId}/connections`).then((r) => r.text()),
      get(instances[1], integrationId).then((r) => r.text()),
      get(instances[0], `${fakeIntegrationId}/connections`).then((r) => r.text()),
    ]);
    const audit = JSON.stringify(await first.db.select().from(auditEvents));
    for (const secret of secrets) {
      for (const text of [...answers, audit, logged.join("\n")]) expect(text).not.toContain(secret);
    }
  });
});
