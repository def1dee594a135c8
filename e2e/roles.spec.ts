import type { APIRequestContext, Page } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import { acceptInvitation, inviteAdmin } from "./support/admins";
import { openSignedIn } from "./support/api-clients";
import { builtServerAction } from "./support/server-actions";

/*
 * A Viewer, invited and signed in for real, sees every area read-only, and the server refuses
 * what the browser would not offer: a server-action call crafted from the Viewer's session with
 * the build's real action id and a well-formed body. lib/auth/roles-enforced.test.ts covers every
 * action; this proves the refusal holds through Next's real request handling.
 */

const PASSWORD = "a long viewer passphrase";
const unique = Date.now().toString(36);
const CRAFTED_NAME = `Crafted by a viewer ${unique}`;

/** Buttons that would change something: none may show for a Viewer. */
const CHANGING_BUTTON =
  /^(Create|Register|Add|Delete|Remove|Replace|Duplicate|Test|Roll|Revoke|Expire|Connect as|Save|Make link)\b/;

/**
 * Posts a server action the way the browser does: the build's action id in Next-Action and the
 * arguments as JSON, with the cookies of `request`'s browser context. Answers the RSC text.
 */
async function callAction(
  request: APIRequestContext,
  name: string,
  args: unknown[],
): Promise<string> {
  const action = builtServerAction(name);
  const answer = await request.post(action.path, {
    headers: { "Next-Action": action.id, "Content-Type": "text/plain;charset=UTF-8" },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  expect(answer.status(), `${name} answered`).toBe(200);
  return answer.text();
}

function idIn(text: string, pattern: RegExp): string {
  const id = pattern.exec(text)?.[1];
  if (!id) throw new Error(`no id in the answer: ${text.slice(0, 300)}`);
  return id;
}

/** What the owner makes first, so the Viewer has a record to look at in every area. */
async function seedAsOwner(request: APIRequestContext) {
  const config = await callAction(request, "createAuthConfigAction", [
    {
      identifier: `roles-spec-${unique}`,
      tokenUrl: "https://auth.example.com/oauth/token",
      scope: "orders:read",
      clientId: "authdesk",
      clientSecret: "upstream-secret",
      authMethod: "client_secret_basic",
    },
  ]);
  const till = await callAction(request, "createTillAction", [
    { code: `roles-${unique}`, name: "Roles spec till", password: "a long till password" },
  ]);
  const tillId = idIn(till, /"id":"(till_[0-9a-f]+)"/);
  const client = await callAction(request, "registerApiClientAction", [
    { name: `Roles spec client ${unique}`, tokenTtlMinutes: 60, permissions: {}, tillId },
  ]);
  const integration = await callAction(request, "createIntegrationAction", [
    { name: `Roles spec integration ${unique}`, description: "" },
  ]);
  return {
    configId: idIn(config, /"id":"(cfg_[0-9a-f]+)"/),
    tillId,
    clientId: idIn(client, /"id":"(cli_[0-9a-f]+)"/),
    integrationId: idIn(integration, /"integration":\{"id":"([0-9a-f-]{36})"/),
  };
}

async function changingButtons(page: Page): Promise<string[]> {
  const names = await page
    .getByRole("button")
    .evaluateAll((buttons) =>
      buttons.map(
        (button) => button.getAttribute("aria-label") ?? button.textContent?.trim() ?? "",
      ),
    );
  return names.filter((name) => CHANGING_BUTTON.test(name));
}

/** The page at desktop and phone widths, for looking at. */
async function screenshots(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("a Viewer sees every area read-only, and a crafted action call from their session is refused", async ({
  page,
  browser,
}) => {
  // Four areas at two widths, on a machine shared with other runs.
  test.setTimeout(300_000);
  await openSignedIn(page, "/admins", "Admins");
  const seed = await seedAsOwner(page.request);
  const email = `viewer-${unique}@example.com`;
  const link = await inviteAdmin(page, { email, role: "Viewer" });
  const viewer = await acceptInvitation(browser, link, PASSWORD);
  const view = viewer.page;
  await view.setViewportSize({ width: 1280, height: 720 });

  await view.goto(`/auth-configs?id=${seed.configId}`);
  await expect(view.getByRole("heading", { name: `roles-spec-${unique}` })).toBeVisible();
  await expect(view.getByText("Your role is Viewer").first()).toBeVisible();
  expect(await changingButtons(view)).toEqual([]);
  await screenshots(view, "roles-viewer-auth-config");

  await view.goto(`/api-clients?id=${seed.clientId}`);
  await expect(view.getByRole("heading", { name: `Roles spec client ${unique}` })).toBeVisible();
  expect(await changingButtons(view)).toEqual([]);
  await screenshots(view, "roles-viewer-api-client");

  await view.goto(`/integrations?id=${seed.integrationId}`);
  await expect(
    view.getByRole("heading", { name: `Roles spec integration ${unique}` }),
  ).toBeVisible();
  // The auth editor shows its settings with its controls disabled, and no Save.
  await expect(view.getByRole("radio").first()).toBeDisabled();
  expect(await changingButtons(view)).toEqual([]);
  await screenshots(view, "roles-viewer-integration-auth");
  for (const tab of ["Connections", "API access"]) {
    await view.getByRole("tab", { name: tab }).click();
    expect(await changingButtons(view), tab).toEqual([]);
  }
  await screenshots(view, "roles-viewer-integration-access");

  await view.goto("/settings");
  await expect(view.getByRole("heading", { name: "Tills" })).toBeVisible();
  await expect(view.getByText("Only owners can change this.")).toBeVisible();
  for (const radio of await view.getByRole("radio").all()) await expect(radio).toBeDisabled();
  expect(await changingButtons(view)).toEqual([]);
  await screenshots(view, "roles-viewer-settings");

  // What the browser does not offer, the server refuses: a real action id, a well-formed body.
  const created = await callAction(view.request, "createIntegrationAction", [
    { name: CRAFTED_NAME, description: "" },
  ]);
  expect(created).toContain('"forbidden":true');
  expect(created).toContain("Your role is Viewer");
  const deleted = await callAction(view.request, "deleteIntegrationAction", [seed.integrationId]);
  expect(deleted).toContain('"forbidden":true');
  const settings = await callAction(view.request, "setBasicAuthEnabledAction", [
    { enabled: false },
  ]);
  expect(settings).toContain('"forbidden":true');
  // Reads still answer the Viewer.
  const read = await callAction(view.request, "getIntegrationAction", [seed.integrationId]);
  expect(read).toContain(`Roles spec integration ${unique}`);

  // The owner's list: nothing was created, and the integration is still there.
  await page.goto("/integrations");
  await page.getByLabel("Search by name").fill(unique);
  await expect(
    page.getByRole("link", { name: new RegExp(`Roles spec integration ${unique}`) }),
  ).toBeVisible();
  await expect(page.getByRole("link", { name: new RegExp(CRAFTED_NAME) })).toHaveCount(0);
  const listed = await callAction(page.request, "listIntegrationsAction", [{ search: "Crafted" }]);
  expect(listed).not.toContain(CRAFTED_NAME);

  await viewer.context.close();
  await cleanUp(page, email, seed);
});

/** Leaves the shared database as it was: the records, then the Viewer. */
async function cleanUp(
  page: Page,
  email: string,
  seed: Awaited<ReturnType<typeof seedAsOwner>>,
): Promise<void> {
  expect(await callAction(page.request, "deleteIntegrationAction", [seed.integrationId])).toContain(
    '"ok":true',
  );
  expect(
    await callAction(page.request, "deleteApiClientAction", [{ id: seed.clientId }]),
  ).toContain('"ok":true');
  expect(await callAction(page.request, "deleteTillAction", [{ id: seed.tillId }])).toContain(
    '"ok":true',
  );
  expect(await callAction(page.request, "deleteAuthConfigAction", [seed.configId])).toContain(
    '"ok":true',
  );
  await page.goto("/admins");
  await page.getByRole("button", { name: `Actions for ${email}` }).click();
  await page.getByRole("menuitem", { name: "Remove" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Remove admin?" });
  await dialog.getByRole("button", { name: "Remove admin" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: email })).toHaveCount(0);
}
