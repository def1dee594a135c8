import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnections } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { sendJson, startRecordingServer } from "@/lib/testing/http-server";
import {
  authorizeAsEndUser,
  type OAuthProvider,
  startOAuthProvider,
} from "@/lib/testing/oauth-provider";
import { adminContext, createTestLink } from "../integrations.testing";
import { loadOAuthClient } from "./client";
import { completeAuthorization, startAuthorization } from "./flow";
import { configure, createOAuthIntegration, oauthDeps, REDIRECT_URI } from "./oauth.testing";
import { buildAuthorizationUrl, refreshTokens } from "./protocol";
import { type OAuthDependencies, OAuthError } from "./types";

/**
 * The seed's three OAuth code strings, run in the real sandbox against the real provider: each
 * one doing the standard request itself, one returning the wrong shape, one throwing a token.
 */

const keyring = testKeyring();
const CLIENT = { clientId: "authdesk-custom", clientSecret: "custom-secret-4Kd9" };
const BROWSER = "browser-binding-cccccccccccccccccccccccc";

const AUTHORIZATION_CODE = `
const url = new URL(secrets.authorizationEndpoint);
const params = { response_type: 'code', client_id: secrets.clientId,
  redirect_uri: secrets.redirectUri, scope: secrets.scopes, state: secrets.state,
  code_challenge: secrets.codeChallenge, code_challenge_method: secrets.codeChallengeMethod };
for (const name in params) url.searchParams.set(name, params[name]);
url.searchParams.set('prompt', 'consent');
return url.toString();`;

/** A form POST to the token endpoint with Basic auth; `grant` is the grant's own fields. */
const tokenRequest = (grant: string, after = "return await response.json();") => `
const body = new URLSearchParams(${grant}).toString();
const response = await fetch(secrets.tokenEndpoint, { method: 'POST', body, headers: {
  'content-type': 'application/x-www-form-urlencoded',
  authorization: 'Basic ' + btoa(secrets.clientId + ':' + secrets.clientSecret) } });
${after}`;

const ACCESS_TOKEN_CODE = tokenRequest(
  "{ grant_type: 'authorization_code', code: secrets.code, redirect_uri: secrets.redirectUri, code_verifier: secrets.codeVerifier }",
);
const REFRESH_TOKEN_CODE = tokenRequest(
  "{ grant_type: 'refresh_token', refresh_token: secrets.refreshToken }",
);
const LEAKING_ACCESS_TOKEN_CODE = tokenRequest(
  "{ grant_type: 'authorization_code', code: secrets.code, redirect_uri: secrets.redirectUri, code_verifier: secrets.codeVerifier }",
  "const json = await response.json(); console.log(json.access_token); throw new Error('got ' + json.access_token + ' ' + json.refresh_token);",
);

describe.each(testDrivers)("OAuth custom code on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let provider: OAuthProvider;
  let context: ChangeContext;
  let deps: OAuthDependencies;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    provider = await startOAuthProvider({ clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI] }] });
    context = await adminContext(handle.db);
    deps = oauthDeps(handle.db, keyring, sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await provider.close();
    await handle.close();
  });

  function integration(code: Record<string, string>) {
    return createOAuthIntegration(handle.db, { keyring, sandbox }, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
      ...CLIENT,
      scopes: "read",
      ...code,
    });
  }

  async function connect(integrationId: string) {
    const { token } = await createTestLink(handle.db, { integrationId }, context);
    const started = await startAuthorization(deps, {
      token,
      redirectUri: REDIRECT_URI,
      browserBinding: BROWSER,
    });
    if (!started.ok) return { started };
    const callback = await authorizeAsEndUser(started.authorizationUrl);
    return {
      started,
      completed: await completeAuthorization(deps, {
        ...callback,
        error: null,
        browserBinding: BROWSER,
      }),
    };
  }

  async function refreshError(integrationId: string): Promise<OAuthError> {
    const client = await loadOAuthClient(deps, integrationId);
    const caught = await refreshTokens(deps, client, "some-refresh-token").catch((e: unknown) => e);
    if (!(caught instanceof OAuthError)) throw new Error("expected an OAuthError");
    return caught;
  }

  it("connects with all three code strings doing the standard requests, and refreshes with rotation", async () => {
    const id = await integration({
      authorizationCode: AUTHORIZATION_CODE,
      accessTokenCode: ACCESS_TOKEN_CODE,
      refreshTokenCode: REFRESH_TOKEN_CODE,
    });
    const before = provider.tokenCalls();
    const { started, completed } = await connect(id);
    expect(completed).toMatchObject({ ok: true });
    // The code's own extra parameter shows that the URL is the code's.
    expect(started.ok && new URL(started.authorizationUrl).searchParams.get("prompt")).toBe(
      "consent",
    );
    expect(provider.tokenCalls("authorization_code")).toBeGreaterThan(0);

    // The refresh code gets a refresh token straight from an exchange the code strings made.
    const client = await loadOAuthClient(deps, id);
    const issued = provider.issuedSecrets();
    const refreshToken = issued.at(-1) ?? "";
    const refreshed = await refreshTokens(deps, client, refreshToken);
    expect(refreshed.accessToken).toMatch(/.{20,}/);
    expect(refreshed.refreshToken).not.toBe(refreshToken);
    expect(provider.issuedSecrets()).toContain(refreshed.refreshToken);
    expect(provider.tokenCalls()).toBe(before + 2);
  });

  it("an authorization URL builder that returns no URL, or drops the state, fails as custom_code_failed", async () => {
    const number = await connect(await integration({ authorizationCode: "return 42;" }));
    expect(number.started).toEqual({ ok: false, error: "custom_code_failed" });
    const noState = await connect(
      await integration({
        authorizationCode:
          "return secrets.authorizationEndpoint + '?client_id=' + secrets.clientId;",
      }),
    );
    expect(noState.started).toEqual({ ok: false, error: "custom_code_failed" });
    const client = await loadOAuthClient(
      { ...deps },
      await integration({
        authorizationCode: "return 'javascript:alert(1)//?state=' + secrets.state;",
      }),
    );
    await expect(
      buildAuthorizationUrl(deps, client, {
        state: "s",
        codeChallenge: "c",
        redirectUri: REDIRECT_URI,
      }),
    ).rejects.toMatchObject({ code: "custom_code_failed" });
  });

  it("an exchange code that throws with the token in its message fails without leaking it", async () => {
    const id = await integration({ accessTokenCode: LEAKING_ACCESS_TOKEN_CODE });
    const { completed } = await connect(id);
    expect(completed).toMatchObject({
      ok: false,
      problem: "exchange_failed",
      error: "custom_code_failed",
    });
    const issued = provider.issuedSecrets();
    const leaked = issued.at(-2) ?? "";
    expect(leaked.length).toBeGreaterThan(20);
    const audit = JSON.stringify(await handle.db.select().from(auditEvents));
    for (const text of [JSON.stringify(completed), audit]) {
      for (const secret of issued) expect(text).not.toContain(secret);
    }
  });

  it("an exchange code returning the wrong shape fails; { error: 'invalid_grant' } is invalid_grant", async () => {
    const wrongShape = await connect(
      await integration({ accessTokenCode: "return { token: 'x' };" }),
    );
    expect(wrongShape.completed).toMatchObject({ error: "custom_code_failed" });
    const refused = await connect(
      await integration({ accessTokenCode: "return { error: 'invalid_grant' };" }),
    );
    expect(refused.completed).toMatchObject({ problem: "exchange_failed", error: "invalid_grant" });
  });

  it("an auth update landing during the exchange stores nothing", async () => {
    const tokenServer = await startRecordingServer();
    try {
      const id = await integration({
        accessTokenCode: `const r = await fetch('${tokenServer.url("/token")}'); return await r.json();`,
      });
      // The token answer waits until an admin's auth update has committed.
      tokenServer.respond(async (_req, res) => {
        await configure(handle.db, { keyring, sandbox }, context, id, {
          authType: "OAUTH",
          oauthClient: { scopes: "read write" },
        });
        sendJson(res, 200, { access_token: "at-during-update", expires_in: 60 });
      });
      const { completed } = await connect(id);
      expect(completed).toMatchObject({ ok: false, problem: "auth_changed" });
      expect(tokenServer.requests).toHaveLength(1);
      const rows = await handle.db
        .select()
        .from(integrationConnections)
        .where(eq(integrationConnections.integrationId, id));
      expect(rows).toEqual([]);
    } finally {
      await tokenServer.close();
    }
  });

  it("a refresh code's answers map like a token endpoint's; its error text never shows", async () => {
    expect(
      await refreshError(
        await integration({ refreshTokenCode: "return { error: 'invalid_grant' };" }),
      ),
    ).toMatchObject({ code: "invalid_grant" });
    expect(
      await refreshError(await integration({ refreshTokenCode: "return ['access_token'];" })),
    ).toMatchObject({ code: "custom_code_failed" });
    const thrown = await refreshError(
      await integration({ refreshTokenCode: "throw new Error('rt=' + secrets.refreshToken);" }),
    );
    expect(thrown.code).toBe("custom_code_failed");
    expect(thrown.message).not.toContain("some-refresh-token");
    expect(JSON.stringify(thrown)).not.toContain("some-refresh-token");
    const withoutRefresh = await integration({
      refreshTokenCode: "return { access_token: 'at-' + secrets.clientId, expires_in: 60 };",
    });
    const client = await loadOAuthClient(deps, withoutRefresh);
    const refreshed = await refreshTokens(deps, client, "rt-old");
    expect(refreshed).toMatchObject({ accessToken: "at-authdesk-custom", refreshToken: null });
  });
});
