import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnections, integrationOAuthRegistrations } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { sendJson, startRecordingServer } from "@/lib/testing/http-server";
import { type McpServer, startMcpServer } from "@/lib/testing/mcp-server";
import {
  authorizeAsEndUser,
  type OAuthProvider,
  type OAuthProviderOptions,
  startOAuthProvider,
} from "@/lib/testing/oauth-provider";
import { openTokenSet } from "../connections";
import { adminContext, apiClientContext, createTestLink } from "../integrations.testing";
import { forgetRegistration, loadOAuthClient } from "./client";
import { completeAuthorization, startAuthorization } from "./flow";
import { createFreshCredentials } from "./fresh-credentials";
import { ageToken } from "./fresh-credentials.testing";
import { createOAuthIntegration, oauthDeps, REDIRECT_URI } from "./oauth.testing";
import { refreshTokens } from "./protocol";
import { type OAuthDependencies, OAuthError } from "./types";

/**
 * OAUTH_DCR from nothing but a server URL: a loopback "MCP server" that serves only RFC 9728
 * protected-resource metadata naming a real oidc-provider on another port, which registers
 * clients (RFC 7591) and issues tokens for the server as an RFC 8707 resource.
 */

const keyring = testKeyring();
const BROWSER = "browser-binding-dddddddddddddddddddddddd";

interface McpWithProvider {
  resource: McpServer;
  provider: OAuthProvider;
  serverUrl: string;
  close(): Promise<void>;
}

async function startMcpWithProvider(options: OAuthProviderOptions = {}): Promise<McpWithProvider> {
  const resource = await startMcpServer(() => provider.issuer, {
    scopesSupported: ["read", "write"],
  });
  const provider = await startOAuthProvider({ ...options, resource: resource.serverUrl });
  return {
    resource,
    provider,
    serverUrl: resource.serverUrl,
    close: async () => {
      await provider.close();
      await resource.close();
    },
  };
}

describe.each(testDrivers)("OAuth dynamic client registration on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let mcp: McpWithProvider;
  let context: ChangeContext;
  let deps: OAuthDependencies;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    mcp = await startMcpWithProvider();
    context = await adminContext(handle.db);
    deps = oauthDeps(handle.db, keyring, sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await mcp.close();
    await handle.close();
  });

  function dcrIntegration(oauthClient: Record<string, unknown>) {
    return createOAuthIntegration(
      handle.db,
      { keyring, sandbox },
      context,
      "OAUTH_DCR",
      oauthClient,
    );
  }

  async function start(integrationId: string, endUserId = "user-1", redirectUri = REDIRECT_URI) {
    const { token } = await createTestLink(handle.db, { integrationId, endUserId }, context);
    return startAuthorization(deps, {
      token,
      redirectUri,
      browserBinding: BROWSER,
    });
  }

  async function connect(integrationId: string, endUserId = "user-1") {
    const started = await start(integrationId, endUserId);
    if (!started.ok) throw new Error(JSON.stringify(started));
    const callback = await authorizeAsEndUser(started.authorizationUrl);
    const completed = await completeAuthorization(deps, {
      ...callback,
      error: null,
      browserBinding: BROWSER,
    });
    if (!completed.ok) throw new Error(JSON.stringify(completed));
    return { authorizationUrl: new URL(started.authorizationUrl), completed };
  }

  async function registration(integrationId: string) {
    const [row] = await handle.db
      .select()
      .from(integrationOAuthRegistrations)
      .where(eq(integrationOAuthRegistrations.integrationId, integrationId));
    return row;
  }

  async function tokensOf(connectionId: string) {
    const [row] = await handle.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, connectionId));
    return openTokenSet(keyring, connectionId, row?.valuesSealed ?? "");
  }

  it("discovers from the server URL alone, registers once for two connects, and refreshes", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const registrations = mcp.provider.registrations();
    const first = await connect(id, "user-1");
    const second = await connect(id, "user-2");
    expect(mcp.provider.registrations()).toBe(registrations + 1);
    expect(mcp.resource.requests.map((request) => request.path)).toContain(
      "/.well-known/oauth-protected-resource/mcp",
    );
    const params = first.authorizationUrl.searchParams;
    expect(first.authorizationUrl.origin).toBe(mcp.provider.issuer);
    expect(params.get("resource")).toBe(mcp.serverUrl);
    expect(params.get("scope")).toBe("read write");
    expect(second.authorizationUrl.searchParams.get("client_id")).toBe(params.get("client_id"));

    const stored = await registration(id);
    expect(stored?.tokenEndpointAuthMethod).toBe("none");
    expect(stored?.clientIdSealed).not.toContain(params.get("client_id"));

    // A refresh (no redirect URI) uses the stored registration and never registers.
    const client = await loadOAuthClient(deps, id);
    const tokens = await tokensOf(first.completed.connectionId);
    const refreshed = await refreshTokens(deps, client, tokens.refreshToken ?? "");
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(mcp.provider.registrations()).toBe(registrations + 1);
  });

  it("two first connects at once store one registration", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const registrations = mcp.provider.registrations();
    const [one, two] = await Promise.all([start(id, "user-1"), start(id, "user-2")]);
    expect(one.ok && two.ok).toBe(true);
    expect(mcp.provider.registrations()).toBe(registrations + 1);
    const clientIds = [one, two].map((started) =>
      started.ok ? new URL(started.authorizationUrl).searchParams.get("client_id") : null,
    );
    expect(clientIds[0]).toBe(clientIds[1]);
  });

  it("two instances registering at once both register at the server, but store one and use it", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const registrations = mcp.provider.registrations();
    // A fresh copy of the module has its own in-process single flight, as another instance would.
    vi.resetModules();
    const otherInstance = await import("./client");
    const options = { redirectUri: REDIRECT_URI };
    const [one, two] = await Promise.all([
      loadOAuthClient(deps, id, options),
      otherInstance.loadOAuthClient(deps, id, options),
    ]);
    expect(mcp.provider.registrations()).toBe(registrations + 2);
    expect(one.clientId).toBe(two.clientId);
    expect((await loadOAuthClient(deps, id)).clientId).toBe(one.clientId);
  });

  it("an expired client secret, or another redirect URI, registers again", async () => {
    const confidential = await startMcpWithProvider({ clientAuthMethods: ["client_secret_basic"] });
    try {
      const id = await dcrIntegration({ authUrl: confidential.serverUrl });
      await connect(id);
      const first = await registration(id);
      expect(first?.tokenEndpointAuthMethod).toBe("client_secret_basic");
      expect(first?.clientSecretSealed).not.toBeNull();
      await handle.db
        .update(integrationOAuthRegistrations)
        .set({ clientSecretExpiresAt: new Date(Date.now() - 1000) })
        .where(eq(integrationOAuthRegistrations.integrationId, id));
      const { completed } = await connect(id, "user-2");
      expect(completed.ok).toBe(true);
      expect(confidential.provider.registrations()).toBe(2);
      const second = await registration(id);
      expect(second?.registeredAt.getTime()).not.toBe(first?.registeredAt.getTime());
      expect(second?.clientSecretExpiresAt).toBeNull();

      expect((await start(id, "user-3", "http://authdesk.test/other/callback")).ok).toBe(true);
      expect(confidential.provider.registrations()).toBe(3);

      // Canary: no registered client secret, registration token or token reached an audit row.
      const audit = JSON.stringify(await handle.db.select().from(auditEvents));
      const issued = [...confidential.provider.issuedSecrets(), ...mcp.provider.issuedSecrets()];
      expect(issued.length).toBeGreaterThan(6);
      for (const secret of issued) expect(audit).not.toContain(secret);
    } finally {
      await confidential.close();
    }
  });

  it("a forgotten registration is dropped on invalid_client and the next connect registers again", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const { completed } = await connect(id);
    const client = await loadOAuthClient(deps, id);
    await mcp.provider.forgetClient(client.clientId);
    const tokens = await tokensOf(completed.connectionId);
    const error = await refreshTokens(deps, client, tokens.refreshToken ?? "").catch((e) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).code).toBe("invalid_client");

    expect(await forgetRegistration(handle.db, id, client)).toBe(true);
    expect(await registration(id)).toBeUndefined();
    await expect(loadOAuthClient(deps, id)).rejects.toMatchObject({ code: "not_configured" });
    // A stale caller cannot drop the registration that replaced the forgotten one.
    const registrations = mcp.provider.registrations();
    await connect(id, "user-2");
    expect(mcp.provider.registrations()).toBe(registrations + 1);
    expect(await forgetRegistration(handle.db, id, client)).toBe(false);
    expect(await registration(id)).toBeDefined();
  });

  it("refuses a response that names another issuer, or none (RFC 9207), without exchanging its code", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const exchanges = mcp.provider.tokenCalls("authorization_code");
    for (const iss of ["https://attacker.example", null]) {
      const started = await start(id, "user-mixup");
      if (!started.ok) throw new Error(JSON.stringify(started));
      const callback = await authorizeAsEndUser(started.authorizationUrl);
      expect(callback.iss).toBe(mcp.provider.issuer);
      const result = await completeAuthorization(deps, {
        ...callback,
        iss,
        browserBinding: BROWSER,
      });
      expect(result).toMatchObject({ ok: false, problem: "exchange_failed", error: "rejected" });
    }
    expect(mcp.provider.tokenCalls("authorization_code")).toBe(exchanges);
    const rows = await handle.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.integrationId, id));
    expect(rows).toEqual([]);
  });

  it("refreshes: a forgotten client needs a reconnect, and a new registration never gets an old client's refresh token", async () => {
    const fresh = createFreshCredentials({ ...deps });
    const caller = apiClientContext("cli_dcr", "client-key-dcr");
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const first = (await connect(id, "user-1")).completed.connectionId;
    const second = (await connect(id, "user-2")).completed.connectionId;
    await mcp.provider.forgetClient((await loadOAuthClient(deps, id)).clientId);

    await ageToken(handle.db, first, -1_000);
    expect(await fresh.getCredentials(id, first, caller)).toMatchObject({
      ok: false,
      error: "needs_reconnect",
      reason: "invalid_client",
    });
    expect(await registration(id)).toBeUndefined();

    await connect(id, "user-3");
    await ageToken(handle.db, second, -1_000);
    const refreshes = mcp.provider.tokenCalls("refresh_token");
    expect(await fresh.getCredentials(id, second, caller)).toMatchObject({
      ok: false,
      error: "needs_reconnect",
      reason: "client_changed",
    });
    // Refused before any request: the new client never saw the old client's refresh token.
    expect(mcp.provider.tokenCalls("refresh_token")).toBe(refreshes);
    await fresh.close();
  });

  it("an exchange answered with invalid_client drops the registration, so the next connect registers", async () => {
    const id = await dcrIntegration({ authUrl: mcp.serverUrl });
    const started = await start(id);
    if (!started.ok) throw new Error("not started");
    const callback = await authorizeAsEndUser(started.authorizationUrl);
    await mcp.provider.forgetClient(
      new URL(started.authorizationUrl).searchParams.get("client_id") ?? "",
    );
    const completed = await completeAuthorization(deps, {
      ...callback,
      error: null,
      browserBinding: BROWSER,
    });
    expect(completed).toMatchObject({
      ok: false,
      problem: "exchange_failed",
      error: "invalid_client",
    });
    expect(await registration(id)).toBeUndefined();
    const registrations = mcp.provider.registrations();
    expect((await connect(id, "user-2")).completed.ok).toBe(true);
    expect(mcp.provider.registrations()).toBe(registrations + 1);
  });

  it("a pre-registered client ID is used with the discovered endpoints, without registering", async () => {
    const preregistered = await startMcpWithProvider({
      clients: [{ clientId: "pre-registered", redirectUris: [REDIRECT_URI] }],
    });
    try {
      const id = await dcrIntegration({
        authUrl: preregistered.serverUrl,
        clientId: "pre-registered",
      });
      const { authorizationUrl } = await connect(id);
      expect(authorizationUrl.searchParams.get("client_id")).toBe("pre-registered");
      expect(preregistered.provider.registrations()).toBe(0);
      expect(await registration(id)).toBeUndefined();
    } finally {
      await preregistered.close();
    }
  });

  it("a server URL with no metadata anywhere fails as discovery_failed; private URLs need the setting", async () => {
    const nothing = await startRecordingServer();
    try {
      nothing.respond((_req, res) => sendJson(res, 404, {}));
      const id = await dcrIntegration({ authUrl: nothing.url("/mcp") });
      expect(await start(id)).toEqual({ ok: false, error: "discovery_failed" });
      const paths = nothing.requests.map((request) => request.path);
      expect(paths).toEqual([
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
      ]);
      const guarded = { ...deps, allowPrivateUrls: false };
      await expect(
        loadOAuthClient(guarded, await dcrIntegration({ authUrl: mcp.serverUrl }), {
          redirectUri: REDIRECT_URI,
        }),
      ).rejects.toMatchObject({ code: "not_configured" });
    } finally {
      await nothing.close();
    }
  });
});
