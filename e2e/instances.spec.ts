import type { APIRequestContext, APIResponse } from "@playwright/test";
import { expect, test } from "./fixtures";
import {
  addTill,
  basicAuth,
  deleteClient,
  openSignedIn,
  registerClient,
  requestToken,
} from "./support/api-clients";
import { e2eUrls } from "./support/ports";

/*
 * Two app instances, as two `npm start` processes on different ports with one PostgreSQL database
 * (e2e/postgres-server.ts starts them): A serves the browser, B is called over HTTP only. Nothing
 * that must hold across instances may live in one process's memory: a client deleted through A is
 * refused by B on the very next request, and failed client authentications count on both.
 */
test.describe.configure({ mode: "serial" });
test.use({ viewport: { width: 1280, height: 800 } });

const A = e2eUrls.postgres;
const B = e2eUrls.postgresSecond;
const TILL = { code: "pos-two", name: "Two instances", password: "pos-two-password-1" };
/** The failure throttle per client id and address (lib/oauth/README.md): 10 failures in 5 minutes. */
const FAILURES_PER_CLIENT = 10;
const WINDOW_SECONDS = 300;

/** A Bearer-protected route: 404 for a config that does not exist means the token got through. */
const bearerCall = (request: APIRequestContext, origin: string, token: string) =>
  request.post(`${origin}/api/v1/auth-configs/no-such-config/token`, {
    headers: { Authorization: `Bearer ${token}` },
  });

/**
 * A refusal, the `refused`-th in a row (from 0): each one doubles the wait (docs/throttling.md),
 * whichever instance counts it.
 */
async function expectThrottled(
  response: APIResponse,
  instance: string,
  refused: number,
): Promise<void> {
  expect(response.status(), `instance ${instance}`).toBe(429);
  const retryAfter = Number(response.headers()["retry-after"]);
  const wait = WINDOW_SECONDS * 2 ** refused;
  expect(retryAfter, `Retry-After from instance ${instance}`).toBeGreaterThan(wait - 5);
  expect(retryAfter).toBeLessThanOrEqual(wait);
  expect(await response.json()).toMatchObject({ error: "invalid_client" });
}

test("both instances are up, on their own ports", async ({ request }) => {
  expect(A).not.toBe(B);
  for (const origin of [A, B]) {
    expect(await (await request.get(`${origin}/api/health`)).json()).toMatchObject({
      status: "ok",
      database: "reachable",
    });
  }
});

test("a client deleted through instance A is refused at once by instance B", async ({
  page,
  request,
}) => {
  await openSignedIn(page, "/settings", "Settings");
  await addTill(page, TILL);
  await page.getByRole("link", { name: "API clients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API clients" })).toBeVisible();
  const client = await registerClient(page, {
    name: "Deleted on A",
    till: TILL,
    permissions: { "All (other APIs)": "Modify" },
  });
  expect(page.url().startsWith(A)).toBe(true);

  // A token from B, for a client A registered; both instances let it through, and A's
  // introspection knows it.
  const issued = await requestToken(request, client.clientKey, client.clientSecret, B);
  expect(issued.status()).toBe(200);
  const token: string = (await issued.json()).access_token;
  expect(token).toMatch(/^adk_at_/);
  expect((await bearerCall(request, A, token)).status()).toBe(404);
  expect((await bearerCall(request, B, token)).status()).toBe(404);
  const introspection = await request.post(`${A}/oauth/introspect`, {
    form: { token },
    headers: { Authorization: basicAuth(client.clientKey, client.clientSecret) },
  });
  expect(await introspection.json()).toMatchObject({ active: true, client_id: client.clientKey });

  await deleteClient(page, client.name);

  // Immediately, with nothing in between: B refuses the token and the credentials, and so does A.
  const refused = await bearerCall(request, B, token);
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toMatchObject({ error: "invalid_token" });
  expect(refused.headers()["www-authenticate"]).toContain('error="invalid_token"');
  const again = await requestToken(request, client.clientKey, client.clientSecret, B);
  expect(again.status()).toBe(401);
  expect(await again.json()).toMatchObject({ error: "invalid_client" });
  expect((await bearerCall(request, A, token)).status()).toBe(401);
});

test("failed client authentications count across both instances", async ({ page, request }) => {
  await openSignedIn(page, "/api-clients", "API clients");
  const client = await registerClient(page, {
    name: "Throttled on A and B",
    till: TILL,
    permissions: { "All (other APIs)": "View only" },
  });
  // The right secret works on both before anything failed.
  for (const origin of [A, B]) {
    const response = await requestToken(request, client.clientKey, client.clientSecret, origin);
    expect(response.status(), origin).toBe(200);
  }

  // Wrong secrets, alternating: each instance sees only half the limit itself.
  for (let attempt = 0; attempt < FAILURES_PER_CLIENT; attempt++) {
    const origin = attempt % 2 === 0 ? A : B;
    const response = await requestToken(request, client.clientKey, `wrong-${attempt}`, origin);
    expect(response.status(), `failure ${attempt + 1}, on ${origin}`).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  }

  // The limit is reached across the pair of instances: both throttle this address, even the
  // right secret (the owner elsewhere would still get a token: lib/api/oauth.test.ts).
  await expectThrottled(await requestToken(request, client.clientKey, "wrong-again", A), "A", 0);
  await expectThrottled(await requestToken(request, client.clientKey, "wrong-again", B), "B", 1);
  await expectThrottled(
    await requestToken(request, client.clientKey, client.clientSecret, A),
    "A, right secret",
    2,
  );
  await expectThrottled(
    await requestToken(request, client.clientKey, client.clientSecret, B),
    "B, right secret",
    3,
  );
});
