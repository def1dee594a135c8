import { ADMIN, expect, screenshot, test } from "./fixtures";

test("first-run setup creates the first admin and then closes", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome to Authdesk" })).toBeVisible();

  // Field errors come from the shared zod schema before anything is sent.
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm password").fill("different");
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 12 characters")).toBeVisible();
  await expect(page.getByText("The passwords do not match")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "setup-errors");

  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();

  await expect(page).toHaveURL(/\/auth-configs$/);
  await expect(page.getByText(ADMIN.email).first()).toBeVisible();
  await screenshot(page, "console-after-setup");

  // Once an admin exists, set-up is closed.
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Setup is complete" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveCount(0);
});
