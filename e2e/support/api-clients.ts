import type { APIRequestContext, Locator, Page } from "@playwright/test";
import { expect, signIn } from "../fixtures";

/**
 * The console steps and OAuth calls that more than one spec takes with API clients and tills:
 * api-clients.spec.ts tests these screens in detail, instances.spec.ts only goes through them.
 */

export interface Till {
  code: string;
  name: string;
  password: string;
}

export interface IssuedClient {
  name: string;
  clientKey: string;
  clientSecret: string;
}

/** Signs in by way of /login?next=… and waits for the page's heading. */
export async function openSignedIn(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(path)}`);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

export const registerDialog = (page: Page) =>
  page.getByRole("dialog", { name: "Register an API client" });
export const revealDialog = (page: Page) =>
  page.getByRole("dialog", { name: "API client registered" });
export const listPane = (page: Page) => page.getByRole("region", { name: "API client list" });
export const listItem = (page: Page, name: string) =>
  listPane(page).getByRole("link", { name: new RegExp(`^${name}\\b`) });
export const detailPane = (page: Page, name: string) =>
  page.getByRole("region", { name, exact: true });
export const permissionRow = (dialog: Locator, group: string) =>
  dialog.getByRole("group", { name: group, exact: true });
export const credential = (dialog: Locator, label: "Client key" | "Client secret") =>
  dialog.getByRole("group", { name: label }).locator("code");
export const tillOption = (till: Pick<Till, "code" | "name">) => `${till.code} · ${till.name}`;

/** Adds a till in Settings' Tills section; the page must be on Settings. */
export async function addTill(page: Page, till: Till): Promise<void> {
  const tills = page.getByRole("region", { name: "Tills" });
  await tills.getByRole("button", { name: "Add till" }).click();
  const dialog = page.getByRole("dialog", { name: "Add till" });
  await dialog.getByLabel("Code").fill(till.code);
  await dialog.getByLabel("Name").fill(till.name);
  await dialog.getByLabel("Password").fill(till.password);
  await dialog.getByRole("button", { name: "Add till" }).click();
  await expect(dialog).toBeHidden();
}

type Access = "None" | "View only" | "Modify";

/**
 * Registers a client from the API clients page and closes the one-time screen with Done,
 * returning what it showed.
 */
export async function registerClient(
  page: Page,
  client: { name: string; till: Pick<Till, "code" | "name">; permissions?: Record<string, Access> },
): Promise<IssuedClient> {
  await page.getByRole("button", { name: "Register" }).click();
  const dialog = registerDialog(page);
  await dialog.getByLabel("Client name").fill(client.name);
  for (const [group, access] of Object.entries(client.permissions ?? {})) {
    await permissionRow(dialog, group).getByRole("radio", { name: access }).check();
  }
  await dialog
    .getByLabel("Select your organization till")
    .selectOption({ label: tillOption(client.till) });
  await dialog.getByRole("button", { name: "Next" }).click();
  const reveal = revealDialog(page);
  await expect(credential(reveal, "Client secret")).toBeVisible();
  const issued = {
    name: client.name,
    clientKey: (await credential(reveal, "Client key").textContent()) ?? "",
    clientSecret: (await credential(reveal, "Client secret").textContent()) ?? "",
  };
  await reveal.getByRole("button", { name: "Done" }).click();
  await expect(reveal).toBeHidden();
  return issued;
}

/** Deletes a client from the API clients page, through its confirmation, and waits until gone. */
export async function deleteClient(page: Page, name: string): Promise<void> {
  await listItem(page, name).click();
  await detailPane(page, name)
    .getByRole("button", { name: `Delete ${name}` })
    .click();
  await page
    .getByRole("alertdialog", { name: `Delete ${name}?` })
    .getByRole("button", { name: "Delete API client" })
    .click();
  await expect(listItem(page, name)).toHaveCount(0);
}

/** client_secret_basic: id and secret form-urlencoded, then base64 (RFC 6749 §2.3.1). */
export const basicAuth = (key: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(key)}:${encodeURIComponent(secret)}`).toString("base64")}`;

/** POST /oauth/token with client_secret_basic, on the project's baseURL or the given origin. */
export async function requestToken(
  request: APIRequestContext,
  key: string,
  secret: string,
  origin = "",
) {
  return request.post(`${origin}/oauth/token`, {
    form: { grant_type: "client_credentials" },
    headers: { Authorization: basicAuth(key, secret) },
  });
}
