import { readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import pg from "pg";
import { expect, screenshot, test } from "./fixtures";
import { openSignedIn } from "./support/api-clients";
import { e2ePorts, postgresDatabaseUrlFile } from "./support/ports";

/*
 * The reproducer on PostgreSQL, in the console: one auth config's sealed client secret is
 * replaced by another row's (sealed to that row, so it cannot open here). The detail and Test
 * must say in plain words what is wrong and what to do; nothing is sent upstream (the token URL
 * is not even reachable from here, and lib/auth-configs tests check no request is made).
 */
test.use({ viewport: { width: 1280, height: 800 } });

const TOKEN_URL = "https://auth.example.com/oauth/token";

async function createConfig(page: Page, identifier: string) {
  await page.getByRole("button", { name: "Create auth config" }).click();
  const dialog = page.getByRole("dialog", { name: "Create auth config" });
  await dialog.getByLabel("Identifier").fill(identifier);
  await dialog.getByLabel("Access Token URL").fill(TOKEN_URL);
  await dialog.getByLabel("Scope").fill("reports.read");
  await dialog.getByLabel("Client ID").fill(`${identifier}-client`);
  await dialog.getByLabel("Client Secret").fill(`${identifier}-upstream-secret`);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog).toBeHidden();
}

test("a config whose sealed secret does not open says so on its detail and on Test", async ({
  page,
}) => {
  await openSignedIn(page, "/auth-configs", "Auth configs");
  await createConfig(page, "sealed-source");
  await createConfig(page, "sealed-copied");

  const databaseUrl = readFileSync(postgresDatabaseUrlFile(e2ePorts.postgres), "utf8");
  const database = new pg.Client({ connectionString: databaseUrl });
  await database.connect();
  try {
    await database.query(
      `update auth_configs set client_secret_sealed =
         (select client_secret_sealed from auth_configs where identifier = 'sealed-source')
       where identifier = 'sealed-copied'`,
    );
  } finally {
    await database.end();
  }

  await page.reload();
  const detail = page.getByRole("region", { name: "sealed-copied", exact: true });
  await page.getByRole("link", { name: /^sealed-copied\b/ }).click();
  await expect(detail.getByText("Stored credentials cannot be read")).toBeVisible();
  await expect(detail).toContainText("Restore the key that sealed them");
  await expect(detail.getByText("Cannot be read", { exact: true })).toBeVisible();

  await detail.getByRole("button", { name: "Test" }).click();
  await expect(detail.getByText(/Nothing was sent to the token server/)).toBeVisible();
  await expect(detail.getByText("config_unreadable")).toBeVisible();
  await screenshot(page, "auth-config-unreadable");
  await page.setViewportSize({ width: 390, height: 800 });
  await screenshot(page, "auth-config-unreadable-narrow");
});
