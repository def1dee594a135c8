import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, signIn, test } from "./fixtures";
import { builtServerAction } from "./support/server-actions";

test("API responses carry the strict headers and problem details", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok", database: "reachable" });
  const headers = health.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["content-security-policy"]).toBe(
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  );
  expect(headers["strict-transport-security"]).toBeUndefined(); // plain http: HSTS would be ignored

  // Unknown /api paths ask for credentials first (nothing about the API is told to strangers);
  // the public discovery path answers 404 as problem details.
  const unauthenticated = await request.get("/api/nothing-here");
  expect(unauthenticated.status()).toBe(401);
  expect(unauthenticated.headers()["content-type"]).toBe("application/problem+json");
  const missing = await request.get("/.well-known/nothing-here");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["content-type"]).toBe("application/problem+json");
  expect(await missing.json()).toMatchObject({ status: 404, title: "Not found" });
});

/** One raw request, answered or not: Playwright's client refuses methods like CONNECT. */
function rawRequest(
  baseURL: string,
  method: string,
  target: string,
): Promise<{ status: number; allow?: string; body: string } | { dropped: string }> {
  const url = new URL(baseURL);
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: target });
    const answered = (res: http.IncomingMessage) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    };
    req.on("response", answered);
    // Node reports a CONNECT's answer as "connect", whatever its status.
    req.on("connect", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body: "" });
    });
    req.on("error", (error) => resolve({ dropped: error.message }));
    req.setTimeout(10_000, () => req.destroy(new Error("no answer in 10 s")));
    req.end();
  });
}

test("methods no path answers get a 405 naming the ones that work, not a 500 or a dropped connection", async ({
  baseURL,
}) => {
  const cases: Array<[method: string, target: string]> = [
    ["TRACE", "/login"],
    ["TRACE", "/api/health"],
    ["PROPFIND", "/"],
    ["CONNECT", "127.0.0.1:443"],
  ];
  for (const [method, target] of cases) {
    const answer = await rawRequest(baseURL ?? "", method, target);
    expect(answer, `${method} ${target}`).toMatchObject({
      status: 405,
      allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    });
  }
  const trace = await rawRequest(baseURL ?? "", "TRACE", "/login");
  expect("body" in trace && JSON.parse(trace.body)).toMatchObject({
    status: 405,
    title: "Method Not Allowed",
  });
});

test("behind the trusted proxy, an X-Forwarded-For the client wrote buys no fresh address", async ({
  request,
}) => {
  // The e2e server trusts one proxy (playwright.config.ts); this test plays it: the right-most
  // entry is the address the proxy saw, everything left of it is what the client sent.
  const FAILURES_PER_ADDRESS = 30; // lib/rate-limit/failures.ts, per 5 minutes
  const guess = (index: number, seenByProxy: string) =>
    request.post("/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: `adk_ck_spoof${index}`,
        client_secret: "guess",
      },
      headers: { "x-forwarded-for": `192.0.2.${index % 250}, ${seenByProxy}` },
    });
  for (let index = 0; index < FAILURES_PER_ADDRESS; index++) {
    expect((await guess(index, "198.51.100.77")).status(), `guess ${index + 1}`).toBe(401);
  }
  expect((await guess(FAILURES_PER_ADDRESS, "198.51.100.77")).status()).toBe(429);
  // Another client behind the same proxy is its own address.
  expect((await guess(FAILURES_PER_ADDRESS + 1, "198.51.100.78")).status()).toBe(401);
});

test("malformed action calls and router headers get a 4xx problem or the form's error, not a 500", async ({
  request,
}) => {
  const call = (name: string, data: string | Buffer, headers: Record<string, string> = {}) => {
    const action = builtServerAction(name);
    return request.post(action.path, {
      headers: { "Next-Action": action.id, "Content-Type": "text/plain;charset=UTF-8", ...headers },
      data,
      maxRedirects: 0,
    });
  };
  // Our own actions: an argument that is not the form gets the form's error.
  for (const name of ["signInAction", "setupAction"]) {
    for (const body of ["[null,null]", '["x"]', "[{},{}]"]) {
      const answer = await call(name, body);
      expect({ name, body, status: answer.status() }).toEqual({ name, body, status: 200 });
      expect(await answer.text()).toContain("This form could not be read");
    }
  }
  // What Next's decoder would have failed on, refused before it.
  const refused: Array<[body: string | Buffer, headers: Record<string, string>, status: number]> = [
    ['"$undefined"', {}, 400],
    ['["$F1"]', {}, 400],
    ['["$h1"]', {}, 400],
    [`${"[".repeat(10_000)}${"]".repeat(10_000)}`, {}, 400],
    ["--x\r\njunk", { "Content-Type": "multipart/form-data; boundary=x" }, 400],
    [
      '--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$B1"]\r\n--x--\r\n',
      { "Content-Type": "multipart/form-data; boundary=x" },
      400,
    ],
    ["[1]", { Origin: "http://evil.example" }, 403],
    ["[1]", { Origin: "::::" }, 400],
    [Buffer.alloc(1024 * 1024 + 1, 0x20), {}, 413],
  ];
  for (const [body, headers, status] of refused) {
    const answer = await call("signInAction", body, headers);
    const label = { body: body.slice(0, 30).toString(), headers };
    expect({ ...label, status: answer.status() }).toEqual({ ...label, status });
    expect(answer.headers()["content-type"]).toBe("application/problem+json");
  }
  for (const state of ["%%", "%ff%fe", "[[[["]) {
    const answer = await request.get("/nope", {
      headers: { RSC: "1", "Next-Router-State-Tree": state },
    });
    expect({ state, status: answer.status() }).toEqual({ state, status: 400 });
    expect(await answer.json()).toMatchObject({ status: 400, title: "Bad Request" });
  }
});

test("pages get a nonce-based CSP without unsafe-eval, and their scripts run under it", async ({
  page,
}) => {
  const response = await page.goto("/login");
  const policy = response?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  expect(policy).not.toContain("unsafe-eval");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(await response?.text()).toContain(`nonce="${nonce}"`);
  // Hydrated: client-side validation answers without a round trip (the fixture fails on CSP errors).
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
});

test("the session cookie is httpOnly and SameSite, and Secure and __Host- behind an https proxy", async ({
  browser,
}) => {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-proto": "https" } });
  const page = await context.newPage();
  const loginPage = await page.goto("/login");
  expect(loginPage?.headers()["strict-transport-security"]).toContain("max-age=");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  // The browser kept the cookie with the attributes the server set (127.0.0.1 counts as a
  // secure context, so Chromium stores a Secure cookie from it).
  const cookies = await context.cookies();
  expect(cookies.map((entry) => entry.name)).not.toContain("authdesk_session");
  const [cookie] = cookies.filter((entry) => entry.name === "__Host-authdesk_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: true, path: "/" });
  // Reading and signing out use the same name: the console opens, and sign-out clears it.
  await page.goto("/api-clients");
  await expect(page).toHaveURL(/\/api-clients$/);
  await page.getByRole("button", { name: /sign out/i }).click();
  await expect(page).toHaveURL(/\/login$/);
  const after = await context.cookies();
  expect(after.filter((entry) => entry.name === "__Host-authdesk_session")).toEqual([]);
  await context.close();
});

test("over plain http the session cookie is not marked Secure (so sign-in works locally)", async ({
  page,
  context,
}) => {
  await page.goto("/login");
  await signIn(page);
  await expect(page).toHaveURL(/\/auth-configs$/);
  const [cookie] = (await context.cookies()).filter((entry) => entry.name === "authdesk_session");
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", secure: false });
});

test("the encryption key is in no page and no client bundle", async ({ page }) => {
  const keyFile = readFileSync(path.join(".e2e-data", "encryption-keys"), "utf8");
  const key = keyFile.trim().split(":")[1] ?? "";
  expect(key.length).toBeGreaterThan(40);
  const staticDir = path.join(".next", "static");
  const bundles = readdirSync(staticDir, { recursive: true, encoding: "utf8" }).filter((file) =>
    file.endsWith(".js"),
  );
  expect(bundles.length).toBeGreaterThan(0);
  for (const file of bundles)
    expect(readFileSync(path.join(staticDir, file), "utf8")).not.toContain(key);
  const html = await (await page.goto("/login"))?.text();
  expect(html).not.toContain(key);
});
