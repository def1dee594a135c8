import type { Browser, BrowserContext, Locator, Page } from "@playwright/test";
import { expect } from "../fixtures";

/**
 * Invitations from the Admins page, for every spec that needs a second admin (a Viewer to be
 * refused, an admin to sign out elsewhere): admins.spec.ts tests these screens in detail.
 */

export type InvitedRole = "Owner" | "Admin" | "Viewer";

export const inviteDialog = (page: Page): Locator =>
  page.getByRole("dialog", { name: /^(Invite admin|Invitation created)$/ });

/**
 * Invites `email` with `role` from the Admins page as the signed-in owner on `ownerPage`, and
 * returns the link the one-time screen showed (after closing it with Done). Leaves the page on
 * /admins.
 */
export async function inviteAdmin(
  ownerPage: Page,
  invitee: { email: string; role: InvitedRole },
): Promise<string> {
  if (!new URL(ownerPage.url()).pathname.startsWith("/admins")) await ownerPage.goto("/admins");
  await ownerPage.getByRole("button", { name: "Invite admin" }).click();
  const dialog = ownerPage.getByRole("dialog", { name: "Invite admin" });
  await dialog.getByLabel("Email").fill(invitee.email);
  await dialog.getByRole("radio", { name: invitee.role, exact: true }).check();
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const reveal = ownerPage.getByRole("dialog", { name: "Invitation created" });
  const link = (
    await reveal.getByRole("group", { name: "Invitation link" }).locator("code").textContent()
  )?.trim();
  if (!link) throw new Error("The invitation link was not shown");
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  return link;
}

/**
 * Opens `link` in a fresh browser context (no cookies: another person's browser), sets
 * `password` and lands signed in on the console. Close the context when done.
 */
export async function acceptInvitation(
  browser: Browser,
  link: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: new URL(link).origin });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account and sign in" }).click();
  await expect(page).toHaveURL(/\/auth-configs$/);
  return { context, page };
}
