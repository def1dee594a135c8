import { expect, type Page } from "@playwright/test";

/** An integration's detail pane in the console. */
export const integrationDetail = (page: Page, name: string) =>
  page.getByRole("region", { name, exact: true });

/** Creates an integration from the console's list page (the API has no create) and returns its id. */
export async function createIntegration(page: Page, name: string): Promise<string> {
  await page.getByRole("button", { name: "Create integration" }).click();
  const dialog = page.getByRole("dialog", { name: "Create integration" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(integrationDetail(page, name)).toBeVisible();
  return new URL(page.url()).searchParams.get("id") ?? "";
}
