import type { Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import {
  addTill,
  basicAuth,
  credential,
  deleteClient,
  detailPane,
  listItem,
  openSignedIn as open,
  permissionRow,
  registerDialog,
  requestToken,
  revealDialog,
  tillOption,
} from "./support/api-clients";

/*
 * API clients end to end: register with permissions and a till, the one-time screen (copy,
 * confirm on close, the leave warning), the read-only detail without the secret, the key and
 * secret against our own OAuth endpoints, and delete revoking the token. The tests build on each
 * other, so they run in order and stop at the first failure.
 *
 * Every response the browser receives in this file is recorded; the last test checks that each
 * client secret occurs in exactly one of them: the registration's.
 */
test.describe.configure({ mode: "serial" });
test.use({
  viewport: { width: 1280, height: 800 },
  permissions: ["clipboard-read", "clipboard-write"],
});

const TILL = { code: "pos-e2e", name: "Point of sale (e2e)", password: "pos-e2e-password-1" };
const CLIENT = {
  name: "Checkout service",
  description: "Posts transactions from the checkout; owned by the payments team.",
};

/** What the one-time screens showed, for the later tests. */
const issued: { name: string; clientKey: string; clientSecret: string }[] = [];
/** The secrets that rolls showed. */
const rolled: { name: string; clientSecret: string }[] = [];

function issuedClient(index: number) {
  const client = issued[index];
  if (!client) throw new Error(`no client #${index} was registered by an earlier test`);
  return client;
}

type Recorded = { url: string; method: string; action: boolean; type: string; body: string };
const recorded: Recorded[] = [];

/*
 * Every request of the browser context goes through here and the body is read in the test
 * process before the browser gets it. Reading bodies from `response` events instead misses some:
 * Chromium keeps no copy of a body the page consumed as a stream (RSC payloads, action results).
 */
test.beforeEach(async ({ context }) => {
  await context.route("**/*", async (route) => {
    const request = route.request();
    let response: Awaited<ReturnType<typeof route.fetch>>;
    let body: Buffer;
    try {
      // Redirects go back to the browser as they are, so it sees the same URLs as without us.
      response = await route.fetch({ maxRedirects: 0 });
      body = await response.body();
    } catch {
      // The context is closing (the end of a test) while a request was on its way: the browser
      // will never see an answer, so there is nothing to record.
      await route.abort().catch(() => undefined);
      return;
    }
    recorded.push({
      url: request.url(),
      method: request.method(),
      action: "next-action" in request.headers(),
      type: response.headers()["content-type"] ?? "",
      body: body.toString("utf8"),
    });
    await route.fulfill({ response, body }).catch(() => undefined);
  });
});

/** Screenshots without toasts on top of what they are meant to show. */
async function quietScreenshot(page: Page, name: string): Promise<void> {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, name);
}

/** Whether a `beforeunload` now would make the browser ask before leaving. */
const leaveWarningArmed = (page: Page) =>
  page.evaluate(() => {
    const event = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });

test("register: the seed's form with errors, permissions and a till, then the one-time screen", async ({
  page,
}) => {
  await open(page, "/api-clients", "API clients");
  if (await page.getByRole("heading", { name: "No API clients yet" }).isVisible()) {
    await quietScreenshot(page, "api-clients-empty");
  }

  // The form needs a till. Before any exists (this file runs first in its project), the form
  // says so and links to Settings; add one there, as an admin would.
  await page.getByRole("button", { name: "Register" }).click();
  await expect(registerDialog(page)).toBeVisible();
  const addTillLink = registerDialog(page).getByRole("link", { name: "Add a till in Settings" });
  if (await addTillLink.isVisible()) {
    await expect(registerDialog(page).getByLabel("Select your organization till")).toBeDisabled();
    await quietScreenshot(page, "api-client-register-no-tills");
    await addTillLink.click();
  } else {
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name: "Settings", exact: true }).click();
  }
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await addTill(page, TILL);

  await page.getByRole("link", { name: "API clients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API clients" })).toBeVisible();
  await page.getByRole("button", { name: "Register" }).click();
  const dialog = registerDialog(page);
  await expect(dialog).toBeVisible();

  // The seed's defaults: 60 minutes, None everywhere, no till chosen.
  const slider = dialog.getByLabel("Token expiry duration");
  await expect(slider).toHaveValue("60");
  await expect(slider).toHaveAttribute("aria-valuetext", "60 minutes (1 hour)");
  for (const group of ["Target Groups", "Transaction", "Integrations", "All (other APIs)"]) {
    await expect(permissionRow(dialog, group).getByRole("radio", { name: "None" })).toBeChecked();
  }
  await expect(dialog.getByLabel("Select your organization till")).toHaveValue("");

  // Next on an empty form: field errors from the shared schema, focus on the first.
  await dialog.getByRole("button", { name: "Next" }).click();
  await expect(dialog.getByText("Enter a client name")).toBeVisible();
  await expect(
    dialog.getByText("Select your organization till", { exact: true }).last(),
  ).toBeVisible();
  await expect(dialog.getByLabel("Client name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Select your organization till")).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await expect(dialog.getByLabel("Client name")).toBeFocused();
  await screenshot(page, "api-client-register-errors");

  await dialog.getByLabel("Client name").fill(CLIENT.name);
  await dialog.getByLabel("Description").fill(CLIENT.description);
  // The slider works from the keyboard, 5 minutes a step; the value shows as it moves.
  await slider.focus();
  for (let step = 0; step < 6; step++) await page.keyboard.press("ArrowRight");
  await expect(slider).toHaveValue("90");
  await expect(slider).toHaveAttribute("aria-valuetext", "90 minutes (1 hour 30 minutes)");
  await expect(dialog.locator("output")).toHaveText(/^90\s*minutes · 1 hour 30 minutes$/);
  await permissionRow(dialog, "All (other APIs)").getByRole("radio", { name: "Modify" }).check();
  await permissionRow(dialog, "Transaction").getByRole("radio", { name: "View only" }).check();
  await expect(dialog).toContainText("Tokens will carry all:read all:write transaction:read");
  await dialog
    .getByLabel("Select your organization till")
    .selectOption({ label: tillOption(TILL) });
  // Each fix clears its field's error.
  await expect(dialog.getByText("Enter a client name")).toBeHidden();
  await expect(dialog.getByLabel("Client name")).not.toHaveAttribute("aria-invalid");
  await expect(dialog.getByLabel("Select your organization till")).not.toHaveAttribute(
    "aria-invalid",
  );
  await quietScreenshot(page, "api-client-register-filled");

  await dialog.getByRole("button", { name: "Next" }).click();
  const reveal = revealDialog(page);
  await expect(reveal).toBeVisible();
  await expect(reveal).toContainText("You won't see it again");
  const clientKey = (await credential(reveal, "Client key").textContent()) ?? "";
  const clientSecret = (await credential(reveal, "Client secret").textContent()) ?? "";
  expect(clientKey).toMatch(/^adk_ck_[0-9A-Za-z]{49}$/);
  expect(clientSecret).toMatch(/^adk_cs_[0-9A-Za-z]{49}$/);
  issued.push({ name: CLIENT.name, clientKey, clientSecret });

  // Leaving the page now would make the browser ask first.
  expect(await leaveWarningArmed(page)).toBe(true);

  // Copy puts each value on the clipboard and says so.
  const copySecret = reveal.getByRole("button", { name: "Copy client secret" });
  await expect(copySecret).toBeFocused();
  await copySecret.click();
  await expect(copySecret).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(clientSecret);
  await reveal.getByRole("button", { name: "Copy client key" }).click();
  await expect(reveal.getByRole("button", { name: "Copy client key" })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(clientKey);
  await quietScreenshot(page, "api-client-secret");

  // Escape asks first; "Keep it open" keeps the secret on screen.
  await page.keyboard.press("Escape");
  const confirmClose = page.getByRole("alertdialog", { name: "Close without the secret?" });
  await expect(confirmClose).toContainText("You won't be able to see this secret again");
  await quietScreenshot(page, "api-client-confirm-close");
  await confirmClose.getByRole("button", { name: "Keep it open" }).click();
  await expect(confirmClose).toBeHidden();
  await expect(credential(reveal, "Client secret")).toHaveText(clientSecret);

  // So does the × button; confirming closes, and the new client is selected.
  await reveal.getByRole("button", { name: "Close", exact: true }).click();
  await confirmClose.getByRole("button", { name: "Close anyway" }).click();
  await expect(reveal).toBeHidden();
  await expect(page).toHaveURL(/\/api-clients\?id=cli_/);
  await expect(listItem(page, CLIENT.name)).toHaveAttribute("aria-current", "page");
  await expect(detailPane(page, CLIENT.name)).toBeVisible();
  expect(await leaveWarningArmed(page)).toBe(false);
  await expect(page.locator("body")).not.toContainText(clientSecret);
});

test("Done and New API client: another registration from a blank form", async ({ page }) => {
  await open(page, "/api-clients", "API clients");
  await page.getByRole("button", { name: "Register" }).click();
  let dialog = registerDialog(page);
  await dialog.getByLabel("Client name").fill("Reporting export");
  await dialog
    .getByLabel("Select your organization till")
    .selectOption({ label: tillOption(TILL) });
  await dialog.getByRole("button", { name: "Next" }).click();
  const reveal = revealDialog(page);
  issued.push({
    name: "Reporting export",
    clientKey: (await credential(reveal, "Client key").textContent()) ?? "",
    clientSecret: (await credential(reveal, "Client secret").textContent()) ?? "",
  });

  // New API client: no confirmation, a blank form, the slider back at 60.
  await reveal.getByRole("button", { name: "New API client" }).click();
  dialog = registerDialog(page);
  await expect(dialog.getByLabel("Client name")).toHaveValue("");
  await expect(dialog.getByLabel("Token expiry duration")).toHaveValue("60");
  expect(await leaveWarningArmed(page)).toBe(false);
  // Cancel on the form closes at once: there is no secret on it.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(listItem(page, "Reporting export")).toBeVisible();

  // Done closes without asking and selects the client it registered. At 390px this time.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Register" }).click();
  await dialog.getByLabel("Client name").fill("Short-lived");
  await dialog
    .getByLabel("Select your organization till")
    .selectOption({ label: tillOption(TILL) });
  await permissionRow(dialog, "Integrations").getByRole("radio", { name: "Modify" }).check();
  await permissionRow(dialog, "Target Groups").scrollIntoViewIfNeeded();
  await quietScreenshot(page, "api-client-register-permissions-narrow");
  await dialog.getByRole("button", { name: "Next" }).click();
  await expect(credential(reveal, "Client secret")).toBeVisible();
  await quietScreenshot(page, "api-client-secret-narrow");
  issued.push({
    name: "Short-lived",
    clientKey: (await credential(reveal, "Client key").textContent()) ?? "",
    clientSecret: (await credential(reveal, "Client secret").textContent()) ?? "",
  });
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  await expect(detailPane(page, "Short-lived")).toContainText("60 minutes (1 hour)");
  await expect(detailPane(page, "Short-lived")).toContainText("INTEGRATION_API");
});

test("come back: the read-only detail shows the secret's prefix only", async ({ page }) => {
  const client = issuedClient(0);
  await open(page, "/api-clients", "API clients");
  await listItem(page, CLIENT.name).click();
  await page.reload();
  const detail = detailPane(page, CLIENT.name);
  await expect(detail).toContainText(CLIENT.description);
  await expect(detail).toContainText(client.clientKey);
  await expect(detail).toContainText(`${client.clientSecret.slice(0, 11)}…`);
  await expect(detail).toContainText("The secret was shown once, at registration");
  await expect(detail).toContainText("90 minutes (1 hour 30 minutes)");
  const permissions = detail.getByRole("list", { name: "Permissions" });
  await expect(permissions.getByRole("listitem")).toHaveText([
    "TransactionView only",
    "All (other APIs)Modify",
  ]);
  await expect(detail.getByRole("list", { name: "Scopes" }).getByRole("listitem")).toHaveText([
    "all:read",
    "all:write",
    "transaction:read",
  ]);
  await expect(detail).toContainText(tillOption(TILL));
  await expect(detail).toContainText("ada@example.com");
  await expect(detail).toContainText(/Last used\s*Never/);
  // Read-only: nothing to type into, nothing to save.
  await expect(detail.getByRole("textbox")).toHaveCount(0);
  await expect(detail.getByRole("button", { name: /save|edit/i })).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(client.clientSecret);
  // The list shows each client's key prefix in mono.
  await expect(listItem(page, CLIENT.name)).toContainText(`${client.clientKey.slice(0, 11)}…`);

  await detail.getByRole("button", { name: "Copy client key" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(client.clientKey);
  await quietScreenshot(page, "api-clients-detail");

  await page.setViewportSize({ width: 390, height: 844 });
  await listItem(page, CLIENT.name).click();
  await expect(detail).toBeInViewport();
  await page.evaluate(() => window.scrollTo(0, 0));
  await quietScreenshot(page, "api-clients-detail-narrow");
  await page.getByRole("button", { name: "Register" }).click();
  await registerDialog(page).getByRole("button", { name: "Next" }).click();
  await expect(registerDialog(page).getByText("Enter a client name")).toBeVisible();
  await screenshot(page, "api-client-register-narrow");
  await page.keyboard.press("Escape");
});

test("the list searches by name or client key", async ({ page }) => {
  await open(page, "/api-clients", "API clients");
  const search = page.getByRole("searchbox", { name: "Search by name or key" });
  await search.fill("REPORTING");
  await expect(listItem(page, "Reporting export")).toBeVisible();
  await expect(listItem(page, CLIENT.name)).toHaveCount(0);
  await expect(page.getByText("1 match")).toBeVisible();
  // The random part of a key finds its client too.
  await search.fill(issuedClient(0).clientKey.slice(10, 20));
  await expect(listItem(page, CLIENT.name)).toBeVisible();
  await expect(listItem(page, "Reporting export")).toHaveCount(0);
  await search.fill("no such client");
  await expect(page.getByText("No name or client key contains")).toBeVisible();
  await screenshot(page, "api-clients-no-match");
  await page.getByRole("button", { name: "Clear search" }).click();
  await expect(search).toHaveValue("");
  await expect(listItem(page, "Reporting export")).toBeVisible();
  await expect(listItem(page, CLIENT.name)).toBeVisible();
  // These few clients fit on the first page: the list says so and offers no next one.
  await expect(page.getByText(/^\d+ API clients?$/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
});

test("a till that API clients act as cannot be deleted", async ({ page }) => {
  await open(page, "/settings", "Settings");
  const tills = page.getByRole("region", { name: "Tills" });
  await tills.getByRole("button", { name: `Delete till ${TILL.code}` }).click();
  const dialog = page.getByRole("alertdialog", { name: `Till ${TILL.code} is in use` });
  await expect(dialog).toContainText(
    `Till ${TILL.code} is used by 3 API clients; delete or re-register them first.`,
  );
  await expect(dialog.getByRole("button", { name: /Delete/ })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(tills.getByRole("row", { name: new RegExp(TILL.code) })).toBeVisible();
});

test("roll the secret with a grace period, cut it short, then revoke all tokens", async ({
  page,
  request,
}) => {
  const client = issuedClient(2);
  const oldPrefix = `${client.clientSecret.slice(0, 11)}…`;
  const tokenWith = async (secret: string) => {
    const response = await requestToken(request, client.clientKey, secret);
    return { status: response.status(), token: (await response.json()).access_token as string };
  };
  const isActive = async (token: string, secret: string) => {
    const response = await request.post("/oauth/introspect", {
      form: { token },
      headers: { Authorization: basicAuth(client.clientKey, secret) },
    });
    return ((await response.json()) as { active: boolean }).active;
  };
  const beforeRoll = await tokenWith(client.clientSecret);
  expect(beforeRoll.status).toBe(200);

  await open(page, "/api-clients", "API clients");
  await listItem(page, client.name).click();
  const detail = detailPane(page, client.name);
  await detail.getByRole("button", { name: "Roll secret" }).click();
  const rollDialog = page.getByRole("dialog", { name: "Roll the client secret" });
  await rollDialog.getByRole("radio", { name: "1 hour" }).check();
  await expect(rollDialog).toContainText("keep working for 1 hour");
  await quietScreenshot(page, "api-client-roll");
  await rollDialog.getByRole("button", { name: "Roll secret" }).click();

  // The same one-time screen as at registration, and when the old secret stops.
  const reveal = page.getByRole("dialog", { name: "New client secret" });
  await expect(credential(reveal, "Client key")).toHaveText(client.clientKey);
  const newSecret = (await credential(reveal, "Client secret").textContent()) ?? "";
  expect(newSecret).toMatch(/^adk_cs_[0-9A-Za-z]{49}$/);
  expect(newSecret).not.toBe(client.clientSecret);
  rolled.push({ name: client.name, clientSecret: newSecret });
  await expect(reveal).toContainText(`The old secret ${oldPrefix} keeps working until`);
  expect(await leaveWarningArmed(page)).toBe(true);
  await quietScreenshot(page, "api-client-roll-secret");
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();

  // The detail shows both secrets' prefixes and the grace period's end; both secrets work.
  await expect(detail).toContainText(`${newSecret.slice(0, 11)}…`);
  await expect(detail).toContainText(new RegExp(`Old secret\\s*${oldPrefix}`));
  await expect(detail).toContainText(/Still accepted until .* UTC \(in (1 hour|\d+ minutes)\)/);
  await quietScreenshot(page, "api-client-grace-period");
  expect((await tokenWith(client.clientSecret)).status).toBe(200);
  expect((await tokenWith(newSecret)).status).toBe(200);

  // Cut short: only the new secret from now on; tokens already issued live on, as before.
  await detail.getByRole("button", { name: "Expire old secret now" }).click();
  await page
    .getByRole("alertdialog", { name: "Expire the old secret now?" })
    .getByRole("button", { name: "Expire old secret" })
    .click();
  await expect(page.getByText("Old secret expired")).toBeVisible();
  await expect(detail).not.toContainText("Still accepted until");
  expect((await tokenWith(client.clientSecret)).status).toBe(401);
  const afterCut = await tokenWith(newSecret);
  expect(afterCut.status).toBe(200);
  expect(await isActive(beforeRoll.token, newSecret)).toBe(true);

  // Revoke all tokens: every one issued so far is refused; the next one works.
  await detail.getByRole("button", { name: "Revoke all tokens" }).click();
  const revoke = page.getByRole("alertdialog", { name: `Revoke all tokens of ${client.name}?` });
  await expect(revoke).toContainText("stops working at once, on every instance");
  await revoke.getByRole("button", { name: "Revoke all tokens" }).click();
  await expect(page.getByText("All tokens revoked")).toBeVisible();
  await expect(detail).toContainText(/Tokens revoked\s*\w{3} \d+, \d{4}/);
  expect(await isActive(beforeRoll.token, newSecret)).toBe(false);
  expect(await isActive(afterCut.token, newSecret)).toBe(false);
  expect(await isActive((await tokenWith(newSecret)).token, newSecret)).toBe(true);

  // At 375 px: another roll, leaving a week's grace period on the detail.
  await page.setViewportSize({ width: 375, height: 812 });
  await detail.getByRole("button", { name: "Roll secret" }).click();
  await rollDialog.getByRole("radio", { name: "7 days" }).check();
  await quietScreenshot(page, "api-client-roll-narrow");
  await rollDialog.getByRole("button", { name: "Roll secret" }).click();
  rolled.push({
    name: client.name,
    clientSecret: (await credential(reveal, "Client secret").textContent()) ?? "",
  });
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(detail).toContainText(/Still accepted until .* UTC \(next week\)/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await quietScreenshot(page, "api-client-grace-period-narrow");

  // The audit log is a table at desktop widths only.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/audit?action=api_client.secret_rolled");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(client.name);
  await page.goto("/audit?action=api_client.tokens_revoked");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(client.name);
});

test("the key and secret get a token from /oauth/token; deleting the client refuses it", async ({
  page,
  request,
}) => {
  const client = issuedClient(0);
  const other = issuedClient(1);
  const response = await requestToken(request, client.clientKey, client.clientSecret);
  expect(response.status(), "POST /oauth/token (404: the OAuth endpoints have not landed)").toBe(
    200,
  );
  const token = await response.json();
  expect(token).toMatchObject({ token_type: "Bearer", expires_in: 90 * 60 });
  expect(token.access_token).toMatch(/^adk_at_/);
  expect(token.scope.split(" ").sort()).toEqual(["all:read", "all:write", "transaction:read"]);

  // The token is good: introspection says active, and a Bearer route lets it through (to a 404
  // for an auth config that does not exist, rather than a 401).
  const introspect = (as: { clientKey: string; clientSecret: string }) =>
    request.post("/oauth/introspect", {
      form: { token: token.access_token },
      headers: { Authorization: basicAuth(as.clientKey, as.clientSecret) },
    });
  expect(await (await introspect(client)).json()).toMatchObject({
    active: true,
    client_id: client.clientKey,
  });
  const bearerCall = () =>
    request.post("/api/v1/auth-configs/no-such-config/token", {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
  expect((await bearerCall()).status()).toBe(404);

  // Delete, after a confirmation that says the tokens stop working.
  await open(page, "/api-clients", "API clients");
  await listItem(page, CLIENT.name).click();
  const detail = detailPane(page, CLIENT.name);
  await expect(detail).not.toContainText(/Last used\s*Never/);
  await detail.getByRole("button", { name: `Delete ${CLIENT.name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete ${CLIENT.name}?` });
  await expect(confirm).toContainText("its tokens stop working immediately");
  await quietScreenshot(page, "api-client-delete-dialog");
  await page.keyboard.press("Escape");
  await expect(confirm).toBeHidden();
  await detail.getByRole("button", { name: `Delete ${CLIENT.name}` }).click();
  await confirm.getByRole("button", { name: "Delete API client" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("API client deleted")).toBeVisible();
  await expect(listItem(page, CLIENT.name)).toHaveCount(0);
  await expect(page).toHaveURL(/\/api-clients$/);
  await page.reload();
  await expect(listItem(page, CLIENT.name)).toHaveCount(0);

  // Refused at once: the Bearer token, the credentials, and introspection by another client.
  const refused = await bearerCall();
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: "invalid_token" });
  const again = await requestToken(request, client.clientKey, client.clientSecret);
  expect(again.status()).toBe(401);
  expect(await again.json()).toMatchObject({ error: "invalid_client" });
  expect(await (await introspect(other)).json()).toEqual({ active: false });

  await page.goto("/audit?action=api_client.deleted");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(CLIENT.name);
});

test("clean up: delete the other clients, then the till is free to go", async ({ page }) => {
  await open(page, "/api-clients", "API clients");
  for (const { name } of issued.slice(1)) await deleteClient(page, name);
  await page.goto("/settings");
  await page.getByRole("button", { name: `Delete till ${TILL.code}` }).click();
  await page
    .getByRole("alertdialog", { name: `Delete till ${TILL.code}?` })
    .getByRole("button", { name: "Delete till" })
    .click();
  await expect(page.getByText("Till deleted")).toBeVisible();
});

test("each client secret appears in exactly one HTTP response: its registration's", async ({
  page,
}) => {
  // One more look around, so the record also holds fresh page loads and RSC payloads.
  await open(page, "/api-clients", "API clients");
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await page.goto("/audit?action=api_client.registered");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(CLIENT.name);

  expect(issued).toHaveLength(3);
  expect(rolled).toHaveLength(2);
  // The record covers every kind of response: page HTML, RSC payloads and action results.
  expect(recorded.some((entry) => entry.type.startsWith("text/html"))).toBe(true);
  expect(recorded.some((entry) => entry.type.startsWith("text/x-component"))).toBe(true);
  expect(recorded.filter((entry) => entry.action).length).toBeGreaterThanOrEqual(3);
  // A rolled secret travels once too, in the roll's action response.
  for (const { name, clientSecret } of [...issued, ...rolled]) {
    const carriers = recorded.filter((entry) => entry.body.includes(clientSecret));
    expect(
      carriers,
      `responses that contain the secret of ${name} (${clientSecret.slice(0, 11)}…)`,
    ).toHaveLength(1);
    expect(carriers[0]).toMatchObject({ method: "POST", action: true });
    expect(new URL(carriers[0]?.url ?? "").pathname).toBe("/api-clients");
    for (const encoded of [
      Buffer.from(clientSecret).toString("base64"),
      Buffer.from(clientSecret).toString("base64url"),
    ]) {
      expect(recorded.some((entry) => entry.body.includes(encoded))).toBe(false);
    }
  }
});
