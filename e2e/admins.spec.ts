import { ADMIN, expect, screenshot, signIn, test } from "./fixtures";
import { acceptInvitation, inviteAdmin } from "./support/admins";
import { openSignedIn } from "./support/api-clients";

const PASSWORD = "a long invitee passphrase";
const unique = () => Date.now().toString(36);

const teamTable = (page: import("@playwright/test").Page) =>
  page.getByRole("table", { name: "Admins" });
const teamRow = (page: import("@playwright/test").Page, email: string) =>
  teamTable(page).getByRole("row").filter({ hasText: email });

test("an owner invites an admin, who joins from another browser and signs in again", async ({
  page,
  browser,
}) => {
  const email = `grace-${unique()}@example.com`;
  await openSignedIn(page, "/admins", "Admins");
  await expect(teamRow(page, ADMIN.email)).toContainText("You");
  await expect(teamRow(page, ADMIN.email)).toContainText("Owner");

  // The invite dialog explains each role, then shows the link once.
  await page.getByRole("button", { name: "Invite admin" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite admin" });
  await expect(dialog.getByText("Reads everything, changes nothing")).toBeVisible();
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("radio", { name: "Admin", exact: true }).check();
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const reveal = page.getByRole("dialog", { name: "Invitation created" });
  await expect(reveal.getByText("You won't see it again")).toBeVisible();
  const link = (await reveal.getByRole("group", { name: "Invitation link" }).textContent()) ?? "";
  const href = link.match(/http\S+\/invite\/[A-Za-z0-9_-]{43}/)?.[0];
  expect(href, "the reveal shows an absolute /invite/<token> link").toBeTruthy();
  await screenshot(page, "admins-invite-reveal", { fullPage: false });
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  const pending = page.getByRole("table", { name: "Pending invitations" });
  await expect(pending.getByRole("row").filter({ hasText: email })).toContainText("Admin");
  await screenshot(page, "admins-page");

  // The invitee, in a browser of their own, sets a password and is signed in.
  const invitee = await acceptInvitation(browser, href as string, PASSWORD);
  await expect(invitee.page.getByText(email).first()).toBeVisible();
  // Signing out and in again with the chosen password proves it was stored.
  await invitee.page.getByRole("button", { name: "Sign out" }).click();
  await expect(invitee.page).toHaveURL(/\/login$/);
  await signIn(invitee.page, { email, password: PASSWORD });
  await expect(invitee.page).toHaveURL(/\/auth-configs$/);

  // The link worked once.
  const again = await browser.newContext();
  const againPage = await again.newPage();
  await againPage.goto(href as string);
  await expect(
    againPage.getByRole("heading", { name: "This invitation was already used" }),
  ).toBeVisible();
  await again.close();

  await page.reload();
  await expect(teamRow(page, email)).toContainText("Admin");
  await expect(pending).toHaveCount(0);
  await invitee.context.close();
  await removeFromTeam(page, email);
});

test("an owner changes a role and removes an admin, whose open page is then signed out", async ({
  page,
  browser,
}) => {
  const email = `linus-${unique()}@example.com`;
  await openSignedIn(page, "/admins", "Admins");
  const link = await inviteAdmin(page, { email, role: "Viewer" });
  const invitee = await acceptInvitation(browser, link, PASSWORD);

  // A Viewer sees the team but no button that changes it.
  await invitee.page.goto("/admins");
  await expect(teamRow(invitee.page, email)).toContainText("Viewer");
  await expect(invitee.page.getByRole("button", { name: "Invite admin" })).toHaveCount(0);
  await expect(invitee.page.getByRole("button", { name: /^Actions for/ })).toHaveCount(0);

  await page.reload();
  await page.getByRole("button", { name: `Actions for ${email}` }).click();
  await page.getByRole("menuitem", { name: "Change role" }).click();
  const roleDialog = page.getByRole("dialog", { name: "Change role" });
  await roleDialog.getByRole("radio", { name: "Admin", exact: true }).check();
  await roleDialog.getByRole("button", { name: "Change role" }).click();
  await expect(roleDialog).toBeHidden();
  await expect(teamRow(page, email)).toContainText("Admin");
  // The invitee's next request sees the new role.
  await invitee.page.reload();
  await expect(teamRow(invitee.page, email)).toContainText("Admin");

  await removeFromTeam(page, email);
  await expect(teamRow(page, email)).toHaveCount(0);
  // Removal ended their session: the next navigation goes to sign-in.
  await invitee.page.goto("/auth-configs");
  await expect(invitee.page).toHaveURL(/\/login/);
  await invitee.context.close();
});

test("the last owner can be neither demoted nor removed, nor remove themselves", async ({
  page,
}) => {
  await openSignedIn(page, "/admins", "Admins");
  await page.getByRole("button", { name: `Actions for ${ADMIN.email}` }).click();
  await page.getByRole("menuitem", { name: "Change role" }).click();
  const roleDialog = page.getByRole("dialog", { name: "Change role" });
  await roleDialog.getByRole("radio", { name: "Viewer", exact: true }).check();
  await roleDialog.getByRole("button", { name: "Change role" }).click();
  await expect(roleDialog.getByRole("alert")).toContainText("last owner");
  await roleDialog.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("button", { name: `Actions for ${ADMIN.email}` }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  const removeDialog = page.getByRole("alertdialog", { name: "Remove admin?" });
  await expect(removeDialog).toContainText("You cannot remove yourself");
  await expect(removeDialog.getByRole("button", { name: "Remove admin" })).toBeDisabled();
  await removeDialog.getByRole("button", { name: "Cancel" }).click();
  await expect(teamRow(page, ADMIN.email)).toContainText("Owner");
});

test("dead invitation links get a page that says what to do, and revoking kills a link", async ({
  page,
}) => {
  const response = await page.goto("/invite/not-a-real-token");
  expect(response?.status()).toBe(200);
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  expect(response?.headers()["cache-control"]).toContain("no-store");
  await expect(
    page.getByRole("heading", { name: "This invitation link does not work" }),
  ).toBeVisible();
  await expect(page.getByText("Ask the owner who invited you for a new invitation")).toBeVisible();

  const email = `revoked-${unique()}@example.com`;
  await openSignedIn(page, "/admins", "Admins");
  const link = await inviteAdmin(page, { email, role: "Admin" });
  const pending = page.getByRole("table", { name: "Pending invitations" });
  await pending.getByRole("button", { name: `Revoke the invitation of ${email}` }).click();
  await expect(pending).toHaveCount(0);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This invitation was withdrawn" })).toBeVisible();
});

test("the admins page and the invite reveal fit a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const email = `phone-${unique()}@example.com`;
  await openSignedIn(page, "/admins", "Admins");
  await page.getByRole("button", { name: "Invite admin" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite admin" });
  await screenshot(page, "admins-invite-form-phone", { fullPage: false });
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Create invitation" }).click();
  const reveal = page.getByRole("dialog", { name: "Invitation created" });
  await expect(reveal.getByRole("button", { name: "Copy invitation link" })).toBeVisible();
  await screenshot(page, "admins-invite-reveal-phone", { fullPage: false });
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  await screenshot(page, "admins-page-phone");
  // Leave no pending invitation behind for the specs after this one.
  const pending = page.getByRole("table", { name: "Pending invitations" });
  await pending.getByRole("button", { name: `Revoke the invitation of ${email}` }).click();
  await expect(pending).toHaveCount(0);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(390);
});

async function removeFromTeam(page: import("@playwright/test").Page, email: string) {
  await page.getByRole("button", { name: `Actions for ${email}` }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Remove admin?" });
  await dialog.getByRole("button", { name: "Remove admin" }).click();
  await expect(dialog).toBeHidden();
  await expect(teamRow(page, email)).toHaveCount(0);
}
