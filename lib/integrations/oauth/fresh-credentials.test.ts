import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnections } from "@/db/schema";
import type { ActorContext, ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import { type OAuthProvider, startOAuthProvider } from "@/lib/testing/oauth-provider";
import { listConnections, openTokenSet } from "../connections";
import { adminContext, apiClientContext } from "../integrations.testing";
import { loadOAuthClient, oauthClientKey } from "./client";
import {
  type CredentialsResult,
  createFreshCredentials,
  type FreshCredentials,
} from "./fresh-credentials";
import {
  ageToken,
  authorizeEndUser,
  insertOAuthConnection,
  leaveLease,
  type RecordingProxy,
  startRecordingProxy,
} from "./fresh-credentials.testing";
import { configure, createOAuthIntegration, oauthDeps, REDIRECT_URI } from "./oauth.testing";

/**
 * Fresh credentials against a real oidc-provider (rotating refresh tokens, invalid_grant on a
 * reused or revoked one), reached through a loopback proxy that records every refresh token
 * presented, and a recording token server for the answers oidc-provider never gives.
 */

const keyring = testKeyring();
const CLIENT = { clientId: "authdesk-fresh", clientSecret: "fresh s3cret+/=" };
const caller: ActorContext = apiClientContext("cli_test", "client-key-test");

describe.each(testDrivers)("fresh credentials on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let provider: OAuthProvider;
  let proxy: RecordingProxy;
  let fake: RecordingServer;
  let context: ChangeContext;
  let integrationId: string;
  let fakeIntegrationId: string;
  let users = 0;

  const service = (db = handle.db) =>
    createFreshCredentials({ ...oauthDeps(db, keyring, sandbox) });
  const refreshes = () => provider.tokenCalls("refresh_token");

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    provider = await startOAuthProvider({
      clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI] }],
    });
    proxy = await startRecordingProxy(provider.tokenEndpoint);
    fake = await startRecordingServer();
    context = await adminContext(handle.db);
    const deps = { keyring, sandbox };
    integrationId = await createOAuthIntegration(handle.db, deps, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: proxy.tokenUrl,
      ...CLIENT,
      scopes: "read write",
    });
    fakeIntegrationId = await createOAuthIntegration(handle.db, deps, context, "OAUTH", {
      authUrl: `${fake.url("/authorize")}`,
      tokenUrl: fake.url("/token"),
      clientId: "fake-client",
      clientSecret: "fake-secret",
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    await proxy?.close();
    await provider?.close();
    await fake?.close();
    await handle?.close();
  });

  /** A new end user connected through the provider's real authorization flow. */
  async function connectEndUser(): Promise<string> {
    users += 1;
    const tokens = await authorizeEndUser(oauthDeps(handle.db, keyring, sandbox), integrationId);
    return insertOAuthConnection(handle.db, keyring, integrationId, `user-${users}`, tokens);
  }

  async function storedRow(connectionId: string) {
    const [row] = await handle.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, connectionId));
    if (!row) throw new Error("no such connection");
    return {
      ...row,
      tokens: openTokenSet(keyring, row.id, row.valuesSealed),
    };
  }

  function accessTokenOf(result: CredentialsResult): string {
    if (!result.ok || result.credentials.kind !== "oauth") {
      throw new Error(`expected a token, got ${JSON.stringify(result)}`);
    }
    return result.credentials.token.accessToken;
  }

  async function auditActions(connectionId: string) {
    const events = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.targetId, connectionId));
    return events.map((event) => event.action);
  }

  /** An integration of its own (its client is about to change), with one connected end user. */
  async function connectToOwnIntegration() {
    const deps = oauthDeps(handle.db, keyring, sandbox);
    const ownId = await createOAuthIntegration(handle.db, { keyring, sandbox }, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
      ...CLIENT,
      scopes: "read write",
    });
    const tokens = await authorizeEndUser(deps, ownId);
    const key = oauthClientKey(await loadOAuthClient(deps, ownId));
    const connectionId = await insertOAuthConnection(
      handle.db,
      keyring,
      ownId,
      "user-own",
      tokens,
      key,
    );
    await ageToken(handle.db, connectionId, -1_000);
    return { ownId, connectionId };
  }

  it("never sends a refresh token to another client: a new client id means a reconnect", async () => {
    const { ownId, connectionId } = await connectToOwnIntegration();
    await configure(handle.db, { keyring, sandbox }, context, ownId, {
      authType: "OAUTH",
      oauthClient: { clientId: "another-client" },
    });
    const before = provider.tokenCalls("refresh_token");
    expect(await service().getCredentials(ownId, connectionId, caller)).toMatchObject({
      ok: false,
      error: "needs_reconnect",
      reason: "client_changed",
    });
    expect(provider.tokenCalls("refresh_token")).toBe(before);
  });

  it("a wrong client secret is the admin's to fix: the connection stays active", async () => {
    const { ownId, connectionId } = await connectToOwnIntegration();
    await configure(handle.db, { keyring, sandbox }, context, ownId, {
      authType: "OAUTH",
      oauthClient: { clientSecret: "not-the-secret" },
    });
    expect(await service().getCredentials(ownId, connectionId, caller)).toMatchObject({
      ok: false,
      error: "refresh_failed",
      reason: "invalid_client",
    });
    expect((await storedRow(connectionId)).status).toBe("active");
  });

  it("serves a token with time to live without asking the provider, and never the refresh token", async () => {
    const connectionId = await connectEndUser();
    const before = refreshes();
    const result = await service().getCredentials(integrationId, connectionId, caller);
    expect(refreshes()).toBe(before);
    expect(result).toMatchObject({
      ok: true,
      connection: { id: connectionId, status: "active" },
      credentials: { kind: "oauth", token: { tokenType: "Bearer" } },
    });
    if (!result.ok || result.credentials.kind !== "oauth") throw new Error("expected a token");
    expect(Object.keys(result.credentials.token).sort()).toEqual([
      "accessToken",
      "expiresAt",
      "scope",
      "tokenType",
    ]);
    expect(result.credentials.token.accessToken).toBe(
      (await storedRow(connectionId)).tokens.accessToken,
    );
    expect(await auditActions(connectionId)).toEqual(["integration.connection_credentials_read"]);
  });

  it("refreshes an expiring token once for 50 concurrent callers, and all get the new token", async () => {
    const connectionId = await connectEndUser();
    const old = await storedRow(connectionId);
    await ageToken(handle.db, connectionId, 5_000);
    const before = refreshes();
    const fresh = service();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => fresh.getCredentials(integrationId, connectionId, caller)),
    );
    expect(refreshes()).toBe(before + 1);
    const tokens = new Set(results.map(accessTokenOf));
    expect(tokens.size).toBe(1);
    const stored = await storedRow(connectionId);
    expect(tokens.has(stored.tokens.accessToken)).toBe(true);
    expect(stored.tokens.accessToken).not.toBe(old.tokens.accessToken);
    expect(stored.tokens.refreshToken).not.toBe(old.tokens.refreshToken);
    expect(stored.credentialsRevision).toBe(old.credentialsRevision + 1);
    expect(stored.refreshLeaseUntil).toBeNull();
    const actions = await auditActions(connectionId);
    expect(actions.filter((action) => action === "integration.connection_refreshed")).toHaveLength(
      1,
    );
    expect(
      actions.filter((action) => action === "integration.connection_credentials_read"),
    ).toHaveLength(50);
  });

  it("refreshes once between two instances, and never presents a rotated refresh token twice", async () => {
    // On PostgreSQL each instance has its own pool, as two processes would.
    const second = await openSecondInstance(handle);
    const instances: FreshCredentials[] = [service(), service(second.db)];
    try {
      const connectionId = await connectEndUser();
      const before = refreshes();
      const presentedBefore = proxy.presentedRefreshTokens.length;
      for (let round = 1; round <= 3; round++) {
        await ageToken(handle.db, connectionId, round === 2 ? -1_000 : 5_000);
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, index) =>
            (instances[index % 2] as FreshCredentials).getCredentials(
              integrationId,
              connectionId,
              caller,
            ),
          ),
        );
        expect(new Set(results.map(accessTokenOf)).size).toBe(1);
        expect(refreshes()).toBe(before + round);
      }
      const presented = proxy.presentedRefreshTokens.slice(presentedBefore);
      expect(presented).toHaveLength(3);
      expect(new Set(presented).size).toBe(3);
      expect((await storedRow(connectionId)).status).toBe("active");
    } finally {
      await second.close();
    }
  });

  it("marks the connection needs_reconnect on invalid_grant, visibly, and asks no more", async () => {
    const connectionId = await connectEndUser();
    const { tokens } = await storedRow(connectionId);
    await provider.revokeGrant(tokens.refreshToken ?? "");
    await ageToken(handle.db, connectionId, -1_000);
    const fresh = service();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => fresh.getCredentials(integrationId, connectionId, caller)),
    );
    for (const result of results) {
      expect(result).toEqual({ ok: false, error: "needs_reconnect", reason: "invalid_grant" });
    }
    const before = refreshes();
    expect(await service().getCredentials(integrationId, connectionId, caller)).toMatchObject({
      error: "needs_reconnect",
    });
    expect(refreshes()).toBe(before);
    const stored = await storedRow(connectionId);
    expect(stored).toMatchObject({
      status: "needs_reconnect",
      lastRefreshError: "invalid_grant",
      refreshLeaseUntil: null,
    });
    const page = await listConnections(handle.db, integrationId);
    if ("error" in page) throw new Error("bad page");
    expect(page.connections.find((c) => c.id === connectionId)?.status).toBe("needs_reconnect");
    expect(await auditActions(connectionId)).toEqual(["integration.connection_needs_reconnect"]);
  });

  it("lets another instance refresh once a dead instance's lease lapses", async () => {
    const connectionId = await connectEndUser();
    await ageToken(handle.db, connectionId, -1_000);
    await leaveLease(handle.db, connectionId, 600);
    const before = refreshes();
    const started = performance.now();
    const result = await service().getCredentials(integrationId, connectionId, caller);
    expect(accessTokenOf(result)).toBe((await storedRow(connectionId)).tokens.accessToken);
    expect(refreshes()).toBe(before + 1);
    // It waited for the lease rather than refreshing beside its holder.
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("keeps the refresh token when the provider sends none", async () => {
    const connectionId = await insertOAuthConnection(
      handle.db,
      keyring,
      fakeIntegrationId,
      "kept-refresh",
      {
        accessToken: "fake-at-original",
        refreshToken: "fake-rt-original",
        tokenType: "Bearer",
        expiresAt: new Date(Date.now() - 1_000),
        scope: "read",
      },
    );
    let issued = 0;
    fake.respond((_req, res) => {
      issued += 1;
      sendJson(res, 200, {
        access_token: `fake-at-${issued}`,
        token_type: "Bearer",
        expires_in: 600,
      });
    });
    const fresh = service();
    const first = await fresh.getCredentials(fakeIntegrationId, connectionId, caller);
    expect(accessTokenOf(first)).toBe("fake-at-1");
    expect((await storedRow(connectionId)).tokens).toMatchObject({
      accessToken: "fake-at-1",
      refreshToken: "fake-rt-original",
      scope: "read",
    });
    await ageToken(handle.db, connectionId, -1_000);
    expect(accessTokenOf(await fresh.getCredentials(fakeIntegrationId, connectionId, caller))).toBe(
      "fake-at-2",
    );
    const sent = fake.requests.slice(-2).map((request) => new URLSearchParams(request.body));
    expect(sent.map((form) => form.get("refresh_token"))).toEqual([
      "fake-rt-original",
      "fake-rt-original",
    ]);
  });

  it("keeps the connection active on a provider failure, serves the old token while it lasts, and backs off", async () => {
    const connectionId = await insertOAuthConnection(
      handle.db,
      keyring,
      fakeIntegrationId,
      "failing-provider",
      {
        accessToken: "at-still-valid",
        refreshToken: "fake-rt-1",
        tokenType: "Bearer",
        expiresAt: null,
        scope: null,
      },
    );
    await ageToken(handle.db, connectionId, 5_000);
    fake.respond((_req, res) => sendJson(res, 503, { error: "temporarily_unavailable" }));
    const requests = fake.requests.length;
    const fresh = service();
    expect(accessTokenOf(await fresh.getCredentials(fakeIntegrationId, connectionId, caller))).toBe(
      "at-still-valid",
    );
    expect(fake.requests.length).toBe(requests + 1);
    expect(await storedRow(connectionId)).toMatchObject({
      status: "active",
      refreshLeaseUntil: null,
      lastRefreshError: "rejected",
    });
    await ageToken(handle.db, connectionId, -1_000);
    const backingOff = await fresh.getCredentials(fakeIntegrationId, connectionId, caller);
    expect(backingOff).toMatchObject({
      ok: false,
      error: "refresh_failed",
      reason: "backing_off",
    });
    if (backingOff.ok || backingOff.error !== "refresh_failed")
      throw new Error("expected a failure");
    expect(backingOff.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The back-off kept this instance from asking again.
    expect(fake.requests.length).toBe(requests + 1);
  });

  it("marks an expired token without a refresh token needs_reconnect", async () => {
    const connectionId = await insertOAuthConnection(
      handle.db,
      keyring,
      fakeIntegrationId,
      "no-refresh-token",
      {
        accessToken: "at-only",
        refreshToken: null,
        tokenType: "Bearer",
        expiresAt: new Date(Date.now() + 5_000),
        scope: null,
      },
    );
    await ageToken(handle.db, connectionId, 5_000);
    // Within the margin but unexpired: nothing to refresh with, so the token as it is.
    expect(
      accessTokenOf(await service().getCredentials(fakeIntegrationId, connectionId, caller)),
    ).toBe("at-only");
    await ageToken(handle.db, connectionId, -1_000);
    expect(await service().getCredentials(fakeIntegrationId, connectionId, caller)).toEqual({
      ok: false,
      error: "needs_reconnect",
      reason: "no_refresh_token",
    });
  });

  it("never writes a token to an audit row", async () => {
    const events = await handle.db.select().from(auditEvents);
    const audit = JSON.stringify(events);
    const secrets = [
      ...provider.issuedSecrets(),
      "fake-at-original",
      "fake-rt-original",
      "fake-at-1",
      "fake-rt-1",
    ];
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(audit).not.toContain(secret);
  });
});
