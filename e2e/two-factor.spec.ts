import type { Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { ADMIN, expect, screenshot, signIn, test } from "./fixtures";
import { acceptInvitation, inviteAdmin } from "./support/admins";

/*
 * Two-factor sign-in end to end, as an admin of its own: every other spec signs in as ADMIN
 * with its password alone, so ADMIN's sign-in must stay as it is. The admin is invited by ADMIN,
 * and removed again at the end.
 */

const TOTP_ADMIN = { email: "totp-e2e@example.com", password: "a long two-factor passphrase" };

/** What an authenticator app shows `offset` 30-second steps from now. */
function codeFor(secret: string, offset = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    timestamp: Date.now() + offset * 30_000,
  });
}

async function signInWithPassword(page: Page): Promise<void> {
  await page.goto("/login");
  await signIn(page, TOTP_ADMIN);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await expect(page.getByRole("heading", { name: "Two-factor sign-in" })).toBeVisible();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test("an admin turns on TOTP, then signs in with a code and with a recovery code (once)", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  const link = await inviteAdmin(page, { email: TOTP_ADMIN.email, role: "Admin" });
  const { context, page: own } = await acceptInvitation(browser, link, TOTP_ADMIN.password);
  try {
    // Off at first; "Set up" leads to the set-up page.
    await own.goto("/account");
    const card = own.getByRole("region", { name: "Two-factor sign-in" });
    await expect(card.getByText("Off: your password alone signs you in.")).toBeVisible();
    await card.getByRole("link", { name: "Set up" }).click();
    await expect(own).toHaveURL(/\/account\/two-factor$/);
    await expect(own.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
    await expect(own.getByRole("img", { name: /QR code to add Authdesk/ })).toBeVisible();
    await own.setViewportSize({ width: 1280, height: 900 });
    await screenshot(own, "two-factor-setup-qr");
    await own.setViewportSize({ width: 390, height: 844 });
    await screenshot(own, "two-factor-setup-qr-phone");
    await own.setViewportSize({ width: 1280, height: 900 });

    // The app's side: the secret as typed from the page's setup key.
    const secret = ((await own.getByTestId("setup-key").textContent()) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await own
      .getByLabel("Code from the app")
      .fill("000000" === codeFor(secret) ? "111111" : "000000");
    // Turning it on asks for the password too: a borrowed session cannot enrol its own app.
    await own.getByLabel("Your password").fill(TOTP_ADMIN.password);
    await own.getByRole("button", { name: "Turn on two-factor" }).click();
    await expect(own.getByText("That code does not match.")).toBeVisible();
    await own.getByLabel("Code from the app").fill(codeFor(secret));
    await own.getByRole("button", { name: "Turn on two-factor" }).click();

    await expect(own.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
    const codes = await own
      .getByRole("list", { name: "Recovery codes" })
      .getByRole("listitem")
      .allTextContents();
    expect(codes).toHaveLength(10);
    await screenshot(own, "two-factor-setup-codes");
    await own.setViewportSize({ width: 390, height: 844 });
    await screenshot(own, "two-factor-setup-codes-phone");
    await own.setViewportSize({ width: 1280, height: 900 });
    await own.getByRole("button", { name: "I have saved these" }).click();
    await expect(own).toHaveURL(/\/account$/);
    await expect(card.getByText("Recovery codes left")).toBeVisible();
    await expect(card.getByText("10 of 10")).toBeVisible();
    await screenshot(own, "two-factor-account-card");

    // The password alone gives no session: the console sends the browser back to sign in.
    await signOut(own);
    await signInWithPassword(own);
    await own.goto("/auth-configs");
    await expect(own).toHaveURL(/\/login\?next=%2Fauth-configs$/);
    await signInWithPassword(own);
    await screenshot(own, "two-factor-sign-in");
    await own.setViewportSize({ width: 390, height: 844 });
    await screenshot(own, "two-factor-sign-in-phone");
    await own.setViewportSize({ width: 1280, height: 900 });
    // The enrolment used this step's code, and a used code is refused: the next step's code is
    // inside the ±1 window, as an app's code is a moment after it changes.
    await own.getByLabel("Authentication code").fill(codeFor(secret, 1));
    await own.getByRole("button", { name: "Verify and sign in" }).click();
    await expect(own).toHaveURL(/\/auth-configs$/);

    // A recovery code instead of the app signs in once.
    await signOut(own);
    await signInWithPassword(own);
    await own.getByRole("button", { name: "Use a recovery code" }).click();
    await own.getByLabel("Recovery code").fill(codes[0] as string);
    await own.getByRole("button", { name: "Verify and sign in" }).click();
    await expect(own).toHaveURL(/\/auth-configs$/);
    await own.goto("/account");
    await expect(card.getByText("9 of 10")).toBeVisible();

    await signOut(own);
    await signInWithPassword(own);
    await own.getByRole("button", { name: "Use a recovery code" }).click();
    await own.getByLabel("Recovery code").fill(codes[0] as string);
    await own.getByRole("button", { name: "Verify and sign in" }).click();
    await expect(own.getByText("That recovery code is not right (4 tries left).")).toBeVisible();
    await expect(own).toHaveURL(/\/login\/two-factor$/);
  } finally {
    await context.close();
    await removeTotpAdmin(page);
  }
});

test("the owner's Settings card asks for the owner's own two-factor first", async ({ page }) => {
  await page.goto("/login");
  await signIn(page, ADMIN);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.goto("/settings");
  const card = page.getByRole("region", { name: "Two-factor sign-in" });
  await expect(card.getByText("Require two-factor sign-in for every admin")).toBeVisible();
  await expect(
    card.getByRole("link", { name: /set up two-factor sign-in for your own account/ }),
  ).toBeVisible();
  await expect(card.getByRole("radio", { name: "No" })).toBeChecked();
  // Refused by the server, said in a toast, and the switch stays off.
  await card.getByRole("radio", { name: "Yes" }).click();
  await expect(
    page.getByText(/Set up two-factor sign-in for your own account first/),
  ).toBeVisible();
  await expect(card.getByRole("radio", { name: "No" })).toBeChecked();
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, "two-factor-settings-card", { fullPage: false });
});

async function removeTotpAdmin(page: Page): Promise<void> {
  await page.goto("/admins");
  await page.getByRole("button", { name: `Actions for ${TOTP_ADMIN.email}` }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Remove admin?" });
  await dialog.getByRole("button", { name: "Remove admin" }).click();
  await expect(dialog).toBeHidden();
}
