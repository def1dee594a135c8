import { ADMIN, expect, screenshot, signIn, test } from "./fixtures";

test("a signed-out visit to a console page lands on sign-in and returns after it", async ({
  page,
}) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
  await expect(page.getByRole("heading", { name: "Sign in to Authdesk" })).toBeVisible();
  await screenshot(page, "sign-in");

  await signIn(page);
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});

test("a repeated next parameter is ignored, not a server error", async ({ page }) => {
  for (const path of ["/login", "/login/two-factor"]) {
    const answer = await page.goto(`${path}?next=/audit&next=/settings`);
    expect(answer?.status(), path).toBeLessThan(500);
  }
  await expect(page.getByRole("heading", { name: "Sign in to Authdesk" })).toBeVisible();
});

test("a wrong password shows an error and keeps the email", async ({ page }) => {
  await page.goto("/login");
  await signIn(page, { email: ADMIN.email, password: "not the password" });
  await expect(page.locator("form").getByRole("alert")).toHaveText("Incorrect email or password.");
  await expect(page.getByLabel("Email")).toHaveValue(ADMIN.email);
  await expect(page).toHaveURL(/\/login/);
  await screenshot(page, "sign-in-wrong-password");
});

test("the audit log shows sign-ins, newest first, and filters by action", async ({ page }) => {
  await page.goto("/login");
  await signIn(page);
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);

  const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
  await expect(rows.nth(1)).toContainText("admin.signed_in");
  await expect(rows.nth(1)).toContainText(ADMIN.email);
  await expect(page.getByRole("table")).toContainText("admin.sign_in_failed");
  // Older events may be on later pages by now; the filter lists every action recorded.
  await expect(
    page.getByLabel("Action").locator("option", { hasText: "admin.created" }),
  ).toHaveCount(1);
  await screenshot(page, "audit-log");

  await page.getByLabel("Action").selectOption("admin.sign_in_failed");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=admin.sign_in_failed/);
  await expect(page.getByRole("table")).not.toContainText("admin.signed_in");
  await expect(rows.nth(1)).toContainText("wrong_password");
});

test("sign-out ends the session", async ({ page }) => {
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings$/);
});

test("the console works in a narrow window", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.getByRole("button", { name: "Open navigation" }).click();
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  // Stacked events instead of a table that scrolls sideways.
  await expect(page.getByRole("table", { name: "Audit events" })).toBeHidden();
  const events = page.getByRole("list", { name: "Audit events" });
  await expect(events.getByRole("listitem").first()).toContainText("admin.signed_in");
  await expect(events.getByRole("listitem").first()).toContainText(ADMIN.email);
  await screenshot(page, "audit-log-narrow");
  // Nothing sticks out past the right edge (the elements that would are named in the failure).
  const sticking = await page.evaluate(() =>
    [...document.querySelectorAll("main *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .map((element) => `${element.tagName} ${element.textContent?.slice(0, 40)}`),
  );
  expect(sticking).toEqual([]);
});
