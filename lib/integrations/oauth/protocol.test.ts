import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import type { ChangeContext } from "@/lib/audit/service";
import { testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import {
  authorizeAsEndUser,
  type OAuthProvider,
  startOAuthProvider,
} from "@/lib/testing/oauth-provider";
import { adminContext } from "../integrations.testing";
import { loadOAuthClient } from "./client";
import { configure, createOAuthIntegration, oauthDeps, REDIRECT_URI } from "./oauth.testing";
import { buildAuthorizationUrl, exchangeCode, refreshTokens } from "./protocol";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError } from "./types";

/**
 * The protocol requests against a real oidc-provider on loopback (and a recording server for the
 * answers a real provider would not give), with the OAUTH client loaded from its sealed columns.
 */

const keyring = testKeyring();
const CLIENT = { clientId: "authdesk-oauth", clientSecret: "s3cret-Zq8+x/y z!" };
const VERIFIER = "v".repeat(43);
const CHALLENGE = "7w_YNF9DSfIdPf_pRjSq646_kPr-2-o9NAl16JGghdM"; // S256 of VERIFIER

async function expectOAuthError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe(code);
  return error as OAuthError;
}

describe.each(testDrivers)("OAuth protocol on %s", (driver) => {
  let handle: DatabaseHandle;
  let sandbox: Sandbox;
  let provider: OAuthProvider;
  let fake: RecordingServer;
  let context: ChangeContext;
  let deps: OAuthDependencies;
  let integrationId: string;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    sandbox = createSandbox({ allowPrivateAddresses: true, limits: { timeoutMs: 5_000 } });
    provider = await startOAuthProvider({
      clients: [{ ...CLIENT, redirectUris: [REDIRECT_URI] }],
      accessTokenTtl: 120,
    });
    fake = await startRecordingServer();
    context = await adminContext(handle.db);
    deps = oauthDeps(handle.db, keyring, sandbox);
    integrationId = await createOAuthIntegration(
      handle.db,
      { keyring, sandbox },
      context,
      "OAUTH",
      {
        authUrl: provider.authorizationEndpoint,
        tokenUrl: provider.tokenEndpoint,
        ...CLIENT,
        scopes: "read write",
      },
    );
  });
  afterAll(async () => {
    await sandbox.close();
    await provider.close();
    await fake.close();
    await handle.close();
  });

  async function authorize(client: OAuthClientConfig, verifier = VERIFIER, challenge = CHALLENGE) {
    const url = await buildAuthorizationUrl(deps, client, {
      state: "state-1",
      codeChallenge: challenge,
      redirectUri: REDIRECT_URI,
    });
    const callback = await authorizeAsEndUser(url);
    expect(callback.state).toBe("state-1");
    return exchangeCode(deps, client, {
      code: callback.code ?? "",
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
    });
  }

  it("loads the OAUTH client from its sealed columns, with client_secret_basic", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    expect(client).toMatchObject({
      authorizationEndpoint: provider.authorizationEndpoint,
      tokenEndpoint: provider.tokenEndpoint,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      tokenEndpointAuthMethod: "client_secret_basic",
      scopes: "read write",
      resource: null,
    });
  });

  it("builds the authorization URL with PKCE S256, state and scope, keeping the endpoint's query", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    const url = new URL(
      await buildAuthorizationUrl(
        deps,
        {
          ...client,
          authorizationEndpoint: `${client.authorizationEndpoint}?tenant=acme`,
          resource: "https://mcp.example/x",
        },
        { state: "s", codeChallenge: CHALLENGE, redirectUri: REDIRECT_URI },
      ),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: "acme",
      response_type: "code",
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT_URI,
      scope: "read write",
      state: "s",
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
      resource: "https://mcp.example/x",
    });
  });

  it("exchanges a code with the verifier, then refresh rotates the refresh token", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    const before = provider.tokenCalls("authorization_code");
    const tokens = await authorize(client);
    expect(provider.tokenCalls("authorization_code")).toBe(before + 1);
    expect(tokens.accessToken).toMatch(/.{20,}/);
    expect(tokens.refreshToken).toMatch(/.{20,}/);
    expect(tokens.tokenType).toBe("Bearer");
    const seconds = ((tokens.expiresAt?.getTime() ?? 0) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(100);
    expect(seconds).toBeLessThanOrEqual(120);

    const refreshed = await refreshTokens(deps, client, tokens.refreshToken ?? "");
    expect(provider.tokenCalls("refresh_token")).toBeGreaterThanOrEqual(1);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).toMatch(/.{20,}/);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    // Rotation: the old refresh token is spent.
    await expectOAuthError(refreshTokens(deps, client, tokens.refreshToken ?? ""), "invalid_grant");
  });

  it("a wrong PKCE verifier is refused by the provider as invalid_grant", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    await expectOAuthError(authorize(client, "w".repeat(43)), "invalid_grant");
  });

  it("a refresh token of a revoked grant is invalid_grant", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    const tokens = await authorize(client);
    await provider.revokeGrant(tokens.refreshToken ?? "");
    await expectOAuthError(refreshTokens(deps, client, tokens.refreshToken ?? ""), "invalid_grant");
  });

  it("a wrong client secret is invalid_client, and the message holds nothing of the provider's", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    const error = await expectOAuthError(
      refreshTokens(deps, { ...client, clientSecret: "wrong-secret" }, "any-refresh-token"),
      "invalid_client",
    );
    expect(error.message).not.toContain("wrong-secret");
    expect(error.message).not.toContain("any-refresh-token");
  });

  describe("answers a real provider rarely gives", () => {
    async function refreshAgainstFake(): Promise<TokenResult> {
      const client = await loadOAuthClient(deps, integrationId);
      return refreshTokens(deps, { ...client, tokenEndpoint: fake.url("/token") }, "rt-1").then(
        (tokens) => ({ tokens }),
        (error: OAuthError) => ({ error }),
      );
    }
    type TokenResult =
      | { tokens: Awaited<ReturnType<typeof refreshTokens>> }
      | { error: OAuthError };

    it("a refresh answer without refresh_token keeps it null; basic auth is form-encoded", async () => {
      fake.respond((_req, res) =>
        sendJson(res, 200, { access_token: "at-2", token_type: "bearer", expires_in: "3600" }),
      );
      const result = await refreshAgainstFake();
      expect(result).toMatchObject({ tokens: { accessToken: "at-2", refreshToken: null } });
      const request = fake.requests.at(-1);
      expect(request?.body).toBe("grant_type=refresh_token&refresh_token=rt-1");
      const basic = Buffer.from(
        String(request?.headers.authorization).replace("Basic ", ""),
        "base64",
      ).toString();
      expect(basic).toBe("authdesk-oauth:s3cret-Zq8%2Bx%2Fy+z%21");
    });

    it("maps 429 with Retry-After to rejected, with status and seconds", async () => {
      fake.respond((_req, res) =>
        sendJson(
          res,
          429,
          { error: "slow_down", error_description: "rt-1 later" },
          { "retry-after": "7" },
        ),
      );
      const result = await refreshAgainstFake();
      if (!("error" in result)) throw new Error("expected an error");
      expect(result.error.code).toBe("rejected");
      expect(result.error.details).toEqual({ status: 429, retryAfterSeconds: 7 });
      expect(result.error.message).not.toContain("rt-1");
    });

    it("a 401 without a JSON body is invalid_client", async () => {
      fake.respond((_req, res) =>
        res.writeHead(401, { "content-type": "text/html" }).end("<h1>no</h1>"),
      );
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "invalid_client" } });
    });

    it("no access_token, HTML, a redirect or a huge body are not token responses", async () => {
      fake.respond((_req, res) => sendJson(res, 200, { token_type: "Bearer" }));
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "invalid_response" } });
      fake.respond((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("hi"));
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "invalid_response" } });
      fake.respond((_req, res) => sendJson(res, 200, { access_token: "x", expires_in: -5 }));
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "invalid_response" } });
      fake.respond((_req, res) => res.writeHead(302, { location: "http://127.0.0.1:1/" }).end());
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "rejected" } });
      fake.respond((_req, res) => sendJson(res, 200, { access_token: "x".repeat(70_000) }));
      expect(await refreshAgainstFake()).toMatchObject({ error: { code: "invalid_response" } });
    });

    it("expires_in is bounded to a year", async () => {
      fake.respond((_req, res) => sendJson(res, 200, { access_token: "x", expires_in: 1e12 }));
      const result = await refreshAgainstFake();
      if (!("tokens" in result)) throw new Error("expected tokens");
      const days = ((result.tokens.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
      expect(Math.round(days)).toBe(365);
    });
  });

  it("a closed port or a refused address is unreachable", async () => {
    const client = await loadOAuthClient(deps, integrationId);
    await expectOAuthError(
      refreshTokens(deps, { ...client, tokenEndpoint: "http://127.0.0.1:1/token" }, "rt"),
      "unreachable",
    );
    await expectOAuthError(
      refreshTokens({ ...deps, allowPrivateUrls: false }, client, "rt"),
      "unreachable",
    );
  });

  it("an OAUTH client without a token URL is not_configured", async () => {
    const other = await createOAuthIntegration(handle.db, { keyring, sandbox }, context, "OAUTH", {
      authUrl: provider.authorizationEndpoint,
      clientId: "x",
    });
    await expectOAuthError(loadOAuthClient(deps, other), "not_configured");
    await configure(handle.db, { keyring, sandbox }, context, other, { authType: "API_KEY" });
    await expectOAuthError(loadOAuthClient(deps, other), "not_configured");
  });
});
