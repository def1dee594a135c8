import type { Page } from "@playwright/test";
import { expect, screenshot, signIn, test } from "./fixtures";
import { permissionRow } from "./support/api-clients";

/*
 * Organisation settings end to end: the Basic-auth switch, tills and API groups. The tests build
 * on each other (the group test registers a client for the till the till test adds), so they run
 * in order and stop at the first failure.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const TILL = { code: "hq-01", name: "Head office", password: "till-password-0001" };
const GROUP = { name: "Loyalty Points (v2)", slug: "loyalty-points-v2" };

/** Screenshots without toasts on top of what they are meant to show. */
async function quietScreenshot(page: Page, name: string): Promise<void> {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, name);
}

async function openSettings(page: Page): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent("/settings")}`);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
}

const basicAuth = (page: Page) => page.getByRole("group", { name: "Enable Basic Authentication" });
const tillsCard = (page: Page) => page.getByRole("region", { name: "Tills" });
const groupsCard = (page: Page) => page.getByRole("region", { name: "API groups" });

test("Enable Basic Authentication: saved at once, kept across reloads, audited", async ({
  page,
}) => {
  await openSettings(page);
  // The seed's default is Yes.
  await expect(basicAuth(page).getByRole("radio", { name: "Yes" })).toBeChecked();
  await quietScreenshot(page, "settings");

  await basicAuth(page).getByRole("radio", { name: "No" }).check();
  await expect(page.getByText("Basic authentication disabled")).toBeVisible();
  await expect(page.getByRole("region", { name: "Basic authentication" })).toContainText(
    "get 401 Unauthorized",
  );
  await page.reload();
  await expect(basicAuth(page).getByRole("radio", { name: "No" })).toBeChecked();

  // Keyboard: arrow keys move between the radios, and that saves too.
  await basicAuth(page).getByRole("radio", { name: "No" }).focus();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByText("Basic authentication enabled")).toBeVisible();
  await page.reload();
  await expect(basicAuth(page).getByRole("radio", { name: "Yes" })).toBeChecked();

  await page.goto("/audit?action=settings.basic_auth_changed");
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table).toContainText("enabled: false");
  await expect(table).toContainText("enabled: true");
});

test("tills: field errors, add, a duplicate code refused beside the field, delete", async ({
  page,
}) => {
  await openSettings(page);
  await tillsCard(page).getByRole("button", { name: "Add till" }).click();
  const dialog = page.getByRole("dialog", { name: "Add till" });
  await expect(dialog.getByLabel("Password")).toHaveAttribute("type", "password");
  await expect(dialog).toContainText("At least 12 characters");

  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(dialog.getByText("Enter a till code")).toBeVisible();
  await expect(dialog.getByText("Enter a name")).toBeVisible();
  await expect(dialog.getByText("Use at least 12 characters")).toBeVisible();
  await expect(dialog.getByLabel("Code")).toBeFocused();

  await dialog.getByLabel("Code").fill("hq 01");
  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(
    dialog.getByText("Use only letters, digits, dots, underscores and hyphens"),
  ).toBeVisible();

  await dialog.getByLabel("Code").fill(TILL.code);
  await dialog.getByLabel("Name").fill(TILL.name);
  await dialog.getByLabel("Password").fill(TILL.password);
  // What Basic requests as the till may do: the API client form's matrix, None by default.
  const matrix = dialog.getByRole("group", { name: "Access Permission" });
  for (const group of ["Target Groups", "Transaction", "Integrations", "All (other APIs)"]) {
    await expect(permissionRow(matrix, group).getByRole("radio", { name: "None" })).toBeChecked();
  }
  await expect(matrix).toContainText("Basic requests as this till would reach no API");
  await permissionRow(matrix, "Transaction").getByRole("radio", { name: "View only" }).check();
  await permissionRow(matrix, "All (other APIs)").getByRole("radio", { name: "Modify" }).check();
  await expect(matrix).toContainText("will carry all:read all:write transaction:read");
  await screenshot(page, "settings-add-till");
  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Till added")).toBeVisible();
  const row = tillsCard(page).getByRole("row", { name: new RegExp(TILL.code) });
  await expect(row).toContainText(TILL.name);
  await expect(row.getByRole("list", { name: "Scopes" })).toHaveText(
    "all:readall:writetransaction:read",
  );
  await expect(row.getByRole("cell").nth(3)).toHaveText("0");

  // The same code in another case: the server's unique index answers, beside the field.
  await tillsCard(page).getByRole("button", { name: "Add till" }).click();
  await dialog.getByLabel("Code").fill(TILL.code.toUpperCase());
  await dialog.getByLabel("Name").fill("Another office");
  await dialog.getByLabel("Password").fill("another-password-01");
  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(dialog.getByText("A till with this code already exists")).toBeVisible();
  await expect(dialog.getByLabel("Code")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "settings-till-duplicate");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  // A till nobody uses is deleted after a confirmation.
  await tillsCard(page).getByRole("button", { name: "Add till" }).click();
  await dialog.getByLabel("Code").fill("kiosk-7");
  await dialog.getByLabel("Name").fill("Pop-up kiosk");
  await dialog.getByLabel("Password").fill("kiosk-password-07");
  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(dialog).toBeHidden();
  // The card searches the server's tills by part of the code or name.
  const tillSearch = tillsCard(page).getByRole("searchbox", { name: "Search by code or name" });
  await tillSearch.fill("pop-up");
  await expect(tillsCard(page).getByRole("row", { name: new RegExp(TILL.code) })).toHaveCount(0);
  await expect(tillsCard(page).getByRole("row", { name: /kiosk-7/ })).toBeVisible();
  await screenshot(page, "settings-till-search");
  await tillSearch.fill("");
  await expect(tillsCard(page).getByRole("row", { name: new RegExp(TILL.code) })).toBeVisible();
  await tillsCard(page).getByRole("button", { name: "Delete till kiosk-7" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete till kiosk-7?" });
  await expect(confirm).toContainText("This cannot be undone");
  await confirm.getByRole("button", { name: "Delete till" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("Till deleted")).toBeVisible();
  await expect(tillsCard(page).getByRole("row", { name: /kiosk-7/ })).toHaveCount(0);

  await page.reload();
  await expect(tillsCard(page).getByRole("row", { name: new RegExp(TILL.code) })).toBeVisible();
  await page.goto("/audit?action=till.created");
  const audit = page.getByRole("table", { name: "Audit events" });
  await expect(audit).toContainText(`code: ${TILL.code}`);
  await expect(audit).not.toContainText(TILL.password);
});

test("API groups: built-ins kept, a custom group added and deleted with its client count", async ({
  page,
}) => {
  await openSettings(page);
  const groups = groupsCard(page);
  for (const name of ["Target Groups", "Transaction", "Integrations", "All (other APIs)"]) {
    const row = groups.getByRole("row", { name: new RegExp(`^${name.replace(/[()]/g, "\\$&")}`) });
    await expect(row).toContainText("Built-in");
    // Built-in groups cannot be deleted: no trash button.
    await expect(row.getByRole("button")).toHaveCount(0);
  }
  await expect(groups.getByRole("row", { name: /^Integrations/ })).toContainText("INTEGRATION_API");
  await expect(groups.getByRole("row", { name: /^Transaction/ })).toContainText(
    "transaction:readtransaction:write",
  );

  // The slug is suggested from the name, and names the scopes.
  await groups.getByRole("button", { name: "Add group" }).click();
  const dialog = page.getByRole("dialog", { name: "Add API group" });
  await dialog.getByLabel("Name").fill(GROUP.name);
  await expect(dialog.getByLabel("Slug")).toHaveValue(GROUP.slug);
  await expect(dialog).toContainText(`Grants ${GROUP.slug}:read and ${GROUP.slug}:write.`);
  // A slug taken by a built-in group is refused by the server, beside the field.
  await dialog.getByLabel("Slug").fill("transaction");
  await dialog.getByRole("button", { name: "Add group" }).click();
  await expect(dialog.getByText("An API group with this slug already exists")).toBeVisible();
  await dialog.getByLabel("Slug").fill(GROUP.slug);
  await dialog.getByRole("button", { name: "Add group" }).click();
  await expect(dialog).toBeHidden();
  const row = groups.getByRole("row", {
    name: new RegExp(`^${GROUP.name.replace(/[()]/g, "\\$&")}`),
  });
  await expect(row).toContainText(`${GROUP.slug}:read`);
  await expect(row).not.toContainText("Built-in");

  // A client with View only on the new group, so its deletion takes something away.
  await page.goto("/api-clients");
  await page.getByRole("button", { name: "Register" }).click();
  const register = page.getByRole("dialog", { name: "Register an API client" });
  await register.getByLabel("Client name").fill("Loyalty sync");
  await register
    .getByRole("group", { name: GROUP.name })
    .getByRole("radio", { name: "View only" })
    .check();
  await register
    .getByLabel("Select your organization till")
    .selectOption({ label: `${TILL.code} · ${TILL.name}` });
  await register.getByRole("button", { name: "Next" }).click();
  const reveal = page.getByRole("dialog", { name: "API client registered" });
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();

  await page.goto("/settings");
  await expect(row.getByRole("cell").nth(3)).toHaveText("1");
  await row.getByRole("button", { name: `Delete group ${GROUP.name}` }).click();
  const confirm = page.getByRole("alertdialog", { name: `Delete ${GROUP.name}?` });
  await expect(confirm).toContainText("1 API client loses access.");
  await expect(confirm).toContainText(
    `Their access tokens lose ${GROUP.slug}:read and ${GROUP.slug}:write at once.`,
  );
  await quietScreenshot(page, "settings-group-delete");
  await confirm.getByRole("button", { name: "Delete group" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("API group deleted")).toBeVisible();
  await expect(row).toHaveCount(0);

  // The client lost the permission with the group.
  await page.goto("/api-clients");
  await page.getByRole("link", { name: /^Loyalty sync/ }).click();
  const detail = page.getByRole("region", { name: "Loyalty sync", exact: true });
  await expect(detail).toContainText("None on every API group");

  // Leave no client behind: it holds the till.
  await detail.getByRole("button", { name: "Delete Loyalty sync" }).click();
  await page
    .getByRole("alertdialog", { name: "Delete Loyalty sync?" })
    .getByRole("button", { name: "Delete API client" })
    .click();
  await expect(page.getByText("API client deleted")).toBeVisible();

  await page.goto("/audit?action=api_group.deleted");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(
    "affectedClients: 1",
  );
});

test("settings at 390px", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openSettings(page);
  await expect(basicAuth(page).getByRole("radio", { name: "Yes" })).toBeChecked();
  await quietScreenshot(page, "settings-narrow");
});
