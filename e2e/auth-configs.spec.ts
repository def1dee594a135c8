import type { Locator, Page, Response } from "@playwright/test";
import { expect, screenshot, signIn, test } from "./fixtures";
import { type OAuthServer, startOAuthServer } from "./support/oauth-server";

/*
 * Auth configs end to end, against a real OAuth 2.0 server on loopback (the PGlite web server
 * runs with AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS=true so the broker may call it). The tests build on
 * each other — create, look, test, delete — so they run in order and stop at the first failure.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

/** Distinctive, so finding it anywhere the browser received is unambiguous. */
const SECRET = "e2e-Secret-Qz7w-K3pX-never-in-the-browser";
const SCOPES = ["reports.read", "reports.write"];

let oauth: OAuthServer;

test.beforeAll(async () => {
  oauth = await startOAuthServer({
    clientId: "authdesk-e2e",
    clientSecret: SECRET,
    scopes: SCOPES,
  });
});

test.afterAll(async () => {
  await oauth?.close();
});

/** Screenshots without toasts on top of what they are meant to show. */
async function quietScreenshot(page: Page, name: string): Promise<void> {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, name);
}

async function openAuthConfigs(page: Page, query = ""): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(`/auth-configs${query}`)}`);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Auth configs" })).toBeVisible();
}

const listPane = (page: Page) => page.getByRole("region", { name: "Auth config list" });
const listItem = (page: Page, identifier: string) =>
  listPane(page).getByRole("link", { name: new RegExp(`^${identifier.replace(".", "\\.")}\\b`) });
const detailPane = (page: Page, identifier: string) =>
  page.getByRole("region", { name: identifier, exact: true });

interface ConfigValues {
  identifier: string;
  tokenUrl: string;
  scope: string;
  clientId: string;
  clientSecret: string;
  description?: string;
}

async function fillCreateForm(dialog: Locator, values: ConfigValues): Promise<void> {
  await dialog.getByLabel("Identifier").fill(values.identifier);
  await dialog.getByLabel("Access Token URL").fill(values.tokenUrl);
  await dialog.getByLabel("Scope").fill(values.scope);
  await dialog.getByLabel("Client ID").fill(values.clientId);
  await dialog.getByLabel("Client Secret").fill(values.clientSecret);
  if (values.description) await dialog.getByLabel("Description").fill(values.description);
}

async function createConfig(page: Page, values: ConfigValues): Promise<void> {
  await page.getByRole("button", { name: "Create auth config" }).click();
  const dialog = page.getByRole("dialog", { name: "Create auth config" });
  await fillCreateForm(dialog, values);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(detailPane(page, values.identifier)).toBeVisible();
}

test("create: empty state, field errors from the shared schema, a duplicate identifier", async ({
  page,
}) => {
  await openAuthConfigs(page);
  await expect(page.getByRole("heading", { name: "No auth configs yet" })).toBeVisible();
  await screenshot(page, "auth-configs-empty");

  await page.getByRole("button", { name: "Create auth config" }).click();
  const dialog = page.getByRole("dialog", { name: "Create auth config" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("cannot be modified after creation");
  await expect(dialog.getByLabel("Client Secret")).toHaveAttribute("type", "password");
  await expect(dialog.getByLabel("Client Secret")).toHaveAttribute("autocomplete", "off");
  await expect(dialog.getByLabel("Client authentication")).toHaveValue("client_secret_basic");

  // An empty submit: every required field says what it needs, and focus goes to the first.
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Enter an identifier")).toBeVisible();
  await expect(dialog.getByText("Enter the access token URL")).toBeVisible();
  await expect(dialog.getByText("Enter at least one scope")).toBeVisible();
  await expect(dialog.getByText("Enter the client ID")).toBeVisible();
  await expect(dialog.getByText("Enter the client secret")).toBeVisible();
  await expect(dialog.getByLabel("Identifier")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Identifier")).toBeFocused();

  // A space in the identifier and a token URL that is not a URL.
  await dialog.getByLabel("Identifier").fill("partner api");
  await dialog.getByLabel("Access Token URL").fill("not a url");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(
    dialog.getByText("Use only letters, digits, dots, underscores and hyphens"),
  ).toBeVisible();
  await expect(dialog.getByText("Enter an absolute URL")).toBeVisible();
  await screenshot(page, "auth-config-create-errors");

  await fillCreateForm(dialog, {
    identifier: "Partner-API",
    tokenUrl: oauth.tokenUrl,
    scope: "reports.read",
    clientId: oauth.clientId,
    clientSecret: SECRET,
    description: "Reports API of our partner; owned by the data team.",
  });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Auth config created")).toBeVisible();
  await expect(page).toHaveURL(/\/auth-configs\?id=cfg_/);
  await expect(listItem(page, "Partner-API")).toHaveAttribute("aria-current", "page");
  await expect(detailPane(page, "Partner-API")).toBeVisible();

  // The same identifier in another case: the server's unique index answers, beside the field.
  await page.getByRole("button", { name: "Create auth config" }).click();
  await fillCreateForm(dialog, {
    identifier: "partner-api",
    tokenUrl: oauth.tokenUrl,
    scope: "reports.read",
    clientId: oauth.clientId,
    clientSecret: "another-secret",
  });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(
    dialog.getByText("An auth config with this identifier already exists"),
  ).toBeVisible();
  await expect(dialog.getByLabel("Identifier")).toHaveAttribute("aria-invalid", "true");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(listPane(page).getByRole("link")).toHaveCount(1);
});

test("list and read-only detail, linkable with ?id=, searchable, with Back and Forward", async ({
  page,
}) => {
  await openAuthConfigs(page);
  // The second config has a secret the token server does not know (used by the failing test).
  await createConfig(page, {
    identifier: "billing.v2",
    tokenUrl: oauth.tokenUrl,
    scope: "reports.read reports.write",
    clientId: oauth.clientId,
    clientSecret: "wrong-secret",
  });

  await listItem(page, "Partner-API").click();
  const detail = detailPane(page, "Partner-API");
  await expect(detail).toContainText("OAuth 2.0 client credentials");
  await expect(detail).toContainText(oauth.tokenUrl);
  await expect(detail.getByRole("list", { name: "Scopes" })).toHaveText("reports.read");
  await expect(detail).toContainText(oauth.clientId);
  await expect(detail).toContainText("Stored encrypted");
  await expect(detail).toContainText("HTTP Basic (client_secret_basic)");
  await expect(detail).toContainText("Reports API of our partner");
  await expect(detail).toContainText("ada@example.com");
  await expect(detail).toContainText(/Last used\s*Never/);
  await expect(detail).toContainText(/Tokens fetched\s*0/);
  // Read-only: nothing to type into, nothing to edit; only who may fetch tokens can be saved.
  await expect(detail.getByRole("textbox")).toHaveCount(0);
  await expect(detail.getByRole("button", { name: /save|edit/i })).toHaveText(["Save API access"]);
  await expect(listPane(page)).toContainText("2 auth configs");

  // API access: a new config lets nobody fetch its tokens until an admin says who may.
  const access = detail.getByRole("region", { name: "API access" });
  await expect(access.getByRole("radio", { name: "Only these API clients" })).toBeChecked();
  await expect(access).toContainText("None yet: no API client is chosen.");
  await access.getByRole("checkbox", { name: /Tills too/ }).check();
  await access.getByRole("button", { name: "Save API access" }).click();
  await expect(page.getByText("Only tills may fetch this config's tokens.")).toBeVisible();
  await expect(access.getByRole("status")).toHaveText("All changes saved");
  await quietScreenshot(page, "auth-configs-detail");

  // The selection is in the URL: a reload shows the same detail.
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await expect(detailPane(page, "Partner-API")).toContainText(oauth.tokenUrl);
  await expect(access.getByRole("checkbox", { name: /Tills too/ })).toBeChecked();

  // Back and Forward move between selections without a page load.
  await listItem(page, "billing.v2").click();
  await expect(detailPane(page, "billing.v2")).toBeVisible();
  await page.goBack();
  await expect(detailPane(page, "Partner-API")).toBeVisible();
  expect(page.url()).toBe(url);
  await page.goForward();
  await expect(detailPane(page, "billing.v2")).toBeVisible();

  // Search filters by part of the identifier, in any case, through the list query.
  const search = page.getByRole("searchbox", { name: "Search by identifier" });
  await search.fill("BILL");
  await expect(listPane(page).getByRole("link")).toHaveCount(1);
  await expect(listItem(page, "billing.v2")).toBeVisible();
  await search.fill("nothing-like-this");
  await expect(listPane(page)).toContainText("No matches");
  await listPane(page).getByRole("button", { name: "Clear search" }).click();
  await expect(listPane(page).getByRole("link")).toHaveCount(2);

  // Nothing selected: a hint to pick one.
  await page.goto("/auth-configs");
  await expect(page.getByText("Select an auth config")).toBeVisible();

  // A narrow window stacks the panes.
  await page.setViewportSize({ width: 390, height: 844 });
  await quietScreenshot(page, "auth-configs-narrow");
  await page.getByRole("button", { name: "Create auth config" }).click();
  const dialog = page.getByRole("dialog", { name: "Create auth config" });
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog.getByText("Enter an identifier")).toBeVisible();
  await screenshot(page, "auth-config-create-narrow");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await listItem(page, "Partner-API").click();
  // Selecting scrolls the stacked detail into view, or the tap would seem to do nothing.
  await expect(detailPane(page, "Partner-API")).toBeInViewport();
  await page.evaluate(() => window.scrollTo(0, 0));
  await quietScreenshot(page, "auth-configs-detail-narrow");
});

test("Duplicate pre-fills everything except the identifier and the secret", async ({ page }) => {
  await openAuthConfigs(page);
  await listItem(page, "Partner-API").click();
  await detailPane(page, "Partner-API").getByRole("button", { name: "Duplicate" }).click();
  const dialog = page.getByRole("dialog", { name: "Duplicate auth config" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Identifier")).toHaveValue("");
  await expect(dialog.getByLabel("Client Secret")).toHaveValue("");
  await expect(dialog.getByLabel("Access Token URL")).toHaveValue(oauth.tokenUrl);
  await expect(dialog.getByLabel("Scope")).toHaveValue("reports.read");
  await expect(dialog.getByLabel("Client ID")).toHaveValue(oauth.clientId);
  await expect(dialog.getByLabel("Client authentication")).toHaveValue("client_secret_basic");
  await expect(dialog.getByLabel("Description")).toHaveValue(/Reports API of our partner/);
  await expect(dialog.getByLabel("Identifier")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("Test fetches a token from the loopback server, and explains a rejection", async ({
  page,
}) => {
  await openAuthConfigs(page);
  await listItem(page, "Partner-API").click();
  const detail = detailPane(page, "Partner-API");
  await detail.getByRole("button", { name: "Test", exact: true }).click();
  const result = detail.getByRole("region", { name: "Test result" });
  await expect(result).toContainText("Token received");
  await expect(result.getByRole("list", { name: "Scopes" })).toHaveText("reports.read");
  await expect(result).toContainText(/Token type\s*Bearer/);
  await expect(result).toContainText(/Expires\s*in \d+ minutes/);
  expect(oauth.issuedTokens().length).toBeGreaterThan(0);
  for (const token of oauth.issuedTokens())
    await expect(page.locator("body")).not.toContainText(token);
  // The detail refreshes: the test used the config.
  await expect(detail).toContainText(/Tokens fetched\s*1/);
  await expect(detail).not.toContainText(/Last used\s*Never/);
  await quietScreenshot(page, "auth-config-test-success");

  await listItem(page, "billing.v2").click();
  const failing = detailPane(page, "billing.v2");
  await failing.getByRole("button", { name: "Test", exact: true }).click();
  const failure = failing.getByRole("region", { name: "Test result" });
  await expect(failure).toContainText("Token request failed");
  await expect(failure).toContainText("The token server rejected the client credentials");
  await expect(failure).toContainText("upstream_rejected");
  await expect(failure).toContainText("invalid_client");
  await quietScreenshot(page, "auth-config-test-error");

  // Both tests are in the audit log, with their outcome and no secret.
  await page.goto("/audit?action=auth_config.tested");
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table).toContainText("outcome: success");
  await expect(table).toContainText("outcome: upstream_rejected");
  await expect(table).not.toContainText(SECRET);
});

test("Replace rotates the upstream secret under the same identifier", async ({ page }) => {
  await openAuthConfigs(page);
  await listItem(page, "billing.v2").click();
  const detail = detailPane(page, "billing.v2");
  await expect(detail).toContainText("To rotate the upstream client secret");
  const oldId = new URL(page.url()).searchParams.get("id") ?? "";
  expect(oldId).toMatch(/^cfg_/);

  // The form starts from the config, keeps its identifier and asks for the new secret.
  await detail.getByRole("button", { name: "Replace", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Replace auth config" });
  await expect(dialog.getByLabel("Identifier")).toHaveValue("billing.v2");
  await expect(dialog.getByLabel("Identifier")).toHaveAttribute("readonly", "");
  await expect(dialog.getByLabel("Client Secret")).toHaveValue("");
  await expect(dialog.getByLabel("Client Secret")).toBeFocused();
  await expect(dialog.getByLabel("Scope")).toHaveValue("reports.read reports.write");
  await expect(dialog).toContainText("switch to the new settings at once, with no gap");
  await dialog.getByLabel("Client Secret").fill(SECRET);
  await quietScreenshot(page, "auth-config-replace");
  await dialog.getByRole("button", { name: "Replace", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Auth config replaced")).toBeVisible();

  // A new row under the same identifier that names the one it replaced, which is gone.
  await expect(page).toHaveURL(/\?id=cfg_/);
  expect(new URL(page.url()).searchParams.get("id")).not.toBe(oldId);
  await expect(detail).toContainText(new RegExp(`Replaces\\s*${oldId}`));
  await expect(listPane(page).getByRole("link")).toHaveCount(2);
  // The rotated secret works where the old one was rejected.
  await detail.getByRole("button", { name: "Test", exact: true }).click();
  await expect(detail.getByRole("region", { name: "Test result" })).toContainText("Token received");

  await page.setViewportSize({ width: 375, height: 812 });
  await detail.getByRole("button", { name: "Replace", exact: true }).click();
  await expect(dialog.getByLabel("Identifier")).toHaveValue("billing.v2");
  await quietScreenshot(page, "auth-config-replace-narrow");
  await page.keyboard.press("Escape");

  // The audit log is a table at desktop widths only.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/audit?action=auth_config.replaced");
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table).toContainText("billing.v2");
  await expect(table).toContainText(oldId);
  await expect(table).not.toContainText(SECRET);
});

test("the client secret never reaches the browser", async ({ page }) => {
  const pending: Promise<void>[] = [];
  const bodies: { url: string; type: string; body: string }[] = [];
  page.on("response", (response: Response) => {
    pending.push(
      response
        .text()
        .then((body) => {
          bodies.push({
            url: response.url(),
            type: response.headers()["content-type"] ?? "",
            body,
          });
        })
        .catch(() => undefined), // redirects have no body to read
    );
  });

  await openAuthConfigs(page);
  // A new config with the known secret: its create response is recorded too.
  await createConfig(page, {
    identifier: "secret-probe",
    tokenUrl: oauth.tokenUrl,
    scope: "reports.read reports.write",
    clientId: oauth.clientId,
    clientSecret: SECRET,
  });
  // List and detail, a reload of the detail, a client-side navigation (an RSC payload),
  // Duplicate, and Test.
  await listItem(page, "Partner-API").click();
  await expect(detailPane(page, "Partner-API")).toBeVisible();
  await listItem(page, "secret-probe").click();
  await page.reload();
  await expect(detailPane(page, "secret-probe")).toBeVisible();
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await page.getByRole("link", { name: "Auth configs" }).click();
  await listItem(page, "secret-probe").click();
  const detail = detailPane(page, "secret-probe");
  await detail.getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByRole("dialog", { name: "Duplicate auth config" })).toBeVisible();
  await page.keyboard.press("Escape");
  await detail.getByRole("button", { name: "Test", exact: true }).click();
  await expect(detail.getByRole("region", { name: "Test result" })).toContainText("Token received");
  await expect(detail).toContainText(/Tokens fetched\s*1/);

  await Promise.all(pending);
  // What was recorded covers every kind of response: the page HTML, RSC payloads and actions.
  expect(bodies.some((entry) => entry.type.startsWith("text/html"))).toBe(true);
  expect(bodies.some((entry) => entry.type.startsWith("text/x-component"))).toBe(true);
  expect(
    bodies.filter((entry) => entry.body.includes("secret-probe")).length,
  ).toBeGreaterThanOrEqual(3);
  const forbidden = [
    SECRET,
    Buffer.from(SECRET).toString("base64"),
    Buffer.from(SECRET).toString("base64url"),
    ...oauth.issuedTokens(),
  ];
  for (const { url, body } of bodies) {
    for (const value of forbidden) {
      expect(body.includes(value), `a response from ${url} contains a secret`).toBe(false);
    }
  }
});

test("delete asks first, says how much the config was used, then removes it", async ({ page }) => {
  await openAuthConfigs(page);
  await listItem(page, "Partner-API").click();
  const detail = detailPane(page, "Partner-API");
  await detail.getByRole("button", { name: "Delete Partner-API" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete Partner-API?" });
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText(/Tokens fetched\s*1 token(?!s)/);
  await expect(confirm).toContainText(/Last used\s*(just now|\d+ minutes? ago)/);
  await expect(confirm).toContainText("will fail");
  await quietScreenshot(page, "auth-config-delete-dialog");

  // Escape keeps it.
  await page.keyboard.press("Escape");
  await expect(confirm).toBeHidden();
  await expect(listItem(page, "Partner-API")).toBeVisible();

  await detail.getByRole("button", { name: "Delete Partner-API" }).click();
  await confirm.getByRole("button", { name: "Delete auth config" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("Auth config deleted")).toBeVisible();
  await expect(listItem(page, "Partner-API")).toHaveCount(0);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await expect(page.getByText("Select an auth config")).toBeVisible();

  await page.reload();
  await expect(listItem(page, "billing.v2")).toBeVisible();
  await expect(listItem(page, "Partner-API")).toHaveCount(0);
  await page.goto("/audit?action=auth_config.deleted");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText("Partner-API");
});
