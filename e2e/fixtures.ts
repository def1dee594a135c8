import { test as base, expect, type Page } from "@playwright/test";

/** The admin that first-run.spec.ts creates; the other specs sign in as it. */
export const ADMIN = { email: "ada@example.com", password: "correct horse battery staple" };

export async function signIn(page: Page, credentials = ADMIN): Promise<void> {
  await page.getByLabel("Email").fill(credentials.email);
  await page.getByLabel("Password").fill(credentials.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The whole page, or only the window (`fullPage: false`), e.g. for a dialog over the page. */
export async function screenshot(
  page: Page,
  name: string,
  { fullPage = true } = {},
): Promise<void> {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage });
}

/**
 * Fails a test when the page logs a Content-Security-Policy violation or any other console
 * error: a blocked script means a page that looks right but does not work.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await use(errors);
      expect(errors, "console errors on the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
