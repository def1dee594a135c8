import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, signIn, test } from "./fixtures";

test("API responses carry the strict headers and problem details", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", database: "reachable" });
  const headers = health.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["content-security-policy"]).toBe(
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  );
  expect(headers["strict-transport-security"]).toBeUndefined(); // plain http: HSTS would be ignored

  // Unknown /api paths ask for credentials first (nothing about the API is told to strangers);
  // the public discovery path answers 404 as problem details.
  const unauthenticated = await request.get("/api/nothing-here");
  expect(unauthenticated.status()).toBe(401);
  expect(unauthenticated.headers()["content-type"]).toBe("application/problem+json");
  const missing = await request.get("/.well-known/nothing-here");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["content-type"]).toBe("application/problem+json");
  expect(await missing.json()).toMatchObject({ status: 404, title: "Not found" });
});

test("pages get a nonce-based CSP without unsafe-eval, and their scripts run under it", async ({
  page,
}) => {
  const response = await page.goto("/login");
  const policy = response?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy).not.toContain("unsafe-eval");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(await response?.text()).toContain(`nonce="${nonce}"`);
  // Hydrated: client-side validation answers without a round trip (the fixture fails on CSP errors).
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
});

test("the session cookie is httpOnly and SameSite, and Secure behind an https proxy", async ({
  browser,
}) => {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-proto": "https" } });
  const page = await context.newPage();
  const loginPage = await page.goto("/login");
  expect(loginPage?.headers()["strict-transport-security"]).toContain("max-age=");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  // The browser kept the cookie with the attributes the server set (127.0.0.1 counts as a
  // secure context, so Chromium stores a Secure cookie from it).
  const [cookie] = (await context.cookies()).filter((entry) => entry.name === "authdesk_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: true });
  await context.close();
});

test("over plain http the session cookie is not marked Secure (so sign-in works locally)", async ({
  page,
  context,
}) => {
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  const [cookie] = (await context.cookies()).filter((entry) => entry.name === "authdesk_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
});

test("the encryption key is in no page and no client bundle", async ({ page }) => {
  const keyFile = readFileSync(path.join(".e2e-data", "encryption-keys"), "utf8");
  const key = keyFile.trim().split(":")[1] ?? "";
  expect(key.length).toBeGreaterThan(40);
  const staticDir = path.join(".next", "static");
  const bundles = readdirSync(staticDir, { recursive: true, encoding: "utf8" }).filter((file) =>
    file.endsWith(".js"),
  );
  expect(bundles.length).toBeGreaterThan(0);
  for (const file of bundles)
    expect(readFileSync(path.join(staticDir, file), "utf8")).not.toContain(key);
  const html = await (await page.goto("/login"))?.text();
  expect(html).not.toContain(key);
});
