import type { Browser, Page } from "@playwright/test";
import { ADMIN, expect, screenshot, signIn, test } from "./fixtures";

/*
 * Your account end to end: the session list with "Sign out" per session and "Sign out
 * everywhere", and changing the password. A second browser (its own context, so its own cookie)
 * plays the admin's other device; it names itself with another user agent so its row is found.
 * Every other spec signs in as ADMIN, so the password test puts ADMIN's password back.
 */
// Each test signs in a few times (scrypt at full cost on the server): slow on a busy machine.
test.describe.configure({ mode: "serial", timeout: 240_000 });
test.use({ viewport: { width: 1280, height: 800 } });

const PHONE_AGENT =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const LAPTOP_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const TEMPORARY_PASSWORD = "a temporary passphrase for the e2e run";
/** Set while ADMIN's password is TEMPORARY_PASSWORD, so that afterAll can put it back. */
let passwordChanged = false;

async function restoreAdminPassword(browser: Browser): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openAccount(page, TEMPORARY_PASSWORD);
  await changePassword(page, TEMPORARY_PASSWORD, ADMIN.password);
  await expect(page.getByText("Password changed")).toBeVisible();
  passwordChanged = false;
  await context.close();
}

// With its own timeout, so it runs even when the test that changed the password timed out.
test.afterAll(async ({ browser }) => {
  if (passwordChanged) await restoreAdminPassword(browser);
});

async function openAccount(page: Page, password = ADMIN.password): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent("/account")}`);
  await signIn(page, { email: ADMIN.email, password });
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
}

/** Another device of the same admin: a browser context of its own, signed in. */
async function otherDevice(browser: Browser, userAgent: string): Promise<Page> {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  return page;
}

const sessionsCard = (page: Page) => page.getByRole("region", { name: "Sessions" });
const passwordCard = (page: Page) => page.getByRole("region", { name: "Password" });

async function quietScreenshot(page: Page, name: string): Promise<void> {
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 10_000 });
  await screenshot(page, name);
}

async function changePassword(page: Page, current: string, next: string): Promise<void> {
  const card = passwordCard(page);
  await card.getByLabel("Current password").fill(current);
  await card.getByLabel("New password", { exact: true }).fill(next);
  await card.getByLabel("Confirm new password").fill(next);
  await card.getByRole("button", { name: "Change password" }).click();
}

test("lists this admin's sessions and signs out another one from the list", async ({
  page,
  browser,
}) => {
  const phone = await otherDevice(browser, PHONE_AGENT);
  await openAccount(page);
  const card = sessionsCard(page);
  const here = card.getByRole("listitem", { name: "Chrome on Windows, this session" });
  await expect(here).toContainText("This session");
  await expect(here).toContainText("Active now");
  await expect(here.getByRole("button", { name: /Sign out/ })).toHaveCount(0);
  const phoneRow = card.getByRole("listitem", { name: "Safari on iOS" });
  await expect(phoneRow).toContainText("127.0.0.1");
  await expect(phoneRow).toContainText(/Last seen (just now|\d+ minutes? ago)/);
  await quietScreenshot(page, "account");

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(phoneRow.getByRole("button", { name: "Sign out Safari on iOS" })).toBeVisible();
  await quietScreenshot(page, "account-narrow");
  // Nothing sticks out past the right edge (the elements that would are named in the failure).
  const sticking = await page.evaluate(() =>
    [...document.querySelectorAll("main *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .map((element) => `${element.tagName} ${element.textContent?.slice(0, 40)}`),
  );
  expect(sticking).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Cancel changes nothing; confirming ends that session at once.
  await phoneRow.getByRole("button", { name: "Sign out Safari on iOS" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Sign out Safari on iOS?" });
  await expect(dialog).toContainText("ends at once");
  await screenshot(page, "account-sign-out-session", { fullPage: false });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(phoneRow).toBeVisible();
  await phoneRow.getByRole("button", { name: "Sign out Safari on iOS" }).click();
  await dialog.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("Session signed out")).toBeVisible();
  await expect(phoneRow).toHaveCount(0);
  await expect(here).toBeVisible();

  await phone.goto("/settings");
  await expect(phone).toHaveURL(/\/login\?next=%2Fsettings$/);
  await phone.context().close();
});

test("changing the password checks the current one and signs out the other sessions", async ({
  page,
  browser,
}) => {
  const laptop = await otherDevice(browser, LAPTOP_AGENT);
  await openAccount(page);
  await expect(
    sessionsCard(page).getByRole("listitem", { name: "Firefox on Linux" }),
  ).toBeVisible();
  const card = passwordCard(page);

  // Plain mistakes are caught before sending; a wrong current password by the server.
  await changePassword(page, ADMIN.password, "short");
  await expect(card.getByText("Use at least 12 characters")).toBeVisible();
  await expect(card.getByLabel("New password", { exact: true })).toBeFocused();
  await changePassword(page, "not my password", TEMPORARY_PASSWORD);
  await expect(card.getByText("Incorrect password")).toBeVisible();
  await expect(card.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "account-password-errors");

  await changePassword(page, ADMIN.password, TEMPORARY_PASSWORD);
  await expect(page.getByText("Password changed")).toBeVisible();
  passwordChanged = true;
  await expect(page.getByText(/Your other sessions? (was|were) signed out/)).toBeVisible();
  await expect(card.getByLabel("Current password")).toHaveValue("");
  // Only this session is left, and it still works.
  await expect(sessionsCard(page).getByRole("listitem")).toHaveCount(1);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

  await laptop.goto("/account");
  await expect(laptop).toHaveURL(/\/login\?next=%2Faccount$/);
  await signIn(laptop, { email: ADMIN.email, password: ADMIN.password });
  await expect(laptop.locator("form").getByRole("alert")).toHaveText(
    "Incorrect email or password.",
  );
  await signIn(laptop, { email: ADMIN.email, password: TEMPORARY_PASSWORD });
  await expect(laptop).toHaveURL(/\/account$/);
  await laptop.context().close();

  await page.goto("/audit?action=admin.password_changed");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText(
    "otherSessionsEnded",
  );
  // The other specs sign in with ADMIN's password: put it back, from a fresh sign-in.
  await restoreAdminPassword(browser);
});

test("sign out everywhere ends this browser's session and every other one", async ({
  page,
  browser,
}) => {
  const laptop = await otherDevice(browser, LAPTOP_AGENT);
  await openAccount(page);
  await sessionsCard(page).getByRole("button", { name: "Sign out everywhere" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Sign out everywhere?" });
  await expect(dialog).toContainText("including this browser");
  await screenshot(page, "account-sign-out-everywhere", { fullPage: false });
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await laptop.goto("/settings");
  await expect(laptop).toHaveURL(/\/login\?next=%2Fsettings$/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await laptop.context().close();

  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.goto("/audit?action=admin.signed_out_everywhere");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText("sessionsEnded");
});
