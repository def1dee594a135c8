import pg from "pg";
import { hashToken } from "../lib/integrations/connect-tokens";
import { expect, test } from "./fixtures";
import { openSignedIn } from "./support/api-clients";
import { shoot } from "./support/connect";
import { createIntegration, integrationDetail } from "./support/integrations";

/*
 * An expired connect link, in the browser. Links live ten minutes and nothing in Authdesk ages one
 * on request, so this spec runs on the PostgreSQL instances (the "postgres" project), where the
 * test can reach the database behind the server and move the link's expiry into the past, as ten
 * minutes would.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const NAME = "Status page (expired link e2e)";

/** Moves the link's expiry a minute into the past, in whichever e2e database holds it. */
async function expireLink(url: string): Promise<void> {
  const tokenHash = hashToken(url.split("/").at(-1) ?? "");
  const server = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await server.connect();
  const { rows } = await server.query<{ datname: string }>(
    "select datname from pg_database where datname like 'authdesk_e2e_%'",
  );
  await server.end();
  let expired = 0;
  for (const { datname } of rows) {
    const database = new URL(process.env.DATABASE_URL ?? "");
    database.pathname = `/${datname}`;
    const client = new pg.Client({ connectionString: database.toString() });
    await client.connect();
    const result = await client
      .query(
        "update integration_connect_sessions set expires_at = now() - interval '1 minute' where token_hash = $1",
        [tokenHash],
      )
      .catch(() => ({ rowCount: 0 }));
    expired += result.rowCount ?? 0;
    await client.end();
  }
  expect(expired, "the link's row").toBe(1);
}

test("an expired link says so, and offers nothing to submit", async ({ page, browser }) => {
  await openSignedIn(page, "/integrations", "Integrations");
  await createIntegration(page, NAME);
  await integrationDetail(page, NAME)
    .getByRole("tab", { name: /^Connections/ })
    .click();
  await page.getByRole("button", { name: "Connect as…" }).click();
  const dialog = page.getByRole("dialog", { name: `Connect ${NAME} as…` });
  await dialog.getByLabel("End user ID").fill("user-expired");
  await dialog.getByRole("button", { name: "Make link" }).click();
  const url =
    (await page
      .getByRole("dialog", { name: "Connect link ready" })
      .locator("code")
      .textContent()) ?? "";

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const endUser = await context.newPage();
  await endUser.goto(url);
  await expect(endUser.getByRole("button", { name: `Enable ${NAME}` })).toBeVisible();
  await expireLink(url);
  const response = await endUser.goto(url);
  expect(response?.status()).toBe(200);
  await expect(
    endUser.getByRole("heading", { level: 1, name: "This link has expired" }),
  ).toBeVisible();
  await expect(endUser.getByRole("button")).toHaveCount(0);
  await shoot(endUser, "expired");
  await context.close();
});
