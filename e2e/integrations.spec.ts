import type { APIRequestContext, Page, Response } from "@playwright/test";
import { startRecordingServer } from "../lib/testing/http-server";
import { expect, screenshot, test } from "./fixtures";
import { addTill, openSignedIn, registerClient, requestToken } from "./support/api-clients";

/*
 * Integrations end to end: create one, configure every auth type in the editor, test the code
 * with sample values against a loopback service (the e2e server runs with
 * AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS=true, so the sandbox may fetch 127.0.0.1), connections made
 * through the public API and through the service connection form, the type-change warning with
 * their count, and deletion. The tests build on each other, so they run in order and stop at the
 * first failure. Screenshots are taken at 1280 px and at 375 px, where nothing may stick out.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const NAME = "Weather service (e2e)";
const GOOD_KEY = "e2e-good-Key-7Hq2-never-stored";
const TILL = {
  code: "integrations-e2e",
  name: "Integrations (e2e)",
  password: "int-e2e-password-1",
};
const CLIENT_NAME = "Integrations program (e2e)";

/** The service the test code calls: /me answers 200 for the good key and 401 otherwise. */
let service: { url: string; close: () => Promise<void> };
let integrationId = "";
let accessToken = "";

test.beforeAll(async () => {
  const server = await startRecordingServer();
  server.respond((request, response) => {
    const good = request.headers.authorization === `Bearer ${GOOD_KEY}`;
    response.writeHead(good ? 200 : 401, { "content-type": "application/json" });
    response.end(JSON.stringify(good ? { name: "Ada" } : { error: "unauthorized" }));
  });
  service = { url: server.url(""), close: server.close };
});

test.afterAll(async () => {
  await service?.close();
});

/** The service's URL is written into the code: a URL passed as a field value would be redacted. */
const testCode = () =>
  [
    `const response = await fetch("${service.url}/me", {`,
    '  headers: { Authorization: "Bearer " + secrets.api_key },',
    "});",
    'console.log("status " + response.status + " for " + secrets.region);',
    'if (!response.ok) throw new Error("Invalid credentials");',
    "return { success: true, user: (await response.json()).name };",
  ].join("\n");

const listPane = (page: Page) => page.getByRole("region", { name: "Integration list" });
const listItem = (page: Page, name = NAME) =>
  listPane(page).getByRole("link", { name: new RegExp(`^${escapeRegExp(name)}`) });
const detail = (page: Page) => page.getByRole("region", { name: NAME, exact: true });
const authPanel = (page: Page) => detail(page).getByRole("tabpanel", { name: "Auth" });
const connectionsTab = (page: Page) => detail(page).getByRole("tab", { name: /^Connections/ });
const connectionsPanel = (page: Page) =>
  detail(page).getByRole("tabpanel", { name: /^Connections/ });
const fieldRow = (page: Page, position: number) =>
  authPanel(page).getByRole("group", { name: `Field ${position}`, exact: true });
const sampleForm = (page: Page) =>
  authPanel(page).getByRole("form", { name: "Test with sample values" });
const codeEditor = (page: Page, label = "Test code") =>
  authPanel(page).getByRole("textbox", { name: label, exact: true });
const typeRadio = (page: Page, label: string) =>
  authPanel(page).getByRole("radio", { name: label, exact: true });
const saveButton = (page: Page) =>
  authPanel(page).getByRole("button", { name: "Save", exact: true });
const typeChangeDialog = (page: Page) =>
  page.getByRole("alertdialog", { name: "Change the auth type?" });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

async function openIntegration(page: Page): Promise<void> {
  await openSignedIn(page, `/integrations?id=${integrationId}`, "Integrations");
  await expect(detail(page)).toBeVisible();
}

/** Waits for the toasts to go, so screenshots show what they are meant to show. */
async function quiet(page: Page): Promise<void> {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
}

/**
 * A screenshot at 1280 px and one at 375 px, where nothing in the page may stick out past the
 * right edge (the elements that would are named in the failure).
 */
async function screenshots(page: Page, name: string, { dialog = false } = {}): Promise<void> {
  await quiet(page);
  // From the top: fixed and sticky parts land where they belong in a full-page picture. A dialog
  // is pictured with the window it covers.
  if (!dialog) await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, `${name}-1280`, { fullPage: !dialog });
  await page.setViewportSize({ width: 375, height: 800 });
  try {
    if (!dialog) await page.evaluate(() => window.scrollTo(0, 0));
    // CodeMirror measures its wrapped lines again after a resize, a frame or two later.
    await page.waitForTimeout(500);
    if (!dialog) await expect(detail(page).or(listPane(page)).first()).toBeVisible();
    const sticking = await page.evaluate(() =>
      [...document.querySelectorAll("main *")]
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .map(
          (element) =>
            `${element.tagName}.${element.className} ${element.textContent?.slice(0, 40)}`,
        ),
    );
    expect(sticking, `${name}: elements past the right edge at 375 px`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await screenshot(page, `${name}-375`, { fullPage: !dialog });
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
}

/** Saves the editor, through the type-change confirmation when one comes up. */
async function saveTypeChange(page: Page, expected: RegExp | string): Promise<void> {
  await saveButton(page).click();
  const dialog = typeChangeDialog(page);
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(expected);
  await dialog.getByRole("button", { name: "Change type and save" }).click();
  await expect(dialog).toBeHidden();
  await expect(
    authPanel(page).getByRole("status").filter({ hasText: "All changes saved" }),
  ).toBeVisible();
}

async function postConnection(
  request: APIRequestContext,
  body: { endUserId: string; values: Record<string, string> },
) {
  return request.post(`/api/integrations/v1/${integrationId}/connections`, {
    data: body,
    headers: { Authorization: `Bearer ${accessToken}` },
  });
}

test("create: empty state, the shared schema's field errors, then the new integration", async ({
  page,
}) => {
  await openSignedIn(page, "/integrations", "Integrations");
  if (await page.getByRole("heading", { name: "No integrations yet" }).isVisible()) {
    await screenshot(page, "integrations-empty");
  }
  await page.getByRole("button", { name: "Create integration" }).click();
  const dialog = page.getByRole("dialog", { name: "Create integration" });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Enter a name")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toBeFocused();

  await dialog.getByLabel("Name").fill(NAME);
  await dialog.getByLabel("Description").fill("Forecasts for the app; owned by the platform team.");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(detail(page)).toBeVisible();
  await expect(page.getByText("Integration created")).toBeVisible();
  integrationId = new URL(page.url()).searchParams.get("id") ?? "";
  expect(integrationId).toMatch(/^[0-9a-f-]{36}$/);
  await expect(listItem(page)).toContainText("None");
  await expect(typeRadio(page, "None")).toBeChecked();

  // The search narrows by name and says so when nothing matches.
  const search = listPane(page).getByRole("searchbox", { name: "Search by name" });
  await search.fill("no such integration");
  await expect(listPane(page).getByText("No matches")).toBeVisible();
  await listPane(page).getByRole("button", { name: "Clear search" }).click();
  await expect(listItem(page)).toBeVisible();
  await screenshots(page, "integrations-none");
});

test("API key: fields added, checked per row and reordered, test code counted, then saved", async ({
  page,
}) => {
  await openIntegration(page);
  await typeRadio(page, "API key").check();
  await expect(authPanel(page)).toContainText("Changing the type deletes every connection");

  await authPanel(page).getByRole("button", { name: "Add field" }).click();
  // The new row's label has the focus; the slug follows the label until edited.
  await expect(fieldRow(page, 1).getByLabel("Label", { exact: true })).toBeFocused();
  await page.keyboard.type("Region");
  await expect(fieldRow(page, 1).getByLabel("Slug")).toHaveValue("region");
  await fieldRow(page, 1).getByLabel("Description").fill("Where the account lives, e.g. eu-west");

  await authPanel(page).getByRole("button", { name: "Add field" }).click();
  await fieldRow(page, 2).getByLabel("Label", { exact: true }).fill("API key");
  await expect(fieldRow(page, 2).getByLabel("Slug")).toHaveValue("api_key");
  await fieldRow(page, 2).getByLabel("Type").selectOption({ label: "Password (masked)" });
  await fieldRow(page, 2).getByLabel("Required").check();
  await fieldRow(page, 2).getByLabel("Placeholder").fill("sk-…");

  // Reordered from the keyboard: the moved row keeps the focus on its button.
  await fieldRow(page, 2).getByRole("button", { name: "Move field 2 (API key) up" }).focus();
  await page.keyboard.press("Enter");
  await expect(fieldRow(page, 1).getByLabel("Label", { exact: true })).toHaveValue("API key");
  await expect(
    fieldRow(page, 1).getByRole("button", { name: "Move field 1 (API key) down" }),
  ).toBeFocused();

  // A third row with a slug the schema refuses: the row says so once the focus leaves it.
  await authPanel(page).getByRole("button", { name: "Add field" }).click();
  await fieldRow(page, 3).getByLabel("Label", { exact: true }).fill("Account");
  await fieldRow(page, 3).getByLabel("Slug").fill("bad slug");
  await fieldRow(page, 3).getByLabel("Type").focus();
  await authPanel(page).getByRole("button", { name: "Add field" }).focus();
  await expect(fieldRow(page, 3).getByText("Use letters, digits")).toBeVisible();
  await fieldRow(page, 3).getByRole("button", { name: "Remove field 3 (Account)" }).click();
  await expect(fieldRow(page, 3)).toHaveCount(0);

  // The count is in characters as people see them, and turns red past 1,000.
  const editor = codeEditor(page);
  await editor.fill("x".repeat(1_001));
  await expect(authPanel(page).getByText("1,001 / 1,000 characters")).toBeVisible();
  await saveButton(page).click();
  await expect(authPanel(page).getByText("Use at most 1,000 characters")).toBeVisible();
  await expect(editor).toHaveAttribute("aria-invalid", "true");
  await editor.fill(testCode());
  await expect(authPanel(page).getByText(`${testCode().length} / 1,000 characters`)).toBeVisible();

  await saveTypeChange(page, "This integration has no connections, so none are deleted.");
  await expect(listItem(page)).toContainText("API key");
  await expect(fieldRow(page, 1).getByLabel("Slug")).toHaveValue("api_key");
  await expect(fieldRow(page, 2).getByLabel("Slug")).toHaveValue("region");
  await screenshots(page, "integration-auth-api-key");

  // Loaded on a phone, the code wraps instead of scrolling sideways.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.reload();
  await codeEditor(page).scrollIntoViewIfNeeded();
  await authPanel(page)
    .locator(".cm-editor")
    .screenshot({ path: "e2e/screenshots/integration-code-editor-375.png" });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("test with sample values: a pass and a failure against the loopback service", async ({
  page,
}) => {
  await openIntegration(page);
  const form = sampleForm(page);
  await expect(form.getByLabel("API key")).toHaveAttribute("type", "password");
  await form.getByLabel("API key").fill(GOOD_KEY);
  await form.getByLabel("Region").fill("eu-west");
  await form.getByRole("button", { name: "Run test" }).click();
  const result = form.getByRole("region", { name: "Test result" });
  await expect(result).toContainText("Test passed");
  await expect(result).toContainText('"user": "Ada"');
  await expect(result.getByRole("list", { name: "Requests" })).toContainText(`${service.url}/me`);
  await expect(result.getByRole("list", { name: "Requests" })).toContainText("200");
  // Logged values are redacted like every other output of the code.
  await expect(result).toContainText("status 200 for [redacted]");
  await expect(result).toContainText(/in \d+ ms/);
  await screenshots(page, "integration-sample-test-pass");

  await form.getByLabel("API key").fill("a-wrong-key");
  await form.getByRole("button", { name: "Run test" }).click();
  await expect(result).toContainText("The code threw an error");
  await expect(result).toContainText("Error: Invalid credentials");
  await expect(result.getByRole("list", { name: "Requests" })).toContainText("401");
  await screenshots(page, "integration-sample-test-fail");
  // Sample values go nowhere but the one request: not into the address bar.
  expect(page.url()).not.toContain(GOOD_KEY);
});

test("connections made through the public API show, one is deleted, and the type change counts the rest", async ({
  page,
  request,
}) => {
  // Registers an API client through the console first: more steps than the others.
  test.setTimeout(120_000);
  await openSignedIn(page, "/settings", "Settings");
  await addTill(page, TILL);
  await page.getByRole("link", { name: "API clients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API clients" })).toBeVisible();
  const client = await registerClient(page, {
    name: CLIENT_NAME,
    till: TILL,
    permissions: { Integrations: "Modify" },
  });
  const token = await requestToken(request, client.clientKey, client.clientSecret);
  expect(token.status()).toBe(200);
  const grant = (await token.json()) as { access_token: string; scope: string };
  expect(grant.scope).toContain("INTEGRATION_API");
  accessToken = grant.access_token;

  for (const endUserId of ["user-ada", "user-grace"]) {
    const created = await postConnection(request, {
      endUserId,
      values: { api_key: GOOD_KEY, region: "eu-west" },
    });
    expect(created.status()).toBe(201);
  }
  // A failing test stores nothing.
  const refused = await postConnection(request, {
    endUserId: "user-mallory",
    values: { api_key: "wrong", region: "eu-west" },
  });
  expect(refused.status()).toBe(422);

  // Signed in already (for the API clients page).
  await page.goto(`/integrations?id=${integrationId}`);
  await expect(detail(page)).toBeVisible();
  await expect(connectionsTab(page)).toContainText("2");
  await connectionsTab(page).click();
  const table = connectionsPanel(page).getByRole("table", { name: "Connections" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await expect(table).toContainText("user-ada");
  await expect(table).toContainText("user-grace");
  await expect(table).not.toContainText("user-mallory");
  await expect(table.getByText("Active").first()).toBeVisible();
  await expect(connectionsPanel(page)).toContainText(
    `POST /api/integrations/v1/${integrationId}/connections`,
  );
  await screenshots(page, "integration-connections");

  await table.getByRole("button", { name: "Delete the connection of user-grace" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete the connection of user-grace?" });
  await confirm.getByRole("button", { name: "Delete connection" }).click();
  await expect(confirm).toBeHidden();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).not.toContainText("user-grace");
  await expect(connectionsPanel(page).getByRole("heading", { name: "Connections" })).toBeFocused();
  // The public API agrees.
  const listed = await request.get(`/api/integrations/v1/${integrationId}/connections`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(((await listed.json()) as { connections: unknown[] }).connections).toHaveLength(1);

  // Changing the type: the confirmation counts the one connection left, fresh from the server.
  await detail(page).getByRole("tab", { name: "Auth" }).click();
  await typeRadio(page, "Service account").check();
  await saveButton(page).click();
  const dialog = typeChangeDialog(page);
  await expect(dialog).toContainText("1 connection is deleted");
  await expect(dialog).toContainText("From API key to Service account");
  await screenshots(page, "integration-type-change-warning", { dialog: true });
  await dialog.getByRole("button", { name: "Change type and save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("1 connection deleted with the type change.")).toBeVisible();
  await expect(connectionsTab(page)).toContainText("0");
  await expect(listItem(page)).toContainText("Service account");
});

test("service account: the service connection is added through the form once its test passes", async ({
  page,
}) => {
  await openIntegration(page);
  await screenshots(page, "integration-auth-service-account");
  await connectionsTab(page).click();
  const form = connectionsPanel(page).getByRole("form", { name: "Add the service connection" });
  await expect(form.getByLabel("API key")).toHaveAttribute("type", "password");

  await form.getByRole("button", { name: "Add service connection" }).click();
  await expect(form.getByText("Enter API key")).toBeVisible();

  await form.getByLabel("API key").fill("a-wrong-key");
  await form.getByLabel("Region").fill("eu-west");
  await form.getByRole("button", { name: "Add service connection" }).click();
  const failed = form.getByRole("region", { name: "Test result" });
  await expect(failed).toContainText("The test failed, so nothing was stored");
  await expect(failed).toContainText("Error: Invalid credentials");
  await expect(failed).toContainText("401");

  await form.getByLabel("API key").fill(GOOD_KEY);
  await form.getByRole("button", { name: "Add service connection" }).click();
  await expect(page.getByText("Service connection added")).toBeVisible();
  const table = connectionsPanel(page).getByRole("table", { name: "Connections" });
  await expect(table).toContainText("Service connection");
  // The values are gone from the form once stored; the form now replaces the connection.
  const replace = connectionsPanel(page).getByRole("form", {
    name: "Replace the service connection",
  });
  await expect(replace.getByLabel("API key")).toHaveValue("");
  await expect(replace.getByLabel("Region")).toHaveValue("");
  await screenshots(page, "integration-service-connection");
});

test("OAuth: the client form, write-only values kept when not touched, then OAuth with registration", async ({
  page,
}) => {
  await openIntegration(page);
  await typeRadio(page, "OAuth 2.0").check();
  const panel = authPanel(page);
  await panel.getByLabel("Scopes").fill("forecast.read offline_access");
  await panel.getByLabel("Connect button label").fill("Sign in with Weather");
  await panel.getByLabel("Authorization URL", { exact: true }).fill("not a url");
  await panel.getByLabel("Token URL", { exact: true }).fill(`${service.url}/token`);
  await panel.getByLabel("Client ID", { exact: true }).fill("authdesk-e2e");
  await expect(panel.getByLabel("Client secret", { exact: true })).toHaveAttribute(
    "type",
    "password",
  );
  await panel.getByLabel("Client secret", { exact: true }).fill("e2e-oauth-client-secret");
  await codeEditor(page, "Refresh token code").fill("return (");

  // The shared schema refuses the URL in the browser, beside its input, with the focus on it.
  await saveButton(page).click();
  await expect(panel.getByText("Enter an absolute URL")).toBeVisible();
  await expect(panel.getByLabel("Authorization URL", { exact: true })).toBeFocused();
  await panel.getByLabel("Authorization URL", { exact: true }).fill(`${service.url}/authorize`);

  // The code parses only on the server (QuickJS): its error comes back keyed by its path.
  await saveButton(page).click();
  await typeChangeDialog(page).getByRole("button", { name: "Change type and save" }).click();
  await expect(panel.getByText(/SyntaxError/)).toBeVisible();
  await expect(codeEditor(page, "Refresh token code")).toHaveAttribute("aria-invalid", "true");
  await expect(codeEditor(page, "Refresh token code")).toBeFocused();
  await codeEditor(page, "Refresh token code").fill("return { refreshed: true };");
  await saveTypeChange(page, "1 connection is deleted");

  for (const label of ["Authorization URL", "Token URL", "Client ID", "Client secret"]) {
    await expect(panel.getByRole("group", { name: label })).toContainText("Stored");
  }
  // Write-only: after a reload, neither the page nor what the browser received holds them.
  const bodies: Promise<string>[] = [];
  const collect = (response: Response) => {
    bodies.push(response.text().catch(() => ""));
  };
  page.on("response", collect);
  await page.reload();
  await expect(panel.getByRole("group", { name: "Client secret" })).toContainText("Stored");
  page.off("response", collect);
  const received = await Promise.all(bodies);
  expect(received.length).toBeGreaterThan(0);
  for (const written of ["e2e-oauth-client-secret", "authdesk-e2e", `${service.url}/token`]) {
    expect(await page.content()).not.toContain(written);
    for (const body of received) expect(body).not.toContain(written);
  }
  await expect(panel.getByLabel("Scopes")).toHaveValue("forecast.read offline_access");
  await screenshots(page, "integration-auth-oauth");

  // A save that leaves the credentials alone keeps them stored.
  await panel.getByLabel("Scopes").fill("forecast.read");
  await saveButton(page).click();
  await expect(panel.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible();
  await expect(panel.getByRole("group", { name: "Client secret" })).toContainText("Stored");

  // Replace shows an empty input (there is nothing to reveal); Cancel keeps the stored one.
  await panel.getByRole("button", { name: "Replace Client secret" }).click();
  await expect(panel.getByLabel("Client secret", { exact: true })).toBeFocused();
  await expect(panel.getByLabel("Client secret", { exact: true })).toHaveValue("");
  await panel.getByRole("button", { name: "Cancel replacing Client secret" }).click();
  await expect(panel.getByRole("button", { name: "Replace Client secret" })).toBeFocused();

  await connectionsTab(page).click();
  await expect(connectionsPanel(page)).toContainText("through the OAuth flow");
  await detail(page).getByRole("tab", { name: "Auth" }).click();

  // From OAuth to OAuth with registration is a type change too: the client goes with it.
  await typeRadio(page, "OAuth 2.0 with dynamic registration").check();
  await expect(panel).toContainText("Changing the type deletes the stored OAuth client");
  await expect(panel.getByLabel("Client secret", { exact: true })).toHaveValue("");
  await saveButton(page).click();
  const dialog = typeChangeDialog(page);
  await expect(dialog).toContainText("This integration has no connections, so none are deleted.");
  await expect(dialog).toContainText("The OAuth client is deleted too");
  await dialog.getByRole("button", { name: "Change type and save" }).click();
  await expect(dialog).toBeHidden();
  await expect(listItem(page)).toContainText("OAuth 2.0 with dynamic registration");
  // What was typed (scopes, label, code) became the new client; the credentials were not re-sent.
  await expect(panel.getByLabel("Scopes")).toHaveValue("forecast.read");
  await expect(panel.getByLabel("Token URL", { exact: true })).toHaveValue("");
  await screenshots(page, "integration-auth-oauth-dcr");
});

test("none: no fields; API access limited to one client; the integration is deleted", async ({
  page,
  request,
}) => {
  await openIntegration(page);
  await typeRadio(page, "None").check();
  // With no test code, a NONE connection needs nothing to pass.
  await codeEditor(page).fill("");
  await fieldRow(page, 2)
    .getByRole("button", { name: /^Remove field 2/ })
    .click();
  await fieldRow(page, 1)
    .getByRole("button", { name: /^Remove field 1/ })
    .click();
  await expect(authPanel(page).getByRole("button", { name: "Add field" })).toBeFocused();
  await saveTypeChange(page, "The OAuth client is deleted too");
  await expect(authPanel(page)).toContainText("there are no auth fields");
  await screenshots(page, "integration-auth-none-saved");

  // API access: only the chosen client.
  await detail(page).getByRole("tab", { name: "API access" }).click();
  const access = detail(page).getByRole("tabpanel", { name: "API access" });
  await expect(
    access.getByRole("radio", { name: "All API clients with INTEGRATION_API" }),
  ).toBeChecked();
  await access.getByRole("radio", { name: "Only these API clients" }).check();
  await access.getByLabel("Search API clients").fill("Integrations program");
  await access.getByRole("button", { name: `Add ${CLIENT_NAME}` }).click();
  await expect(access.getByRole("region", { name: "Chosen API clients" })).toContainText(
    CLIENT_NAME,
  );
  await access.getByRole("button", { name: "Save API access" }).click();
  await expect(page.getByText("API access saved")).toBeVisible();
  await screenshots(page, "integration-api-access");
  const allowed = await request.get(`/api/integrations/v1/${integrationId}`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(allowed.status()).toBe(200);

  // A connection for the delete confirmation to count.
  const created = await postConnection(request, { endUserId: "user-ada", values: {} });
  expect(created.status()).toBe(201);

  await detail(page)
    .getByRole("button", { name: `Delete ${NAME}` })
    .click();
  const confirm = page.getByRole("alertdialog", { name: `Delete ${NAME}?` });
  await expect(confirm).toContainText("1 connection is deleted");
  await confirm.getByRole("button", { name: "Delete integration" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("Integration deleted")).toBeVisible();
  await expect(listItem(page)).toHaveCount(0);
  const gone = await request.get(`/api/integrations/v1/${integrationId}`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  expect(gone.status()).toBe(404);
});
