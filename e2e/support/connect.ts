import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, test } from "../fixtures";
import { addTill, openSignedIn, registerClient, requestToken, type Till } from "./api-clients";

/**
 * What the connect specs share: a program's calls to the integrations API, an end user's browser
 * and the connect pages' screenshots.
 */

type LinkRequest = { endUserId: string; returnUrl?: string };

/**
 * A program's access token with Modify on the Integrations API group, set up in the console as an
 * admin would: a till on Settings, then an API client using it. Leaves the page on API clients.
 */
export async function integrationsProgramToken(
  page: Page,
  request: APIRequestContext,
  program: { name: string; till: Till },
): Promise<string> {
  await openSignedIn(page, "/settings", "Settings");
  await addTill(page, program.till);
  await page.getByRole("link", { name: "API clients" }).click();
  const client = await registerClient(page, {
    name: program.name,
    till: program.till,
    permissions: { Integrations: "Modify" },
  });
  const token = await requestToken(request, client.clientKey, client.clientSecret);
  return ((await token.json()) as { access_token: string }).access_token;
}

/** The integrations API as a program calls it, with the access token it was issued. */
export function integrationsApi(request: APIRequestContext, accessToken: string) {
  const headers = { Authorization: `Bearer ${accessToken}` };
  const createLink = (id: string, body: LinkRequest) =>
    request.post(`/api/integrations/v1/${id}/connect-sessions`, { data: body, headers });
  return {
    integration: (id: string) => request.get(`/api/integrations/v1/${id}`, { headers }),
    patchAuth: (id: string, body: unknown) =>
      request.patch(`/api/integrations/v1/${id}/auth`, { data: body, headers }),
    /** The answer as it comes, for a test that expects a refusal. */
    createLink,
    /** A new link's URL; any answer but 201 fails the test. */
    link: async (id: string, body: LinkRequest) => {
      const response = await createLink(id, body);
      expect(response.status()).toBe(201);
      return ((await response.json()) as { url: string }).url;
    },
    connections: (id: string) => request.get(`/api/integrations/v1/${id}/connections`, { headers }),
    credentials: (id: string, connectionId: string) =>
      request.get(`/api/integrations/v1/${id}/connections/${connectionId}/credentials`, {
        headers,
      }),
  };
}

/** The font hosts an OAuth provider's dev pages load from; this machine cannot reach them. */
const GOOGLE_FONTS = /^https:\/\/fonts\.(googleapis|gstatic)\.com\//;

/**
 * An end user's browser: a fresh context with no admin session. Console errors and uncaught
 * exceptions on our own pages (a CSP violation shows there) fail the test on close, as the
 * fixture does for `page`; other sites' pages (the provider's, the app's return page) are not
 * ours to judge. Requests for Google's fonts are refused at once instead of waited for.
 */
export async function endUserBrowser(browser: Browser) {
  // The project's own server: the PGlite one for "console", instance A for "postgres".
  const ours = new URL(String(test.info().project.use.baseURL)).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route(GOOGLE_FONTS, (route) => route.abort());
  const page = await context.newPage();
  const onOurPage = () => page.url().startsWith(`${ours}/`);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && onOurPage()) errors.push(message.text());
  });
  page.on("pageerror", (error) => {
    if (onOurPage()) errors.push(error.message);
  });
  return {
    page,
    context,
    close: async () => {
      await context.close();
      expect(errors, "console errors on the connect pages").toEqual([]);
    },
  };
}

/** The page at 1280×800 and at 390×844, where nothing may stick out sideways; then 1280×800 again. */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `e2e/screenshots/connect-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `e2e/screenshots/connect-${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
}
