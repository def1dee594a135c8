import type { APIRequestContext, Page } from "@playwright/test";
import { type McpServer, startMcpServer } from "../lib/testing/mcp-server";
import { type OAuthProvider, startOAuthProvider } from "../lib/testing/oauth-provider";
import { expect, test } from "./fixtures";
import { openSignedIn } from "./support/api-clients";
import {
  endUserBrowser,
  integrationsApi,
  integrationsProgramToken,
  shoot,
} from "./support/connect";
import { createIntegration, integrationDetail } from "./support/integrations";
import { e2eUrls } from "./support/ports";

/*
 * OAuth connects end to end, in a real browser, against a real authorization server on loopback
 * (oidc-provider, with its own login and consent pages): an OAUTH integration through the hosted
 * page, an OAUTH_DCR integration from nothing but its server URL, a replayed callback and one
 * opened in another browser, and a type change while the end user is at the provider. Every
 * token and secret the provider handed out is then looked for in the console's pages and the
 * API's other answers. lib/integrations/oauth/*.test.ts covers expired states and wrong PKCE
 * verifiers, which a browser cannot produce.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const OAUTH_NAME = "Notes (OAuth e2e)";
const DCR_NAME = "Tasks MCP (DCR e2e)";
const CALLBACK = `${e2eUrls.pglite}/connect/callback`;
const CLIENT = { clientId: "authdesk-notes-e2e", clientSecret: "canary-client-secret-7Qw2xZ" };
const TILL = { code: "oauth-e2e", name: "OAuth connects (e2e)", password: "oauth-e2e-password-1" };

let provider: OAuthProvider;
/** A stand-in MCP server: it only says which authorization server protects it (RFC 9728). */
let mcp: McpServer;
let accessToken = "";
let oauthId = "";
let dcrId = "";

test.beforeAll(async () => {
  mcp = await startMcpServer(() => provider.issuer);
  provider = await startOAuthProvider({
    clients: [{ ...CLIENT, redirectUris: [CALLBACK] }],
    scopes: ["notes.read", "notes.write"],
    resource: mcp.serverUrl,
    // Short-lived, so that a later request must refresh (and meets a revoked grant).
    accessTokenTtl: 5,
  });
});

test.afterAll(async () => {
  await provider?.close();
  await mcp?.close();
});

const api = (request: APIRequestContext) => integrationsApi(request, accessToken);

/** The provider's login and consent pages, as the end user fills them in. */
async function signInAtProvider(page: Page, login = "end-user-ada"): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("setup: a program's API client, an OAUTH and an OAUTH_DCR integration", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  accessToken = await integrationsProgramToken(page, request, {
    name: "OAuth connects program (e2e)",
    till: TILL,
  });

  await page.getByRole("link", { name: "Integrations" }).click();
  oauthId = await createIntegration(page, OAUTH_NAME);
  dcrId = await createIntegration(page, DCR_NAME);
  const oauth = await api(request).patchAuth(oauthId, {
    authType: "OAUTH",
    oauthClient: {
      label: "Sign in with Notes",
      scopes: "notes.read",
      authUrl: provider.authorizationEndpoint,
      tokenUrl: provider.tokenEndpoint,
      ...CLIENT,
    },
  });
  expect(oauth.status()).toBe(200);
  // Nothing but the server URL: Authdesk finds the authorization server and registers itself.
  const dcr = await api(request).patchAuth(dcrId, {
    authType: "OAUTH_DCR",
    oauthClient: { label: "Connect Tasks", scopes: "notes.read", authUrl: mcp.serverUrl },
  });
  expect(dcr.status()).toBe(200);
});

test("OAUTH: the end user signs in at the provider and is connected; a replayed or foreign callback is refused", async ({
  request,
  browser,
}) => {
  const user = await endUserBrowser(browser);
  await user.page.goto(await api(request).link(oauthId, { endUserId: "user-ada" }));
  await user.page.getByRole("button", { name: "Sign in with Notes" }).click();
  await signInAtProvider(user.page);
  await user.page.waitForURL((url) => url.href.startsWith(CALLBACK));
  const callbackUrl = user.page.url();
  await expect(user.page.getByRole("heading", { level: 1, name: "Connected" })).toBeVisible();
  await shoot(user.page, "oauth-connected");

  // The same answer again (a replay, or the back button) exchanges nothing.
  const exchanges = provider.tokenCalls("authorization_code");
  await user.page.goto(callbackUrl);
  await expect(
    user.page.getByRole("heading", { level: 1, name: "This sign-in was already completed" }),
  ).toBeVisible();
  expect(provider.tokenCalls("authorization_code")).toBe(exchanges);
  await user.close();

  // A flow started in one browser and finished in another (the end user tricked into finishing an
  // attacker's flow, say) is refused: the state is bound to the starting browser's cookie.
  const starter = await endUserBrowser(browser);
  const authorizationRequests: string[] = [];
  starter.page.on("request", (sent) => {
    if (sent.url().startsWith(provider.authorizationEndpoint))
      authorizationRequests.push(sent.url());
  });
  await starter.page.goto(await api(request).link(oauthId, { endUserId: "user-grace" }));
  await starter.page.getByRole("button", { name: "Sign in with Notes" }).click();
  await starter.page.locator('input[name="login"]').waitFor();
  await starter.close();
  const stranger = await endUserBrowser(browser);
  await stranger.page.goto(authorizationRequests[0] ?? "about:blank");
  await signInAtProvider(stranger.page, "end-user-grace");
  await expect(
    stranger.page.getByRole("heading", { level: 1, name: "Finish in the browser you started in" }),
  ).toBeVisible();
  await shoot(stranger.page, "oauth-wrong-browser");
  await stranger.close();

  const list = await api(request).connections(oauthId);
  const { connections } = (await list.json()) as {
    connections: { id: string; endUserId: string; status: string }[];
  };
  expect(connections.map((connection) => connection.endUserId)).toEqual(["user-ada"]);
  const credentials = await api(request).credentials(oauthId, connections[0]?.id ?? "");
  expect(credentials.status()).toBe(200);
  const body = (await credentials.json()) as { credentials: { accessToken: string } };
  expect(provider.issuedSecrets()).toContain(body.credentials.accessToken);
});

test("OAUTH_DCR: from only the server URL, Authdesk registers once and the end user connects", async ({
  request,
  browser,
}) => {
  const registrations = provider.registrations();
  for (const endUser of ["user-linus", "user-barbara"]) {
    const user = await endUserBrowser(browser);
    await user.page.goto(await api(request).link(dcrId, { endUserId: endUser }));
    await user.page.getByRole("button", { name: "Connect Tasks" }).click();
    await signInAtProvider(user.page, `end-${endUser}`);
    await expect(user.page.getByRole("heading", { level: 1, name: "Connected" })).toBeVisible();
    await user.close();
  }
  // One registration for the integration, not one per connection.
  expect(provider.registrations()).toBe(registrations + 1);
  const { connections } = (await (await api(request).connections(dcrId)).json()) as {
    connections: { endUserId: string; status: string }[];
  };
  expect(connections.map((connection) => connection.endUserId).sort()).toEqual([
    "user-barbara",
    "user-linus",
  ]);
});

test("a type change while the end user is at the provider leaves no connection behind", async ({
  request,
  browser,
}) => {
  const user = await endUserBrowser(browser);
  await user.page.goto(await api(request).link(oauthId, { endUserId: "user-margaret" }));
  await user.page.getByRole("button", { name: "Sign in with Notes" }).click();
  await user.page.locator('input[name="login"]').waitFor();
  const changed = await api(request).patchAuth(oauthId, { authType: "API_KEY" });
  expect(changed.status()).toBe(200);
  await signInAtProvider(user.page, "end-user-margaret");
  await expect(
    user.page.getByRole("heading", { level: 1, name: "This link is out of date" }),
  ).toBeVisible();
  await shoot(user.page, "oauth-out-of-date");
  await user.close();
  const { connections } = (await (await api(request).connections(oauthId)).json()) as {
    connections: unknown[];
  };
  expect(connections).toEqual([]);
});

test("no token or client secret the provider handed out shows in the console or the API's other answers", async ({
  page,
  request,
}) => {
  const secrets = [CLIENT.clientSecret, ...provider.issuedSecrets()];
  expect(secrets.length).toBeGreaterThan(4);
  const seen: string[] = [];
  await openSignedIn(page, `/integrations?id=${oauthId}`, "Integrations");
  seen.push(await page.content());
  for (const [path, heading] of [
    [`/integrations?id=${dcrId}`, "Integrations"],
    ["/audit", "Audit log"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    seen.push(await page.content());
  }
  for (const id of [oauthId, dcrId]) {
    seen.push(await (await api(request).connections(id)).text());
    seen.push(await (await api(request).integration(id)).text());
  }
  for (const secret of secrets) {
    for (const text of seen) expect(text).not.toContain(secret);
  }
});

test("a revoked grant marks the connection Needs reconnect, in the API and the console; connecting again mends it", async ({
  page,
  request,
  browser,
}) => {
  const { connections } = (await (await api(request).connections(dcrId)).json()) as {
    connections: { id: string; endUserId: string }[];
  };
  const linus = connections.find((connection) => connection.endUserId === "user-linus");
  // The end user withdraws access at the provider: every grant it made is gone.
  for (const secret of provider.issuedSecrets()) {
    await provider.revokeGrant(secret).catch(() => {});
  }
  await expect
    .poll(async () => (await api(request).credentials(dcrId, linus?.id ?? "")).status(), {
      timeout: 15_000,
      intervals: [1_000],
    })
    .toBe(409);
  const problem = (await (await api(request).credentials(dcrId, linus?.id ?? "")).json()) as {
    error: string;
  };
  expect(problem.error).toBe("needs_reconnect");

  await openSignedIn(page, `/integrations?id=${dcrId}`, "Integrations");
  await integrationDetail(page, DCR_NAME)
    .getByRole("tab", { name: /^Connections/ })
    .click();
  const panel = integrationDetail(page, DCR_NAME).getByRole("tabpanel", { name: /^Connections/ });
  await expect(panel.getByText("One connection needs reconnecting.")).toBeVisible();
  await expect(panel.getByRole("row", { name: /user-linus/ })).toContainText("Needs reconnect");
  await panel.getByRole("row", { name: /user-linus/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "e2e/screenshots/connect-console-needs-reconnect-1280.png" });

  const user = await endUserBrowser(browser);
  await user.page.goto(await api(request).link(dcrId, { endUserId: "user-linus" }));
  await user.page.getByRole("button", { name: "Connect Tasks" }).click();
  await signInAtProvider(user.page, "end-user-linus");
  await expect(user.page.getByRole("heading", { level: 1, name: "Connected" })).toBeVisible();
  await user.close();
  expect((await api(request).credentials(dcrId, linus?.id ?? "")).status()).toBe(200);
});
