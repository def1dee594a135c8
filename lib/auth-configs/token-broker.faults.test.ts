import type http from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { authConfigs } from "@/db/schema";
import type { Keyring } from "@/lib/crypto";
import type { ResolvedAddress } from "@/lib/outbound/ssrf-guard";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  createTokenBroker,
  describeTokenError,
  type TokenBroker,
  TokenBrokerError,
  type TokenBrokerOptions,
} from "./token-broker";
import {
  type FakeTokenServer,
  insertTestAdmin,
  seedConfig,
  sendJson,
  startFakeTokenServer,
  testKeyring,
} from "./token-broker.testing";

const SECRET = "fault-secret:+% x";
const BODY_MARKER = "UPSTREAM-BODY-DO-NOT-ECHO";
const TOKEN = { access_token: "tok-123", token_type: "Bearer", expires_in: 600 };
const TIMEOUT_MS = 400;
/** Generous slack for a busy two-core machine; the point is that it is bounded, not exact. */
const SLACK_MS = 600;

/** Runs a call expected to fail, returns its TokenBrokerError and how long it took. */
async function failure(call: Promise<unknown>): Promise<{ error: TokenBrokerError; ms: number }> {
  const started = performance.now();
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TokenBrokerError)) throw error;
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(BODY_MARKER);
    expect(describeTokenError(error)).toBe(error.message);
    return { error, ms: performance.now() - started };
  }
  throw new Error("expected the call to fail");
}

describe.each(testDrivers)("token broker faults on %s", (driver) => {
  let handle: DatabaseHandle;
  let keyring: Keyring;
  let admin: { id: string; label: string };
  let server: FakeTokenServer;
  let redirectTarget: FakeTokenServer;
  let clock: number;
  const now = () => clock;
  let brokers: TokenBroker[] = [];

  function broker(overrides: Partial<TokenBrokerOptions> = {}): TokenBroker {
    const created = createTokenBroker({
      db: handle.db,
      keyring,
      allowPrivateTokenUrls: true,
      connectTimeoutMs: TIMEOUT_MS,
      totalTimeoutMs: TIMEOUT_MS,
      now,
      usageFlushIntervalMs: 0,
      ...overrides,
    });
    brokers.push(created);
    return created;
  }

  async function seed(identifier: string, tokenUrl: string, extra: { audience?: string } = {}) {
    return seedConfig(handle.db, keyring, admin, {
      identifier,
      tokenUrl,
      clientId: "fault-client",
      clientSecret: SECRET,
      ...extra,
    });
  }

  /** Seeds a config whose token URL is answered by `handler` on the fake server. */
  async function scenario(identifier: string, handler: http.RequestListener): Promise<void> {
    server.respond(handler);
    await seed(identifier, server.url(`/${identifier}`));
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    keyring = testKeyring();
    admin = await insertTestAdmin(handle.db);
    server = await startFakeTokenServer();
    redirectTarget = await startFakeTokenServer();
  });
  afterAll(async () => {
    await server?.close();
    await redirectTarget?.close();
    await handle?.close();
  });
  beforeEach(async () => {
    clock = Date.UTC(2030, 0, 1, 12);
    server.requests.length = 0;
    await handle.db.delete(authConfigs);
  });
  afterEach(async () => {
    await Promise.all(brokers.map((each) => each.close()));
    brokers = [];
  });

  describe("the request", () => {
    it("is a form POST with grant_type, scope and audience, Basic credentials form-urlencoded", async () => {
      server.respond((_req, res) => sendJson(res, 200, TOKEN));
      await seed("shape", server.url("/shape?tenant=1"), { audience: "https://api.example.com" });
      await broker().getAccessToken("shape");
      const [request] = server.requests;
      expect(request).toMatchObject({ method: "POST", path: "/shape?tenant=1" });
      expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(request?.headers.accept).toBe("application/json");
      expect(request?.headers.authorization).toBe(
        `Basic ${Buffer.from("fault-client:fault-secret%3A%2B%25+x").toString("base64")}`,
      );
      expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
        grant_type: "client_credentials",
        scope: "api:read",
        audience: "https://api.example.com",
      });
    });
  });

  describe("bounded", () => {
    it("times out a server that never answers, within the bound", async () => {
      await scenario("silent", () => {});
      const { error, ms } = await failure(broker().getAccessToken("silent"));
      expect(error.code).toBe("timeout");
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    });

    it("times out a body that trickles in, within the total bound", async () => {
      await scenario("trickle", (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        const timer = setInterval(() => res.write(" "), 50);
        res.on("close", () => clearInterval(timer));
      });
      const { error, ms } = await failure(broker().getAccessToken("trickle"));
      expect(error.code).toBe("timeout");
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    });

    it("refuses a 10 MB body without reading it all", async () => {
      let written = 0;
      let closedEarly = false;
      await scenario("huge", (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (written < 10 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        res.on("close", () => {
          closedEarly = !res.writableFinished;
        });
        pump();
      });
      const { error, ms } = await failure(broker().getAccessToken("huge"));
      expect(error.code).toBe("response_too_large");
      expect(error.message).toContain("64 KiB");
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      await vi.waitFor(() => expect(closedEarly).toBe(true));
      expect(written).toBeLessThan(10 * 1024 * 1024);
    });

    it("refuses a declared 10 MB body before reading any of it", async () => {
      await scenario("declared-huge", (_req, res) => {
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": 10 * 1024 * 1024,
        });
        res.write("{");
      });
      const { error } = await failure(broker().getAccessToken("declared-huge"));
      expect(error.code).toBe("response_too_large");
    });

    it("does not follow a redirect: the target gets nothing", async () => {
      await scenario("redirect", (_req, res) => {
        res.writeHead(302, { location: redirectTarget.url("/stolen") }).end();
      });
      const { error } = await failure(broker().getAccessToken("redirect"));
      expect(error).toMatchObject({ code: "redirect_refused", status: 302 });
      expect(redirectTarget.connections()).toBe(0);
      expect(redirectTarget.requests).toHaveLength(0);
    });

    it("times out a host that does not resolve in time (the connect bound)", async () => {
      await seed("slow-dns", "http://slow-dns.example.test/token");
      const hanging = () => new Promise<ResolvedAddress[]>(() => {});
      const { error, ms } = await failure(
        broker({ resolveHost: hanging, totalTimeoutMs: 5_000 }).getAccessToken("slow-dns"),
      );
      expect(error.code).toBe("timeout");
      expect(error.message).toBe(
        "The token server did not answer in time (its host did not resolve within 0.4 s).",
      );
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    });

    it("reports a refused connection", async () => {
      // The redirect target's port with nothing listening on it any more would race other tests;
      // port 1 on loopback is never ours.
      await seed("refused", "http://127.0.0.1:1/token");
      const { error } = await failure(broker().getAccessToken("refused"));
      expect(error.code).toBe("connection_failed");
      expect(error.message).toBe("Could not reach the token server (ECONNREFUSED).");
    });
  });

  describe("upstream errors become typed errors", () => {
    it("500 without a body", async () => {
      await scenario("five-hundred", (_req, res) => res.writeHead(500).end());
      const { error } = await failure(broker().getAccessToken("five-hundred"));
      expect(error).toMatchObject({ code: "upstream_rejected", status: 500 });
      expect(error.oauthError).toBeUndefined();
      expect(error.message).toBe("The token server refused the request (HTTP 500).");
    });

    it("400 invalid_client, with a description that tries to echo the secret", async () => {
      await scenario("bad-client", (_req, res) =>
        sendJson(res, 400, {
          error: "invalid_client",
          error_description: `secret ${SECRET} is wrong\n${"x".repeat(500)}`,
          debug: BODY_MARKER,
        }),
      );
      const { error } = await failure(broker().getAccessToken("bad-client"));
      expect(error).toMatchObject({
        code: "upstream_rejected",
        status: 400,
        oauthError: "invalid_client",
      });
      expect(error.message).toMatch(
        /^The token server rejected the client credentials \(invalid_client\)\. It said: "secret \[redacted\] is wrong x+…"\.$/,
      );
      expect(error.detail?.length).toBeLessThan(220);
    });

    it("HTML instead of JSON, on success and on error", async () => {
      await scenario("html", (_req, res) =>
        res.writeHead(200, { "content-type": "text/html" }).end(`<html>${BODY_MARKER}</html>`),
      );
      const ok = await failure(broker().getAccessToken("html"));
      expect(ok.error.code).toBe("invalid_response");
      expect(ok.error.message).toContain("text/html, not JSON");

      await scenario("html-error", (_req, res) =>
        res.writeHead(401, { "content-type": "text/html" }).end(`<html>${BODY_MARKER}</html>`),
      );
      const rejected = await failure(broker().getAccessToken("html-error"));
      expect(rejected.error).toMatchObject({ code: "upstream_rejected", status: 401 });
    });

    it.each([
      ["no access_token", { token_type: "Bearer", expires_in: 60 }, "it had no access_token"],
      ["no token_type", { access_token: "t", expires_in: 60 }, "it had no token_type"],
      [
        "a negative expires_in",
        { ...TOKEN, expires_in: -5 },
        "its expires_in was not a positive number",
      ],
      ["an array", [TOKEN], "it was not a JSON object"],
    ])("a 200 with %s is invalid_response", async (_, body, words) => {
      await scenario("malformed", (_req, res) => sendJson(res, 200, body));
      const { error } = await failure(broker().getAccessToken("malformed"));
      expect(error.code).toBe("invalid_response");
      expect(error.message).toContain(words);
    });

    it("a 200 carrying an OAuth error is upstream_rejected", async () => {
      await scenario("ok-but-error", (_req, res) => sendJson(res, 200, { error: "invalid_scope" }));
      const { error } = await failure(broker().getAccessToken("ok-but-error"));
      expect(error).toMatchObject({ code: "upstream_rejected", oauthError: "invalid_scope" });
    });
  });

  describe("documented behaviour", () => {
    it("a response without expires_in lasts defaultLifetimeSeconds (3,600 unless set)", async () => {
      await scenario("no-expiry", (_req, res) =>
        sendJson(res, 200, { access_token: "t1", token_type: "Bearer", scope: "granted" }),
      );
      const token = await broker().getAccessToken("no-expiry");
      expect(token).toEqual({
        accessToken: "t1",
        tokenType: "Bearer",
        expiresAt: new Date(clock + 3_600_000),
        scope: "granted",
      });
      const custom = await broker({ defaultLifetimeSeconds: 120 }).getAccessToken("no-expiry");
      expect(custom.expiresAt).toEqual(new Date(clock + 120_000));
    });

    it("a numeric-string expires_in is accepted; without a granted scope the requested one is reported", async () => {
      await scenario("string-expiry", (_req, res) =>
        sendJson(res, 200, { access_token: "t2", token_type: "bearer", expires_in: "90" }),
      );
      const token = await broker().getAccessToken("string-expiry");
      expect(token).toMatchObject({ expiresAt: new Date(clock + 90_000), scope: "api:read" });
    });
  });

  describe("failures", () => {
    it("reach every concurrent waiter, from one upstream request, and are not cached as success", async () => {
      await scenario("fails-slowly", (_req, res) => {
        setTimeout(() => sendJson(res, 503, { error: "temporarily_unavailable" }), 50);
      });
      const tokens = broker();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => tokens.getAccessToken("fails-slowly")),
      );
      expect(server.requests).toHaveLength(1);
      for (const result of results) {
        expect(result.status).toBe("rejected");
        expect((result as PromiseRejectedResult).reason).toMatchObject({
          code: "upstream_rejected",
          oauthError: "temporarily_unavailable",
        });
      }
      // Once the back-off has passed, the next caller asks again (and now succeeds).
      server.respond((_req, res) => sendJson(res, 200, TOKEN));
      clock += 1_000;
      expect((await tokens.getAccessToken("fails-slowly")).accessToken).toBe("tok-123");
      expect(server.requests).toHaveLength(2);
    });

    it("back off exponentially: calls during the back-off make no upstream request", async () => {
      await scenario("flaky", (_req, res) => res.writeHead(500).end());
      const tokens = broker();
      await failure(tokens.getAccessToken("flaky"));
      expect(server.requests).toHaveLength(1);

      const during = await failure(tokens.getAccessToken("flaky"));
      expect(during.error).toMatchObject({
        code: "backing_off",
        retryAfterSeconds: 1,
        status: 500,
      });
      expect(during.error.message).toBe(
        "Not asking the token server again for 1 s after a failure. Last failure: The token server refused the request (HTTP 500).",
      );
      expect(server.requests).toHaveLength(1);

      // 1 s, then 2 s, then 4 s.
      for (const [waitMs, failuresSoFar] of [
        [1_000, 2],
        [2_000, 3],
        [4_000, 4],
      ] as const) {
        clock += waitMs - 1;
        expect((await failure(tokens.getAccessToken("flaky"))).error.code).toBe("backing_off");
        clock += 1;
        expect((await failure(tokens.getAccessToken("flaky"))).error.code).toBe(
          "upstream_rejected",
        );
        expect(server.requests).toHaveLength(failuresSoFar);
      }
      const longest = await failure(tokens.getAccessToken("flaky"));
      expect(longest.error.retryAfterSeconds).toBe(8);

      // Capped at 60 s however long it keeps failing.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        clock += 60_000;
        await failure(tokens.getAccessToken("flaky"));
      }
      expect((await failure(tokens.getAccessToken("flaky"))).error.retryAfterSeconds).toBe(60);

      // Recovery resets the back-off.
      server.respond((_req, res) => sendJson(res, 200, { ...TOKEN, expires_in: 1 }));
      clock += 60_000;
      expect((await tokens.getAccessToken("flaky")).accessToken).toBe("tok-123");
      server.respond((_req, res) => res.writeHead(500).end());
      clock += 1_001;
      await failure(tokens.getAccessToken("flaky"));
      expect((await failure(tokens.getAccessToken("flaky"))).error.retryAfterSeconds).toBe(1);
    });

    it("honour Retry-After on 429 and 503 (up to 60 s)", async () => {
      await scenario("throttled", (_req, res) =>
        sendJson(res, 429, { error: "slow_down" }, { "retry-after": "30" }),
      );
      const tokens = broker();
      const first = await failure(tokens.getAccessToken("throttled"));
      expect(first.error).toMatchObject({
        code: "upstream_rejected",
        status: 429,
        retryAfterSeconds: 30,
      });
      clock += 29_000;
      expect((await failure(tokens.getAccessToken("throttled"))).error).toMatchObject({
        code: "backing_off",
        retryAfterSeconds: 1,
      });
      expect(server.requests).toHaveLength(1);
    });

    it("keep serving a still-valid token while refreshing it fails", async () => {
      let fail = false;
      await scenario("refresh-fails", (_req, res) =>
        fail
          ? sendJson(res, 503, { error: "temporarily_unavailable" }, { "retry-after": "30" })
          : sendJson(res, 200, { ...TOKEN, expires_in: 100 }),
      );
      const tokens = broker();
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const first = await tokens.getAccessToken("refresh-fails");
      fail = true;
      // In the refresh-ahead window (the last 10 s): the valid token, and a refresh that fails.
      clock += 95_000;
      expect(await tokens.getAccessToken("refresh-fails")).toEqual(first);
      await vi.waitFor(() => expect(warn).toHaveBeenCalledOnce());
      expect(server.requests).toHaveLength(2);
      expect(String(warn.mock.calls[0]?.[0])).toContain("temporarily_unavailable");
      expect(String(warn.mock.calls[0]?.[0])).not.toContain(SECRET);
      // Within the back-off: still the valid token, no new request.
      clock += 4_000;
      expect(await tokens.getAccessToken("refresh-fails")).toEqual(first);
      expect(server.requests).toHaveLength(2);
      // Expired and still backing off: the caller is told so, still without a request.
      clock += 1_001;
      const { error } = await failure(tokens.getAccessToken("refresh-fails"));
      expect(error).toMatchObject({ code: "backing_off", oauthError: "temporarily_unavailable" });
      expect(server.requests).toHaveLength(2);
      warn.mockRestore();
    });

    it("leave the broker serving other configs", async () => {
      await scenario("broken", (_req, res) => res.writeHead(500).end());
      await seed("healthy", server.url("/healthy"));
      server.respond((req, res) =>
        req.url === "/healthy" ? sendJson(res, 200, TOKEN) : res.writeHead(500).end(),
      );
      const tokens = broker();
      await failure(tokens.getAccessToken("broken"));
      await failure(tokens.getAccessToken("broken"));
      expect((await tokens.getAccessToken("healthy")).accessToken).toBe("tok-123");
    });
  });

  describe("SSRF guard (private token URLs not allowed)", () => {
    const resolveHost = vi.fn(async (hostname: string): Promise<ResolvedAddress[]> => {
      if (hostname === "loopback.example.test") return [{ address: "127.0.0.1", family: 4 }];
      if (hostname === "mixed.example.test") {
        return [
          { address: "93.184.216.34", family: 4 },
          { address: "127.0.0.1", family: 4 },
        ];
      }
      if (hostname === "mapped.example.test") return [{ address: "::ffff:127.0.0.1", family: 6 }];
      throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    });

    it.each([
      ["loopback", (port: number) => `https://127.0.0.1:${port}/token`],
      ["10.1.2.3", () => "https://10.1.2.3/token"],
      ["cloud metadata", () => "https://169.254.169.254/latest/meta-data"],
      ["IPv4-mapped IPv6", (port: number) => `https://[::ffff:7f00:1]:${port}/`],
      ["decimal IPv4", (port: number) => `https://2130706433:${port}/`],
      ["hex IPv4", (port: number) => `https://0x7f000001:${port}/`],
      ["octal IPv4", (port: number) => `https://0177.0.0.1:${port}/`],
      ["IPv6 loopback", (port: number) => `https://[::1]:${port}/`],
      ["AWS IPv6 metadata", () => "https://[fd00:ec2::254]/"],
      [
        "a name resolving to loopback",
        (port: number) => `https://loopback.example.test:${port}/token`,
      ],
      [
        "a name resolving to public + loopback",
        (port: number) => `https://mixed.example.test:${port}/token`,
      ],
      [
        "a name resolving to mapped loopback",
        (port: number) => `https://mapped.example.test:${port}/token`,
      ],
      ["plain http", (port: number) => `http://127.0.0.1:${port}/token`],
    ])("refuses %s before any connection", async (_, url) => {
      const before = server.connections();
      await seed("guarded", url(server.port));
      const tokens = broker({ allowPrivateTokenUrls: false, resolveHost });
      const { error } = await failure(tokens.getAccessToken("guarded"));
      expect(error.code).toBe("blocked_address");
      expect(server.connections()).toBe(before);
    });

    it("names the kind of address, never the address itself", async () => {
      await seed("metadata", "https://169.254.169.254/latest/meta-data");
      const { error } = await failure(
        broker({ allowPrivateTokenUrls: false, resolveHost }).getAccessToken("metadata"),
      );
      expect(error.message).toBe(
        "The access token URL is not allowed: its host is a cloud metadata service. Token URLs must be public https addresses unless private token URLs are allowed.",
      );
    });

    it("when private URLs are allowed, connects to the resolved address it checked, with the name as Host", async () => {
      server.respond((_req, res) => sendJson(res, 200, TOKEN));
      await seed("pinned", `http://loopback.example.test:${server.port}/token`);
      // The second answer would be a rebinding attempt: it is never asked for.
      const rebinding = vi
        .fn<(hostname: string) => Promise<ResolvedAddress[]>>()
        .mockResolvedValueOnce([{ address: "127.0.0.1", family: 4 }])
        .mockResolvedValue([{ address: "10.9.9.9", family: 4 }]);
      const token = await broker({ resolveHost: rebinding }).getAccessToken("pinned");
      expect(token.accessToken).toBe("tok-123");
      expect(rebinding).toHaveBeenCalledTimes(1);
      expect(server.requests.at(-1)?.headers.host).toBe(`loopback.example.test:${server.port}`);
    });
  });
});
