import type { APIRequestContext, Page, Response } from "@playwright/test";
import { startRecordingServer } from "../lib/testing/http-server";
import { expect, test } from "./fixtures";
import { openSignedIn } from "./support/api-clients";
import {
  endUserBrowser,
  integrationsApi,
  integrationsProgramToken,
  shoot,
} from "./support/connect";
import { createIntegration, integrationDetail } from "./support/integrations";

/*
 * The hosted connect page end to end: an admin makes a link with "Connect as…", an end user with
 * no session opens it in a fresh browser, fills in the generated form and connects; the link is
 * then spent. A program's link with a return URL ends back at the app with connection_id. Tampered
 * and out-of-date links get their pages, and an OAuth integration shows its Connect button.
 * Expired links need their row aged in the database: e2e/connect-expired.spec.ts does that on the
 * PostgreSQL instances. Screenshots at 1280×800 and 390×844.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const NAME = "Acme CRM (connect e2e)";
const OAUTH_NAME = "Weather (connect e2e)";
const GOOD_KEY = "acme-good-key-5Rt9-e2e";
const TILL = { code: "connect-e2e", name: "Connect (e2e)", password: "connect-e2e-password-1" };

let service: { url: string; close: () => Promise<void> };
let accessToken = "";
let integrationId = "";
let oauthIntegrationId = "";

/** The external service (/me accepts the good key) and the platform's return page (/done/…). */
test.beforeAll(async () => {
  const server = await startRecordingServer();
  server.respond((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/done/")) {
      response.writeHead(200, { "content-type": "text/html" });
      // No favicon request (which the service would refuse, logging a console error).
      response.end(
        '<!doctype html><link rel="icon" href="data:,"><title>Back in the app</title><h1>Back in the app</h1>',
      );
      return;
    }
    const good = request.headers.authorization === `Bearer ${GOOD_KEY}`;
    response.writeHead(good ? 200 : 401, { "content-type": "application/json" });
    response.end(JSON.stringify(good ? { name: "Ada" } : { error: "unauthorized" }));
  });
  service = { url: server.url(""), close: server.close };
});

test.afterAll(async () => {
  await service?.close();
});

const detail = (page: Page, name = NAME) => integrationDetail(page, name);
const connectionsPanel = (page: Page) =>
  detail(page).getByRole("tabpanel", { name: /^Connections/ });

const api = (request: APIRequestContext) => integrationsApi(request, accessToken);
const newLink = (request: APIRequestContext, id: string, returnUrl?: string) =>
  api(request).link(id, { endUserId: "user-grace", returnUrl });

function expectConnectHeaders(response: Response | null): void {
  const headers = response?.headers() ?? {};
  const policy = headers["content-security-policy"] ?? "";
  expect(policy).toMatch(/^default-src 'none'; script-src 'nonce-[^']+' 'strict-dynamic';/);
  expect(policy).toContain("form-action 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("base-uri 'none'");
  expect(headers["cache-control"]).toContain("no-store");
  expect(headers["referrer-policy"]).toBe("no-referrer");
}

test("setup: a program's API client, an API key integration with every field type, an OAuth one", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  accessToken = await integrationsProgramToken(page, request, {
    name: "Connect program (e2e)",
    till: TILL,
  });

  await page.getByRole("link", { name: "Integrations" }).click();
  integrationId = await createIntegration(page, NAME);
  oauthIntegrationId = await createIntegration(page, OAUTH_NAME);

  const patched = await api(request).patchAuth(integrationId, {
    authType: "API_KEY",
    authFields: [
      {
        slug: "api_key",
        label: "API key",
        type: "PASSWORD",
        description: "From Settings → API in your Acme account",
        placeholder: "acme-…",
        required: true,
      },
      { slug: "region", label: "Region", type: "TEXT", placeholder: "eu-west" },
      { slug: "seats", label: "Seats", type: "NUMBER", description: "How many seats you pay for" },
      { slug: "notes", label: "Notes", type: "MULTI_LINE_TEXT" },
    ],
    authTestCode: [
      `const response = await fetch("${service.url}/me", {`,
      '  headers: { Authorization: "Bearer " + secrets.api_key },',
      "});",
      'if (!response.ok) throw new Error("Invalid API key");',
      "return { ok: true };",
    ].join("\n"),
  });
  expect(patched.status()).toBe(200);
  const oauth = await api(request).patchAuth(oauthIntegrationId, {
    authType: "OAUTH",
    oauthClient: {
      label: "Sign in with Weather",
      scopes: "forecast.read",
      authUrl: `${service.url}/authorize`,
      tokenUrl: `${service.url}/token`,
      clientId: "weather-e2e",
      clientSecret: "weather-e2e-secret",
    },
  });
  expect(oauth.status()).toBe(200);
});

test("Connect as…: the end user fills in the generated form, fails the test once, then connects; the link is then spent", async ({
  page,
  browser,
}) => {
  await openSignedIn(page, `/integrations?id=${integrationId}`, "Integrations");
  await detail(page)
    .getByRole("tab", { name: /^Connections/ })
    .click();
  await connectionsPanel(page).getByRole("button", { name: "Connect as…" }).click();
  const dialog = page.getByRole("dialog", { name: `Connect ${NAME} as…` });
  await dialog.getByRole("button", { name: "Make link" }).click();
  await expect(dialog.getByText("Enter the end user's id")).toBeVisible();
  await dialog.getByLabel("End user ID").fill("user-ada");
  await dialog.getByRole("button", { name: "Make link" }).click();
  const ready = page.getByRole("dialog", { name: "Connect link ready" });
  const url = (await ready.locator("code").textContent()) ?? "";
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/connect\/[A-Za-z0-9_-]{43}$/);
  await expect(ready.getByRole("link", { name: "Open" })).toHaveAttribute("href", url);
  await expect(ready).toContainText("Works once, until");
  await page.screenshot({ path: "e2e/screenshots/connect-console-link-ready-1280.png" });
  await ready.getByRole("button", { name: "Done" }).click();

  const user = await endUserBrowser(browser);
  const response = await user.page.goto(url);
  expectConnectHeaders(response);
  const form = user.page.getByRole("form", { name: `Connect ${NAME}` });
  await expect(user.page.getByRole("heading", { level: 1, name: `Connect ${NAME}` })).toBeVisible();
  // Nothing of the console: no navigation, no sign-in, no admin.
  await expect(user.page.getByRole("navigation")).toHaveCount(0);
  await expect(user.page.locator("body")).not.toContainText("ada@example.com");
  const key = form.getByLabel("API key");
  await expect(key).toHaveAttribute("type", "password");
  await expect(key).toHaveAttribute("autocomplete", "off");
  await expect(key).toHaveAttribute("aria-required", "true");
  await expect(form.getByLabel("Seats")).toHaveAttribute("inputmode", "decimal");
  await expect(form.getByLabel("Notes")).toHaveJSProperty("tagName", "TEXTAREA");
  await expect(form).toContainText("From Settings → API in your Acme account");
  await shoot(user.page, "form");

  await form.getByRole("button", { name: "Connect" }).click();
  await expect(form.getByText("Enter API key")).toBeVisible();
  await key.fill("acme-wrong-key");
  await form.getByLabel("Region").fill("eu-west");
  await form.getByRole("button", { name: "Connect" }).click();
  const alert = form.getByRole("alert");
  await expect(alert).toContainText(`${NAME} did not accept these details`);
  await expect(alert).toContainText("Error: Invalid API key");
  // The refused secret is not kept in the page; the other values are.
  await expect(key).toHaveValue("");
  await expect(form.getByLabel("Region")).toHaveValue("eu-west");
  await shoot(user.page, "form-refused");

  await key.fill(GOOD_KEY);
  await form.getByRole("button", { name: "Connect" }).click();
  await expect(user.page.getByRole("heading", { level: 1, name: "Connected" })).toBeVisible();
  await expect(user.page.locator("body")).not.toContainText(GOOD_KEY);
  await shoot(user.page, "success");

  const again = await user.page.goto(url);
  expect(again?.status()).toBe(200);
  await expect(
    user.page.getByRole("heading", { level: 1, name: "This link was already used" }),
  ).toBeVisible();
  await expect(user.page.getByText("Ask the app that sent you this link")).toBeVisible();
  await shoot(user.page, "spent");
  await user.close();

  await page.reload();
  await detail(page)
    .getByRole("tab", { name: /^Connections/ })
    .click();
  const table = connectionsPanel(page).getByRole("table", { name: "Connections" });
  await expect(table).toContainText("user-ada");
  await expect(table).toContainText("Active");
});

test("a program's link with a return URL ends back in the app with connection_id", async ({
  page,
  request,
  browser,
}) => {
  const returnBase = `${service.url}/done/`;
  const refused = await api(request).createLink(integrationId, {
    endUserId: "user-grace",
    returnUrl: `${returnBase}acme`,
  });
  expect(refused.status()).toBe(400);

  await openSignedIn(page, `/integrations?id=${integrationId}`, "Integrations");
  await detail(page)
    .getByRole("tab", { name: /^Connections/ })
    .click();
  const links = connectionsPanel(page).getByRole("region", { name: "Connect links" });
  await links.getByLabel("Add a return URL").fill(`${returnBase}#x`);
  await links.getByRole("button", { name: "Add" }).click();
  await expect(links.getByText("Remove the fragment")).toBeVisible();
  await links.getByLabel("Add a return URL").fill(returnBase);
  await links.getByRole("button", { name: "Add" }).click();
  await expect(links.getByRole("list")).toContainText(returnBase);
  await page.screenshot({ path: "e2e/screenshots/connect-console-links-1280.png", fullPage: true });

  const url = await newLink(request, integrationId, `${returnBase}acme?state=s-42`);
  const user = await endUserBrowser(browser);
  await user.page.goto(url);
  const form = user.page.getByRole("form", { name: `Connect ${NAME}` });
  await form.getByLabel("API key").fill(GOOD_KEY);
  await form.getByLabel("Seats").fill("12");
  await form.getByRole("button", { name: "Connect" }).click();
  await user.page.waitForURL(/\/done\/acme\?/);
  const landed = new URL(user.page.url());
  expect(landed.searchParams.get("state")).toBe("s-42");
  expect(landed.searchParams.get("status")).toBe("connected");
  const connectionId = landed.searchParams.get("connection_id") ?? "";
  expect(connectionId).toMatch(/^conn_[0-9a-f]{20}$/);
  await user.close();

  const credentials = await api(request).credentials(integrationId, connectionId);
  expect(credentials.status()).toBe(200);
  expect(await credentials.json()).toMatchObject({
    connection: { id: connectionId, endUserId: "user-grace" },
    credentials: { api_key: GOOD_KEY, seats: "12" },
  });
});

test("an OAuth integration's link shows its Connect button; the Auth tab shows the callback URL", async ({
  page,
  request,
  browser,
}) => {
  await openSignedIn(page, `/integrations?id=${oauthIntegrationId}`, "Integrations");
  const callback = detail(page, OAUTH_NAME).getByRole("group", { name: "Callback URL" });
  await expect(callback.locator("code")).toHaveText(
    /^http:\/\/127\.0\.0\.1:\d+\/connect\/callback$/,
  );
  await expect(callback.getByRole("button", { name: "Copy callback URL" })).toBeVisible();
  await callback.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "e2e/screenshots/connect-console-callback-url-1280.png" });

  const url = await newLink(request, oauthIntegrationId);
  const user = await endUserBrowser(browser);
  expectConnectHeaders(await user.page.goto(url));
  await expect(
    user.page.getByRole("heading", { level: 1, name: `Connect ${OAUTH_NAME}` }),
  ).toBeVisible();
  await expect(user.page.getByRole("button", { name: "Sign in with Weather" })).toBeVisible();
  await expect(user.page.getByRole("textbox")).toHaveCount(0);
  await shoot(user.page, "oauth");
  await user.close();
});

test("tampered and out-of-date links get clear pages; a NONE integration is enabled with one button", async ({
  request,
  browser,
}) => {
  const url = await newLink(request, integrationId, `${service.url}/done/acme`);
  const user = await endUserBrowser(browser);
  const last = url.at(-1) === "A" ? "B" : "A";
  const tampered = await user.page.goto(`${url.slice(0, -1)}${last}`);
  expect(tampered?.status()).toBe(200);
  expectConnectHeaders(tampered);
  await expect(
    user.page.getByRole("heading", { level: 1, name: "This link does not work" }),
  ).toBeVisible();
  // An unknown link knows no return URL.
  await expect(user.page.getByRole("link", { name: "Back to the app" })).toHaveCount(0);
  await shoot(user.page, "invalid");

  // The type changes after the link was made: the link no longer fits.
  const toNone = await api(request).patchAuth(integrationId, {
    authType: "NONE",
    authTestCode: null,
  });
  expect(toNone.status()).toBe(200);
  await user.page.goto(url);
  await expect(
    user.page.getByRole("heading", { level: 1, name: "This link is out of date" }),
  ).toBeVisible();
  const back = user.page.getByRole("link", { name: "Back to the app" });
  await expect(back).toHaveAttribute("href", `${service.url}/done/acme?error=auth_changed`);
  await shoot(user.page, "out-of-date");

  await user.page.goto(await newLink(request, integrationId));
  await user.page.getByRole("button", { name: `Enable ${NAME}` }).click();
  await expect(user.page.getByRole("heading", { level: 1, name: "Connected" })).toBeVisible();
  await user.close();
});
