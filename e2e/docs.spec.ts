import type { Page } from "@playwright/test";
import { expect, screenshot, signIn, test } from "./fixtures";

/*
 * The API docs page: reached from the navigation, it lists the programs' endpoints from the
 * OpenAPI document, with no script of its own (the fixture fails the test on any CSP report).
 */

const TOKEN_ENDPOINT = "POST /oauth/token";
const AUTH_CONFIG_TOKEN = "POST /api/v1/auth-configs/{identifier}/token";
const INTEGRATION_AUTH = "PATCH /api/integrations/v1/{integrationId}/auth";

async function expectEndpointsListed(page: Page): Promise<void> {
  await expect(page.getByRole("heading", { level: 1, name: "API docs" })).toBeVisible();
  for (const name of [TOKEN_ENDPOINT, AUTH_CONFIG_TOKEN, INTEGRATION_AUTH]) {
    const [method = "", path = ""] = name.split(" ");
    const operation = page.getByRole("article", { name });
    await expect(operation).toBeVisible();
    await expect(operation.getByText(method, { exact: true }).first()).toBeVisible();
    await expect(operation.getByText(path, { exact: true }).first()).toBeVisible();
  }
}

test("API docs: opened from the sidebar, with the token endpoints, their schemas and the raw document", async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "API docs" })
    .click();
  await expect(page).toHaveURL(/\/docs$/);
  await expectEndpointsListed(page);

  // The form body's fields, with what is required and what is allowed.
  const token = page.getByRole("article", { name: TOKEN_ENDPOINT });
  await expect(token.getByText("application/x-www-form-urlencoded")).toBeVisible();
  await expect(token.getByText("grant_type", { exact: true })).toBeVisible();
  await expect(token.getByText("client_credentials", { exact: true })).toBeVisible();

  // A response's schema folds open.
  const tokenResponse = token.getByText("Schema: TokenResponse");
  await tokenResponse.click();
  await expect(token.getByText("access_token", { exact: true })).toBeVisible();

  // The table of contents jumps to an operation.
  await page
    .getByRole("navigation", { name: "On this page" })
    .getByRole("link", { name: AUTH_CONFIG_TOKEN })
    .click();
  await expect(page).toHaveURL(/#getAuthConfigToken$/);

  const raw = page.getByRole("link", { name: "OpenAPI JSON" });
  await expect(raw).toHaveAttribute("href", "/api/openapi.json");
  const served = await page.request.get("/api/openapi.json");
  expect(Object.keys((await served.json()).paths)).toEqual(
    expect.arrayContaining(["/oauth/token", "/api/v1/auth-configs/{identifier}/token"]),
  );

  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "docs");
});

test("API docs on a phone: reached through the drawer, nothing wider than the screen", async ({
  page,
}) => {
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  await page.getByRole("button", { name: "Open navigation" }).click();
  await page
    .getByRole("dialog", { name: "Navigation" })
    .getByRole("link", { name: "API docs" })
    .click();
  await expect(page).toHaveURL(/\/docs$/);
  await expectEndpointsListed(page);
  await page
    .getByRole("article", { name: TOKEN_ENDPOINT })
    .getByText("Schema: TokenResponse")
    .click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "docs-narrow");
  // Nothing sticks out past the right edge (the elements that would are named in the failure).
  const sticking = await page.evaluate(() =>
    [...document.querySelectorAll("main *")]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .map((element) => `${element.tagName} ${element.textContent?.slice(0, 40)}`),
  );
  expect(sticking).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
});
