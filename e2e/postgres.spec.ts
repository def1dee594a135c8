import { ADMIN, expect, signIn, test } from "./fixtures";

// The same production build, served on PostgreSQL (DATABASE_URL) instead of embedded PGlite.
test("the app runs on PostgreSQL: migrated, first-run setup, sign-in, audit", async ({
  page,
  request,
}) => {
  expect(await (await request.get("/api/health")).json()).toMatchObject({
    status: "ok",
    database: "reachable",
  });

  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Confirm password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page).toHaveURL(/\/auth-configs$/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.goto("/audit");
  const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
  await expect(rows.nth(1)).toContainText("admin.signed_in");
  await expect(page.getByRole("table")).toContainText("admin.signed_out");
});
