import type { Cookie, Page, Request } from "@playwright/test";
import { expect, screenshot, test } from "./fixtures";
import {
  addTill,
  deleteClient,
  detailPane,
  listItem,
  listPane,
  openSignedIn,
  registerClient,
} from "./support/api-clients";

/*
 * Long lists in the browser: a few hundred API clients, of which the page holds the first 50
 * and renders only the rows in view. Scrolling the list and its Load more button fetch the next
 * pages, the server's search finds a client that was not loaded, and a link to a client far down
 * the order opens it. The audit log that all this wrote pages back with "Older events".
 *
 * The clients are registered through the console's own server action: the first one through
 * the form, then the same request again from the signed-in page with another name, a few at a
 * time. Their names sort after every other spec's clients ("Zulu…"), so lists that those specs
 * read keep their first page, and the last test deletes them all and the till again.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const TILL = { code: "fleet-e2e", name: "Fleet (e2e)", password: "fleet-e2e-password-1" };
const COUNT = 260;
const PAGE = 50;
const nameOf = (n: number) => `Zulu fleet ${String(n).padStart(3, "0")}`;

/** Client id by name, from the registrations' answers. */
const registered = new Map<string, string>();

/**
 * The first test signs in; the others reuse its session cookie, since each sign-in costs a
 * deliberately slow password hash.
 */
let session: Cookie[] = [];
async function open(page: Page, path: string, heading: string): Promise<void> {
  if (session.length === 0) {
    await openSignedIn(page, path, heading);
    session = await page.context().cookies();
  } else {
    await page.context().addCookies(session);
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  }
}

/** The console's request for a server action whose body mentions `marker`, as it was sent. */
async function actionRequest(page: Page, marker: string, act: () => Promise<void>) {
  const sent = page.waitForRequest(
    (request: Request) =>
      request.method() === "POST" &&
      "next-action" in request.headers() &&
      (request.postData() ?? "").includes(marker),
  );
  await act();
  const request = await sent;
  const headers = { ...request.headers() };
  delete headers["content-length"];
  return { url: request.url(), headers, body: request.postData() ?? "" };
}

/** Sends the captured action again for each `from → to` replacement in its body, 8 at a time. */
async function replay(
  page: Page,
  action: Awaited<ReturnType<typeof actionRequest>>,
  from: string,
  values: string[],
): Promise<string[]> {
  const answers: string[] = [];
  for (let start = 0; start < values.length; start += 8) {
    const batch = values.slice(start, start + 8);
    const texts = await Promise.all(
      batch.map(async (value) => {
        const response = await page.request.post(action.url, {
          headers: action.headers,
          data: action.body.split(from).join(value),
        });
        expect(response.status()).toBe(200);
        const text = await response.text();
        expect(text, `the action's answer for ${value}`).toContain('"ok":true');
        return text;
      }),
    );
    answers.push(...texts);
  }
  return answers;
}

/** The element the API client list scrolls in: the list's parent. */
const scroller = (page: Page) => listPane(page).getByRole("list");
const scrollListToEnd = (page: Page) =>
  scroller(page).evaluate((list) => {
    const box = list.parentElement;
    if (box) box.scrollTop = box.scrollHeight;
  });
const countLine = (page: Page) => listPane(page).locator("p").last();
const loadedCount = async (page: Page) =>
  Number(((await countLine(page).textContent()) ?? "").replace(/\D/g, ""));

test("seed: a till and 260 clients through the console's register action", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "/settings", "Settings");
  await addTill(page, TILL);
  await page.getByRole("link", { name: "API clients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API clients" })).toBeVisible();

  const first = nameOf(1);
  const action = await actionRequest(page, first, async () => {
    await registerClient(page, { name: first, till: TILL });
  });
  await expect(detailPane(page, first)).toBeVisible();
  registered.set(first, new URL(page.url()).searchParams.get("id") ?? "");

  const names = Array.from({ length: COUNT - 1 }, (_, index) => nameOf(index + 2));
  const started = Date.now();
  const answers = await replay(page, action, first, names);
  console.log(`registered ${names.length} clients in ${Date.now() - started} ms`);
  names.forEach((name, index) => {
    const id = /"id":"(cli_[^"]+)"/.exec(answers[index] ?? "")?.[1];
    expect(id, `the id of ${name}`).toBeTruthy();
    registered.set(name, id ?? "");
  });
});

test("the first page shows 50 with no total; scrolling and Load more fetch the rest", async ({
  page,
}) => {
  await open(page, "/api-clients", "API clients");
  await expect(countLine(page)).toHaveText(`First ${PAGE} API clients`);
  const list = scroller(page);
  // Virtualised: fewer rows in the DOM than loaded, each saying where it sits in a list of
  // unknown length.
  const rendered = await list.getByRole("listitem").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(PAGE);
  await expect(list.getByRole("listitem").first()).toHaveAttribute("aria-posinset", "1");
  await expect(list.getByRole("listitem").first()).toHaveAttribute("aria-setsize", "-1");
  await expect(listItem(page, nameOf(COUNT))).toHaveCount(0);

  // Scrolling to the end of the loaded rows loads the next page, without a click.
  await scrollListToEnd(page);
  await expect(countLine(page)).toHaveText(`First ${2 * PAGE} API clients`);
  await scrollListToEnd(page);
  await expect(countLine(page)).toHaveText(`First ${3 * PAGE} API clients`);

  // The button stays, for the keyboard and screen readers.
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(countLine(page)).toHaveText(`First ${4 * PAGE} API clients`);
  expect(await list.getByRole("listitem").count()).toBeLessThan(PAGE);

  // To the end: the last client, a total without "First", no button, a known set size.
  await expect(async () => {
    await scrollListToEnd(page);
    await expect(countLine(page)).toHaveText(/^\d+ API clients$/, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  expect(await loadedCount(page)).toBeGreaterThanOrEqual(COUNT);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await scrollListToEnd(page);
  const last = listItem(page, nameOf(COUNT));
  await expect(last).toBeInViewport();
  const total = String(await loadedCount(page));
  await expect(list.getByRole("listitem").last()).toHaveAttribute("aria-posinset", total);
  await expect(list.getByRole("listitem").last()).toHaveAttribute("aria-setsize", total);

  // A row far down opens as any other, and stays highlighted.
  await listItem(page, nameOf(COUNT - 3)).click();
  await expect(page).toHaveURL(new RegExp(`\\?id=${registered.get(nameOf(COUNT - 3))}$`));
  await expect(detailPane(page, nameOf(COUNT - 3))).toBeVisible();
  await expect(listItem(page, nameOf(COUNT - 3))).toHaveAttribute("aria-current", "page");
  await screenshot(page, "lists-api-clients-deep", { fullPage: false });

  await page.setViewportSize({ width: 375, height: 812 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await scrollListToEnd(page);
  await expect(last).toBeInViewport();
  await screenshot(page, "lists-api-clients-deep-narrow", { fullPage: false });
});

test("Tab walks the rows past the rendered ones", async ({ page }) => {
  await open(page, "/api-clients", "API clients");
  const rows = scroller(page).getByRole("listitem");
  const rendered = await rows.count();
  await rows.first().getByRole("link").focus();
  for (let step = 0; step < rendered + 5; step++) await page.keyboard.press("Tab");
  // Focus is still on a row of the list, further down than the first render reached.
  const focused = page.locator("li:has(> a:focus)");
  await expect(focused).toHaveAttribute("aria-posinset", String(rendered + 6));
  await expect(focused.getByRole("link")).toBeInViewport();
});

test("search finds a client that is not on the first page", async ({ page }) => {
  await open(page, "/api-clients", "API clients");
  await expect(listItem(page, nameOf(237))).toHaveCount(0);
  await page.getByRole("searchbox", { name: "Search by name or key" }).fill(nameOf(237));
  await expect(listItem(page, nameOf(237))).toBeVisible();
  await expect(countLine(page)).toHaveText("1 match");
  // A broader search pages too: every Zulu client, the first 50 of them.
  await page.getByRole("searchbox", { name: "Search by name or key" }).fill("zulu fleet");
  await expect(countLine(page)).toHaveText(`First ${PAGE} matches`);
  await expect(listItem(page, nameOf(1))).toBeVisible();
});

test("a link to a client far down the order opens it", async ({ page }) => {
  const name = nameOf(COUNT - 1);
  await open(page, `/api-clients?id=${registered.get(name)}`, "API clients");
  await expect(detailPane(page, name)).toBeVisible();
  await expect(detailPane(page, name)).toContainText(`${TILL.code} · ${TILL.name}`);
  // The list holds only its first page, without that client.
  await expect(countLine(page)).toHaveText(`First ${PAGE} API clients`);
  await expect(listItem(page, name)).toHaveCount(0);
});

test("the audit log pages back with Older events", async ({ page }) => {
  await open(page, "/audit?action=api_client.registered", "Audit log");
  const table = page.getByRole("table", { name: "Audit events" });
  const pages = page.getByRole("navigation", { name: "Audit log pages" });
  await expect(pages).toContainText("Showing the newest 25 events");
  // Newest first: the last clients registered lead (eight at a time, in any order among the
  // eight), the first is pages away.
  await expect(table.getByRole("row").nth(1)).toContainText(/Zulu fleet 2(5[3-9]|60)/);
  await expect(table).not.toContainText(nameOf(1));

  for (const shown of [50, 75, 100, 125, 150]) {
    // From the keyboard: while the rows just loaded are being measured, the button under
    // them moves, and a pointer click can land on the row that took its place.
    await pages.getByRole("button", { name: "Older events" }).press("Enter");
    await expect(pages).toContainText(`Showing the newest ${shown} events`);
  }
  // Only the rows near the window are in the DOM; the rows say where they sit.
  const rows = table.locator("tbody tr[aria-rowindex]");
  expect(await rows.count()).toBeLessThan(60);
  // Rows not yet rendered count at an estimated height until they are measured, so the page's
  // end moves a little as the last rows render: scroll again, as a reader would.
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect(rows.last()).toBeInViewport({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(rows.last()).toHaveAttribute("aria-rowindex", "151");
  await expect(rows.last()).toContainText(/Zulu fleet 1[01]\d/);
  await screenshot(page, "lists-audit-older", { fullPage: false });

  await page.setViewportSize({ width: 375, height: 812 });
  const items = page.getByRole("list", { name: "Audit events" }).getByRole("listitem");
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect(items.last()).toBeInViewport({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(items.last()).toHaveAttribute("aria-posinset", "150");
  expect(await items.count()).toBeLessThan(40);
  await screenshot(page, "lists-audit-older-narrow", { fullPage: false });
});

test("clean up: the clients through the delete action, then the till", async ({ page }) => {
  test.setTimeout(120_000);
  await open(page, "/api-clients", "API clients");
  const first = nameOf(1);
  const firstId = registered.get(first) ?? "";
  await page.getByRole("searchbox", { name: "Search by name or key" }).fill(first);
  // `{"id":…}`: the delete's argument; the detail's read sends the bare id.
  const action = await actionRequest(page, `"id":"${firstId}"`, () => deleteClient(page, first));
  const others = [...registered.entries()].filter(([name]) => name !== first);
  await replay(
    page,
    action,
    firstId,
    others.map(([, id]) => id),
  );
  // Each answer said ok (see replay); the list no longer shows any of them.
  await page.reload();
  await expect(page.getByText(/Zulu fleet/)).toHaveCount(0);

  await page.goto("/settings");
  await page.getByRole("button", { name: `Delete till ${TILL.code}` }).click();
  await page
    .getByRole("alertdialog", { name: `Delete till ${TILL.code}?` })
    .getByRole("button", { name: "Delete till" })
    .click();
  await expect(page.getByText("Till deleted")).toBeVisible();
});
