import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import {
  auditEvents,
  integrationConnections,
  integrationConnectSessions,
  integrationOAuthStates,
  integrations,
} from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { seal } from "@/lib/crypto";
import { oauthStateVerifierSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  authorizeAsEndUser,
  type OAuthProvider,
  startOAuthProvider,
} from "@/lib/testing/oauth-provider";
import { setConnectReturnUrls } from "../connect-sessions";
import { hashToken } from "../connect-tokens";
import { openTokenSet } from "../connections";
import { adminContext, createTestLink } from "../integrations.testing";
import { oauthClientKey } from "./client";
import { completeAuthorization, startAuthorization } from "./flow";
import { configure, createOAuthIntegration, oauthDeps, REDIRECT_URI } from "./oauth.testing";
import type { OAuthDependencies } from "./types";

/**
 * The authorization-code flow end to end: connect link → startAuthorization → the real
 * oidc-provider's login and consent pages (driven over plain HTTP) → completeAuthorization.
 */

const keyring = testKeyring();
const CLIENT = { clientId: "authdesk-flow", clientSecret: "flow-secret-7Qm2!x" };
const BROWSER = "browser-binding-aaaaaaaaaaaaaaaaaaaaaaaa";
const RETURN_URL = "https://platform.example/connected";

describe.each(testDrivers)("OAuth flow on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let provider: OAuthProvider;
  let context: ChangeContext;
  let deps: OAuthDependencies;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    provider = await startOAuthProvider({
      clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI] }],
      accessTokenTtl: 600,
    });
    context = await adminContext(handle.db);
    deps = oauthDeps(handle.db, keyring, sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await provider.close();
    await handle.close();
  });

  async function oauthIntegration(extra: Record<string, unknown> = {}) {
    const id = await createOAuthIntegration(handle.db, { keyring, sandbox }, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
      ...CLIENT,
      scopes: "read",
      ...extra,
    });
    await handle.db
      .update(integrations)
      .set({ connectReturnUrls: [RETURN_URL] })
      .where(eq(integrations.id, id));
    return id;
  }

  const link = (integrationId: string, endUserId = "user-1") =>
    createTestLink(handle.db, { integrationId, endUserId, returnUrl: RETURN_URL }, context);

  /** Starts a flow and plays the end user at the provider: the callback's state and code. */
  async function authorize(token: string, browserBinding = BROWSER) {
    const started = await startAuthorization(deps, {
      token,
      redirectUri: REDIRECT_URI,
      browserBinding,
    });
    if (!started.ok) throw new Error(JSON.stringify(started));
    return authorizeAsEndUser(started.authorizationUrl);
  }

  function complete(callback: { state: string | null; code: string | null }, binding = BROWSER) {
    return completeAuthorization(deps, {
      state: callback.state,
      code: callback.code,
      error: null,
      browserBinding: binding,
    });
  }

  async function connections(integrationId: string) {
    return handle.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.integrationId, integrationId));
  }

  it("stores a sealed connection, spends the link and returns to the platform; a reconnect keeps the id", async () => {
    const integrationId = await oauthIntegration();
    const first = await link(integrationId);
    const result = await complete(await authorize(first.token));
    if (!result.ok) throw new Error(JSON.stringify(result));
    const returnTo = new URL(result.returnTo ?? "");
    expect(returnTo.searchParams.get("connection_id")).toBe(result.connectionId);
    expect(returnTo.searchParams.get("status")).toBe("connected");

    const [row] = await connections(integrationId);
    expect(row).toMatchObject({
      id: result.connectionId,
      status: "active",
      endUserId: "user-1",
      // The end user acts, as on the fields form: not whoever made the link.
      createdByLabel: `end user user-1 (connect link ${first.id})`,
      // The client the tokens belong to, so a refresh never sends them to another one.
      oauthClientKey: oauthClientKey({
        tokenEndpoint: provider.tokenEndpoint,
        clientId: CLIENT.clientId,
      }),
    });
    const tokens = openTokenSet(keyring, row?.id ?? "", row?.valuesSealed ?? "");
    expect(provider.issuedSecrets()).toContain(tokens.accessToken);
    expect(provider.issuedSecrets()).toContain(tokens.refreshToken);
    expect(row?.valuesSealed).not.toContain(tokens.accessToken);
    expect(row?.tokenExpiresAt?.getTime()).toBe(tokens.expiresAt?.getTime());
    const [session] = await handle.db
      .select()
      .from(integrationConnectSessions)
      .where(eq(integrationConnectSessions.id, first.id));
    expect(session?.spentAt).not.toBeNull();
    expect(session?.connectionId).toBe(result.connectionId);

    const again = await complete(await authorize((await link(integrationId)).token));
    expect(again).toMatchObject({ ok: true, connectionId: result.connectionId });
    const [after] = await connections(integrationId);
    expect(after?.credentialsRevision).toBe((row?.credentialsRevision ?? 0) + 1);
    const newTokens = openTokenSet(keyring, after?.id ?? "", after?.valuesSealed ?? "");
    expect(newTokens.accessToken).not.toBe(tokens.accessToken);
  });

  it("refuses a replayed state without a second exchange", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    expect((await complete(callback)).ok).toBe(true);
    const exchanges = provider.tokenCalls("authorization_code");
    expect(await complete(callback)).toMatchObject({ ok: false, problem: "used_state" });
    expect(provider.tokenCalls("authorization_code")).toBe(exchanges);
  });

  it("two callbacks with one state at once: one connects, the other is refused before exchanging", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    const exchanges = provider.tokenCalls("authorization_code");
    const results = await Promise.all([complete(callback), complete(callback)]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toMatchObject([{ problem: "used_state" }]);
    expect(provider.tokenCalls("authorization_code")).toBe(exchanges + 1);
  });

  it("refuses an expired state, and unknown or malformed ones", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    await handle.db
      .update(integrationOAuthStates)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(integrationOAuthStates.stateHash, hashToken(callback.state ?? "")));
    const exchanges = provider.tokenCalls("authorization_code");
    const expired = await complete(callback);
    expect(expired).toMatchObject({ ok: false, problem: "expired_state" });
    expect(new URL((expired as { returnTo: string }).returnTo).searchParams.get("error")).toBe(
      "expired_state",
    );
    expect(await complete({ state: "x".repeat(43), code: "c" })).toMatchObject({
      problem: "invalid_state",
      returnTo: null,
    });
    expect(await complete({ state: "bad state", code: "c" })).toMatchObject({
      problem: "invalid_state",
    });
    expect(await complete({ state: null, code: "c" })).toMatchObject({ problem: "invalid_state" });
    expect(provider.tokenCalls("authorization_code")).toBe(exchanges);
    expect(await connections(integrationId)).toEqual([]);
  });

  it("refuses a state from another browser without using it up", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    expect(await complete(callback, "another-browser-bbbbbbbbbbbbbbbb")).toMatchObject({
      ok: false,
      problem: "wrong_browser",
    });
    expect(
      await completeAuthorization(deps, { ...callback, error: null, browserBinding: null }),
    ).toMatchObject({ problem: "wrong_browser" });
    expect(await connections(integrationId)).toEqual([]);
    expect((await complete(callback)).ok).toBe(true);
  });

  it("a state from another link's flow cannot complete with this flow's code", async () => {
    const integrationId = await oauthIntegration();
    const mine = await link(integrationId, "user-a");
    const theirs = await link(integrationId, "user-b");
    const myCallback = await authorize(mine.token);
    const theirCallback = await authorize(theirs.token);
    // Their state with my code: the code is bound to my verifier, so the provider refuses it.
    const result = await complete({ state: theirCallback.state, code: myCallback.code });
    expect(result).toMatchObject({ ok: false, problem: "exchange_failed", error: "invalid_grant" });
    expect(await connections(integrationId)).toEqual([]);
    const [session] = await handle.db
      .select()
      .from(integrationConnectSessions)
      .where(eq(integrationConnectSessions.id, theirs.id));
    expect(session?.spentAt).toBeNull();
  });

  it("a tampered PKCE verifier is refused by the provider and nothing is stored", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    const stateHash = hashToken(callback.state ?? "");
    await handle.db
      .update(integrationOAuthStates)
      .set({
        codeVerifierSealed: seal(
          keyring,
          "w".repeat(43),
          sealBindingFor(oauthStateVerifierSealedColumn, stateHash),
        ),
      })
      .where(eq(integrationOAuthStates.stateHash, stateHash));
    expect(await complete(callback)).toMatchObject({
      ok: false,
      problem: "exchange_failed",
      error: "invalid_grant",
    });
    expect(await connections(integrationId)).toEqual([]);
  });

  it("changing the auth type, or any auth setting, while a flow is in flight stores nothing", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    await configure(handle.db, { keyring, sandbox }, context, integrationId, {
      authType: "API_KEY",
    });
    const exchanges = provider.tokenCalls("authorization_code");
    expect(await complete(callback)).toMatchObject({ ok: false, problem: "auth_changed" });
    expect(provider.tokenCalls("authorization_code")).toBe(exchanges);
    expect(await connections(integrationId)).toEqual([]);

    const other = await oauthIntegration();
    const inFlight = await authorize((await link(other)).token);
    await configure(handle.db, { keyring, sandbox }, context, other, {
      authType: "OAUTH",
      oauthClient: { scopes: "read write" },
    });
    expect(await complete(inFlight)).toMatchObject({ ok: false, problem: "auth_changed" });
    expect(await connections(other)).toEqual([]);
  });

  it("a link spent meanwhile stores nothing; an end user's denial returns its error", async () => {
    const integrationId = await oauthIntegration();
    const first = await link(integrationId);
    const one = await authorize(first.token);
    const two = await authorize(first.token);
    expect((await complete(one)).ok).toBe(true);
    expect(await complete(two)).toMatchObject({ ok: false, problem: "link_spent" });

    const started = await startAuthorization(deps, {
      token: (await link(integrationId, "user-2")).token,
      redirectUri: REDIRECT_URI,
      browserBinding: BROWSER,
    });
    if (!started.ok) throw new Error("not started");
    const denied = await authorizeAsEndUser(started.authorizationUrl, { deny: true });
    expect(denied.error).toBe("access_denied");
    const result = await completeAuthorization(deps, { ...denied, browserBinding: BROWSER });
    expect(result).toMatchObject({ ok: false, problem: "denied" });
    expect(new URL((result as { returnTo: string }).returnTo).searchParams.get("error")).toBe(
      "denied",
    );
  });

  it("a provider error other than access_denied is the provider refusing, not the end user", async () => {
    const integrationId = await oauthIntegration();
    const started = await startAuthorization(deps, {
      token: (await link(integrationId, "user-3")).token,
      redirectUri: REDIRECT_URI,
      browserBinding: BROWSER,
    });
    if (!started.ok) throw new Error("not started");
    const state = new URL(started.authorizationUrl).searchParams.get("state");
    const result = await completeAuthorization(deps, {
      state,
      code: null,
      error: "invalid_scope",
      browserBinding: BROWSER,
    });
    expect(result).toMatchObject({ ok: false, problem: "exchange_failed", error: "rejected" });
  });

  it("sends nobody to a return URL the allowlist dropped after the link was made", async () => {
    const integrationId = await oauthIntegration();
    const callback = await authorize((await link(integrationId)).token);
    const dropped = await setConnectReturnUrls(handle.db, integrationId, [], context);
    expect(dropped.ok).toBe(true);
    const result = await complete(callback);
    expect(result).toMatchObject({ ok: true, returnTo: null });
  });

  it("a spent link or a non-OAuth integration does not start", async () => {
    const integrationId = await oauthIntegration();
    const first = await link(integrationId);
    await complete(await authorize(first.token));
    expect(
      await startAuthorization(deps, {
        token: first.token,
        redirectUri: REDIRECT_URI,
        browserBinding: BROWSER,
      }),
    ).toEqual({ ok: false, problem: "spent" });
    await configure(handle.db, { keyring, sandbox }, context, integrationId, { authType: "NONE" });
    expect(
      await startAuthorization(deps, {
        token: (await link(integrationId)).token,
        redirectUri: REDIRECT_URI,
        browserBinding: BROWSER,
      }),
    ).toEqual({ ok: false, error: "not_configured" });
  });

  it("canary: no audit row holds the client secret or any token the provider issued", async () => {
    const rows = await handle.db.select().from(auditEvents);
    const audit = JSON.stringify(rows);
    expect(rows.some((row) => row.action === "integration.connection_created")).toBe(true);
    expect(audit).not.toContain(CLIENT.clientSecret);
    const issued = provider.issuedSecrets();
    expect(issued.length).toBeGreaterThan(5);
    for (const secret of issued) expect(audit).not.toContain(secret);
  });
});
