import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ResolvedAddress, ResolveHost } from "@/lib/outbound/ssrf-guard";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import { createSandbox, type Sandbox, type SandboxOutcome } from "./index";

/**
 * The sandbox end to end: real worker threads, real QuickJS, real loopback HTTP servers. Every
 * hostile run is followed by a plain one, to show that whatever the code did, the next run works.
 */

const SEED = `const response = await fetch(secrets.base_url + '/me', {
  headers: { 'Authorization': 'Bearer ' + secrets.api_key }
});
if (!response.ok) throw new Error('Invalid credentials');
return { success: true };`;

const GOOD_KEY = "good-key-4f9a";
/** Generous for a busy two-core machine: what matters is that a run is bounded, not exact. */
const SLACK_MS = 1_500;

const loopbackOnly: ResolveHost = async (hostname) => {
  if (hostname.endsWith(".test")) return [{ address: "127.0.0.1", family: 4 }];
  throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
};

async function expectHealthy(sandbox: Sandbox): Promise<void> {
  const outcome = await sandbox.run({ code: "return 'still fine'", secrets: {} });
  expect(outcome).toMatchObject({ ok: true, value: "still fine" });
}

/** Every string in the outcome, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  }
  return [];
}

/** No field shows a secret, whole or by its first 4 characters. */
function expectNoSecret(outcome: SandboxOutcome, secrets: Record<string, string>): void {
  for (const text of strings(outcome)) {
    for (const secret of Object.values(secrets)) expect(text).not.toContain(secret.slice(0, 4));
  }
}

function failed(outcome: SandboxOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome;
}

describe("sandbox", () => {
  let api: RecordingServer;
  let other: RecordingServer;
  let sandbox: Sandbox;
  let guarded: Sandbox;

  beforeAll(async () => {
    api = await startRecordingServer();
    other = await startRecordingServer();
    // Private addresses allowed (AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS=true), as the loopback servers need.
    sandbox = createSandbox({ allowPrivateAddresses: true, resolveHost: loopbackOnly });
    // The production setting.
    guarded = createSandbox({
      allowPrivateAddresses: false,
      resolveHost: loopbackOnly,
      poolSize: 1,
    });
    // Warm both, so that cold starts do not count against the timing checks below.
    await Promise.all([expectHealthy(sandbox), expectHealthy(guarded)]);
  });
  afterAll(async () => {
    await sandbox?.close();
    await guarded?.close();
    await api?.close();
    await other?.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
    other.requests.length = 0;
    api.respond((req, res) =>
      req.headers.authorization === `Bearer ${GOOD_KEY}`
        ? sendJson(res, 200, { id: "user-1" })
        : sendJson(res, 401, { error: "unauthorized" }),
    );
  });

  describe("the seed's example", () => {
    it("passes with a good key and fails with a bad one; the report redacts the secrets", async () => {
      const secrets = { base_url: api.url(""), api_key: GOOD_KEY };
      const passed = await sandbox.run({ code: SEED, secrets });
      expect(passed).toMatchObject({
        ok: true,
        value: { success: true },
        logs: [],
        // base_url is a secret field too, so the URL shows as redacted.
        fetches: [{ method: "GET", url: "[redacted]/me", status: 200 }],
      });
      expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);

      const rejected = failed(
        await sandbox.run({ code: SEED, secrets: { ...secrets, api_key: "bad-key-77" } }),
      );
      expect(rejected).toMatchObject({
        kind: "threw",
        error: { name: "Error", message: "Invalid credentials" },
        fetches: [{ method: "GET", url: "[redacted]/me", status: 401 }],
      });
      await expectHealthy(sandbox);
    });
  });

  describe("runaway code", () => {
    it.each([
      ["an endless loop", "while (true) {}"],
      ["an endless loop after an await", "await null; while (true) {}"],
      ["an endless loop after a fetch", `await fetch(secrets.url); for (;;) {}`],
    ])("%s times out at the deadline", async (_, code) => {
      const outcome = failed(await sandbox.run({ code, secrets: { url: api.url("/") } }));
      expect(outcome.kind).toBe("timeout");
      expect(outcome.error).toEqual({
        name: "TimeoutError",
        message: "the code did not finish within 1 s",
      });
      expect(outcome.durationMs).toBeGreaterThanOrEqual(950);
      expect(outcome.durationMs).toBeLessThan(1_000 + SLACK_MS);
      await expectHealthy(sandbox);
    });

    it("a promise that never settles ends at once: nothing is left that could settle it", async () => {
      const outcome = failed(
        await sandbox.run({ code: "await new Promise(() => {})", secrets: {} }),
      );
      expect(outcome).toMatchObject({
        kind: "timeout",
        error: { message: "the code is waiting for a promise that nothing can settle" },
      });
      expect(outcome.durationMs).toBeLessThan(500);
      await expectHealthy(sandbox);
    });

    it.each([
      ["a huge string", "return 'x'.repeat(1e9).length"],
      ["a huge array", "return new Array(1e8).fill(0).length"],
      ["an array grown without end", "const a = []; for (;;) a.push({ n: a.length });"],
      ["strings grown without end", "let s = 'x'; for (;;) s = s + s.slice(0, 1e5) + '!';"],
    ])("%s runs out of memory", async (_, code) => {
      const outcome = failed(await sandbox.run({ code, secrets: {} }));
      expect(outcome).toMatchObject({
        kind: "resources",
        error: { name: "InternalError", message: "out of memory" },
      });
      await expectHealthy(sandbox);
    });

    it.each([
      ["deep recursion", "function down(n) { return down(n + 1) + 1 } return down(0);"],
      ["deeply nested JSON", "return JSON.parse('['.repeat(1e5));"],
      [
        "deep recursion in the parser",
        "let s = '1'; for (let i = 0; i < 1e4; i++) s = '(' + s + ')'; return eval(s);",
      ],
    ])("%s runs out of stack", async (_, code) => {
      const outcome = failed(await sandbox.run({ code, secrets: {} }));
      // QuickJS's parser reports its overflow as a SyntaxError, which the code could have caught.
      expect(outcome.kind === "resources" || outcome.error.name === "SyntaxError").toBe(true);
      expect(outcome.error.message).toBe("stack overflow");
      await expectHealthy(sandbox);
    });

    it("a built-in that never consults the interrupt handler is cut off by terminating its worker", async () => {
      // join() prints a 250,000-digit BigInt four times inside QuickJS's C code, where the
      // interrupt handler is not asked: about 2 s each on the development machine. The pool
      // terminates the worker at the deadline plus its margin, and the next run gets a fresh one.
      const code = "const big = 7n ** 300000n; return [big, big, big, big].join().length";
      const outcome = failed(await sandbox.run({ code, secrets: {} }));
      expect(outcome).toMatchObject({
        kind: "timeout",
        error: { name: "TimeoutError", message: "the code did not finish within 1 s" },
      });
      expect(outcome.durationMs).toBeGreaterThanOrEqual(1_000 + 250 - 10);
      expect(outcome.durationMs).toBeLessThan(1_000 + 250 + SLACK_MS);
      await expectHealthy(sandbox);
    });
  });

  describe("no way out", () => {
    it.each([
      ['globalThis.constructor.constructor("return process")()'],
      ["this.constructor.constructor('return process')()"],
      ["(async function(){}).constructor('return process')()"],
    ])("%s finds no process", async (expression) => {
      const outcome = failed(await sandbox.run({ code: `return ${expression};`, secrets: {} }));
      expect(outcome).toMatchObject({
        kind: "threw",
        error: { name: "ReferenceError", message: "'process' is not defined" },
      });
      await expectHealthy(sandbox);
    });

    it("the global the Function constructor reaches is QuickJS's own, without host objects", async () => {
      const code = `
        const global = globalThis.constructor.constructor("return this")();
        return {
          same: global === globalThis,
          types: [typeof process, typeof require, typeof Buffer, typeof setTimeout,
                  typeof setInterval, typeof queueMicrotask, typeof WebAssembly, typeof module],
          hostNames: Object.getOwnPropertyNames(global).filter((name) => /host|bridge/i.test(name)),
        };`;
      const outcome = await sandbox.run({ code, secrets: {} });
      expect(outcome).toMatchObject({
        ok: true,
        value: { same: true, types: Array(8).fill("undefined"), hostNames: [] },
      });
    });

    it("require, process and setTimeout are not defined, and import() loads nothing", async () => {
      for (const [code, message] of [
        ["require('fs')", "'require' is not defined"],
        ["process.exit(1)", "'process' is not defined"],
        ["setTimeout(() => {}, 1)", "'setTimeout' is not defined"],
        ["await import('fs')", "could not load module 'fs'"],
        ["await import('node:child_process')", "could not load module 'node:child_process'"],
      ]) {
        const outcome = failed(await sandbox.run({ code: code as string, secrets: {} }));
        expect(outcome.error.message).toBe(message);
      }
      await expectHealthy(sandbox);
    });

    it("a run cannot read what an earlier run left in its worker's memory", async () => {
      // One worker, so both runs share its WebAssembly memory; fresh buffers must come zeroed.
      const secrets = { key: "LEFT-BEHIND-SECRET" };
      const spread =
        "const parts = []; for (let i = 0; i < 5000; i++) parts.push(secrets.key + i); return parts.join('').length";
      expect((await guarded.run({ code: spread, secrets })).ok).toBe(true);
      const scan = `
        const found = [];
        for (const bytes of [new Uint8Array(1 << 20), new Uint8Array(new ArrayBuffer(1 << 19))]) {
          for (let value = 1; value < 256; value += 1) if (bytes.indexOf(value) >= 0) { found.push(value); break; }
        }
        return found;`;
      expect(await guarded.run({ code: scan, secrets: {} })).toMatchObject({ ok: true, value: [] });
    });

    it("changes to built-ins do not outlive the run", async () => {
      const polluted = await sandbox.run({
        code: "Object.prototype.polluted = 1; Array.prototype.push = null; JSON.stringify = () => '\"x\"'; return 1",
        secrets: {},
      });
      expect(polluted).toMatchObject({ ok: true, value: 1 });
      const next = await sandbox.run({
        code: "const a = []; a.push(1); return [({}).polluted === undefined, JSON.stringify(a)]",
        secrets: {},
      });
      expect(next).toMatchObject({ ok: true, value: [true, "[1]"] });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe("fetch goes through the SSRF guard", () => {
    const attempt = (url: string) =>
      `try { await fetch(${JSON.stringify(url)}); return 'reached'; } catch (error) { return String(error); }`;

    it("refuses the cloud metadata address even when private addresses are allowed", async () => {
      const outcome = await sandbox.run({
        code: attempt("http://169.254.169.254/latest/meta-data/"),
        secrets: {},
      });
      expect(outcome).toMatchObject({
        ok: true,
        value:
          "TypeError: fetch failed: the address is not allowed: its host is a cloud metadata service",
        fetches: [
          {
            method: "GET",
            url: "http://169.254.169.254/latest/meta-data/",
            status: null,
            error: "the address is not allowed: its host is a cloud metadata service",
          },
        ],
      });
      await expectHealthy(sandbox);
    });

    it("without the setting, refuses loopback, names that resolve to it, and plain http, before connecting", async () => {
      const connections = api.connections();
      const cases: [string, string][] = [
        [`https://127.0.0.1:${api.port}/`, "its host is a loopback address"],
        [`https://[::1]:${api.port}/`, "its host is a loopback address"],
        [`https://loopback.test:${api.port}/`, "its host is a loopback address"],
        [`https://10.1.2.3/`, "its host is a private network address"],
        ["https://169.254.169.254/", "its host is a cloud metadata service"],
        [`http://127.0.0.1:${api.port}/`, "only https URLs can be fetched"],
      ];
      for (const [url, words] of cases) {
        const outcome = await guarded.run({ code: attempt(url), secrets: {} });
        expect(outcome.ok && outcome.value).toBe(
          words.startsWith("only")
            ? `TypeError: fetch failed: ${words}`
            : `TypeError: fetch failed: the address is not allowed: ${words}`,
        );
      }
      expect(api.connections()).toBe(connections);
      await expectHealthy(guarded);
    });

    it("without the setting, refuses localhost through the system resolver too", async () => {
      const plain = createSandbox({ allowPrivateAddresses: false, poolSize: 1 });
      try {
        const outcome = await plain.run({
          code: attempt(`https://localhost:${api.port}/`),
          secrets: {},
        });
        expect(outcome.ok && outcome.value).toMatch(
          /^TypeError: fetch failed: the address is not allowed: its host is a loopback address$/,
        );
      } finally {
        await plain.close();
      }
    });

    it("checks every redirect hop again: a redirect to the metadata service is refused, by address or by name", async () => {
      // Allowing private addresses is what lets a loopback server start the chain here; the
      // metadata service stays refused under that setting, so the refusal below can only come
      // from the guard checking the second hop. (fetch-bridge.test.ts shows the same for a
      // loopback target with private addresses not allowed.)
      const metadataByName: ResolveHost = async (hostname): Promise<ResolvedAddress[]> =>
        hostname === "metadata.test"
          ? [{ address: "169.254.169.254", family: 4 }]
          : loopbackOnly(hostname);
      const redirecting = createSandbox({
        allowPrivateAddresses: true,
        resolveHost: metadataByName,
        poolSize: 1,
      });
      try {
        for (const target of [
          "http://169.254.169.254/latest/meta-data/",
          "http://metadata.test/",
        ]) {
          api.respond((_req, res) => res.writeHead(302, { location: target }).end());
          const outcome = await redirecting.run({ code: attempt(api.url("/start")), secrets: {} });
          expect(outcome).toMatchObject({
            ok: true,
            value:
              "TypeError: fetch failed: the address is not allowed: its host is a cloud metadata service",
            fetches: [{ url: api.url("/start"), status: null }],
          });
        }
      } finally {
        await redirecting.close();
      }
    });

    it("follows up to 3 redirects, drops credentials on a change of origin, and reports the final status", async () => {
      api.respond((req, res) => {
        const hop = Number(req.url?.split("/").at(-1));
        const location = hop < 2 ? api.url(`/hop/${hop + 1}`) : other.url("/final");
        res.writeHead(hop === 0 ? 303 : 307, { location }).end();
      });
      other.respond((_req, res) => sendJson(res, 200, { done: true }));
      const code = `
        const response = await fetch(secrets.start, {
          method: 'POST', body: 'x=1', headers: { authorization: 'Bearer ' + secrets.key, 'x-keep': 'yes' },
        });
        return { status: response.status, url: response.url, redirected: response.redirected, body: await response.json() };`;
      const outcome = await sandbox.run({
        code,
        secrets: { start: api.url("/hop/0"), key: GOOD_KEY },
      });
      expect(outcome).toMatchObject({
        ok: true,
        value: { status: 200, url: other.url("/final"), redirected: true, body: { done: true } },
        fetches: [{ method: "POST", url: "[redacted]", status: 200 }],
      });
      // 303 turned the POST into a GET without a body; the 307 after it kept the GET.
      expect(api.requests.map((request) => [request.method, request.path])).toEqual([
        ["POST", "/hop/0"],
        ["GET", "/hop/1"],
        ["GET", "/hop/2"],
      ]);
      expect(api.requests[1]?.headers.authorization).toBe(`Bearer ${GOOD_KEY}`);
      expect(other.requests[0]?.headers.authorization).toBeUndefined();
      expect(other.requests[0]?.headers["x-keep"]).toBe("yes");

      api.respond((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
      const endless = await sandbox.run({ code: attempt(api.url("/loop")), secrets: {} });
      expect(endless).toMatchObject({
        ok: true,
        value: "TypeError: fetch failed: more than 3 redirects",
        fetches: [{ status: 302, error: "more than 3 redirects" }],
      });
      expect(api.requests.length).toBe(3 + 4);
    });
  });

  describe("secrets stay out of the report", () => {
    const secrets = { api_key: "sk_live_Zq8+x/y z", user: "alice@example.com" };

    it("are redacted from a thrown message, logs, fetch URLs and the returned value, in their encoded forms too", async () => {
      api.respond((_req, res) => sendJson(res, 200, {}));
      const code = `
        console.log('key', secrets.api_key, 'basic', btoa(secrets.api_key));
        console.log('query', encodeURIComponent(secrets.api_key));
        await fetch('${api.url("/q")}?key=' + encodeURIComponent(secrets.api_key) + '&u=' + secrets.user);
        await fetch(new URL('/p/' + secrets.api_key, '${api.url("/")}'));
        throw new Error('rejected ' + secrets.api_key + ' for ' + secrets.user);`;
      const outcome = failed(await sandbox.run({ code, secrets }));
      expect(outcome.error.message).toBe("rejected [redacted] for [redacted]");
      expect(outcome.logs).toEqual(["key [redacted] basic [redacted]", "query [redacted]"]);
      expect(outcome.fetches.map((each) => each.url)).toEqual([
        `${api.url("/q")}?key=[redacted]&u=[redacted]`,
        `${api.url("/p/")}[redacted]`,
      ]);
      const serialised = JSON.stringify(outcome);
      for (const value of Object.values(secrets)) expect(serialised).not.toContain(value);

      const returned = await sandbox.run({ code: "return { echoed: secrets.api_key }", secrets });
      expect(returned).toMatchObject({ ok: true, value: { echoed: "[redacted]" } });
    });

    it('returnValue "raw" keeps them in the returned value only, for OAuth code that must return them', async () => {
      api.respond((_req, res) => sendJson(res, 200, {}));
      const code = `
        console.log('key', secrets.api_key);
        await fetch('${api.url("/q")}?key=' + encodeURIComponent(secrets.api_key));
        return { echoed: secrets.api_key, user: secrets.user };`;
      const outcome = await sandbox.run({ code, secrets, returnValue: "raw" });
      expect(outcome).toMatchObject({
        ok: true,
        value: { echoed: secrets.api_key, user: secrets.user },
      });
      expect(outcome.logs).toEqual(["key [redacted]"]);
      expect(outcome.fetches.map((each) => each.url)).toEqual([`${api.url("/q")}?key=[redacted]`]);

      const thrown = failed(
        await sandbox.run({
          code: "throw new Error(secrets.api_key)",
          secrets,
          returnValue: "raw",
        }),
      );
      expect(thrown.error.message).toBe("[redacted]");
    });

    it("a secret in a long URL is redacted before the URL is cut, at either cut", async () => {
      const key = "Zq8-path-secret-0123456789";
      // 600 characters, no two alike in a row.
      const long = Array.from(
        { length: 150 },
        (_, i) => `L${i.toString(36).padStart(3, "0")}`,
      ).join("");
      const code = `
        // Refused by the host (a space in the host name). The key straddles 200 characters, where
        // the report once cut the URL before redacting it, and 1,000, where it cuts it now.
        const atHostCut = "https://a b.example/" + "p".repeat(175) + secrets.key + "p".repeat(770) + secrets.key;
        // Refused in the worker (over 8,192 characters), which passes on only the start: the
        // 14th copy of the long secret is cut there, and the 13 before it shrink to [redacted].
        const atWorkerCut = "https://a.example/" + secrets.long.repeat(20);
        for (const url of [atHostCut, atWorkerCut]) await fetch(url).catch(() => {});
        return 1;`;
      const outcome = await sandbox.run({ code, secrets: { key, long } });
      expect(outcome.fetches.map((each) => each.error)).toEqual([
        "the URL is not valid",
        "the URL is longer than 8192 characters",
      ]);
      expectNoSecret(outcome, { key, long });
      expect(outcome.fetches[1]?.url).toBe(`https://a.example/${"[redacted]".repeat(13)}…`);
    });

    it("a secret used as the method is redacted, sent or refused", async () => {
      const secrets = {
        url: api.url("/m"),
        token: "Zq8SECRETMETHOD",
        long: `Lk3${"M".repeat(40)}`,
        spaced: "Sp4 secret with spaces in it",
      };
      const code = `
        const out = [];
        for (const method of [secrets.token, secrets.long, secrets.spaced]) {
          try { out.push((await fetch(secrets.url, { method })).status); }
          catch (error) { out.push(String(error)); }
        }
        return out;`;
      const outcome = await sandbox.run({ code, secrets });
      expect(outcome).toMatchObject({
        ok: true,
        value: [
          // Sent: Node's HTTP server answers a method it does not know with 400.
          400,
          "TypeError: fetch failed: the method is not allowed",
          'TypeError: fetch: "[redacted]" is not an allowed method',
        ],
      });
      // The long one was refused in the worker, which passed on its first 32 characters only: all
      // of them the start of a secret, so all removed.
      expect(outcome.fetches.map((each) => each.method)).toEqual(["[redacted]", "…"]);
      expectNoSecret(outcome, { token: secrets.token, long: secrets.long, spaced: secrets.spaced });
    });

    it("a secret cut in half by the guest's text limit does not slide into view", async () => {
      // 600 characters: its base64 (800) sets how much text the guest sends (500 + 800), which
      // cuts the third copy; the first two then shrink to [redacted] on the host.
      const long = `Zq8${"0123456789abcdef".repeat(37)}x`.slice(0, 600);
      const code = `
        console.log(secrets.long + secrets.long + secrets.long);
        throw new Error(secrets.long + secrets.long + secrets.long);`;
      const outcome = failed(await sandbox.run({ code, secrets: { long } }));
      expect(outcome.logs).toEqual(["[redacted][redacted]…"]);
      expect(outcome.error).toEqual({ name: "Error", message: "[redacted][redacted]…" });
      expectNoSecret(outcome, { long });
    });

    it("a secret logged inside an object, JSON-escaped, is redacted", async () => {
      const quoted = 'Zq8"quoted\\secret';
      const outcome = await sandbox.run({
        code: "console.log({ key: secrets.quoted }); return 1",
        secrets: { quoted },
      });
      expect(outcome.logs).toEqual(['{"key":"[redacted]"}']);
    });

    it("a secret longer than the log line limit is still redacted whole", async () => {
      const long = "s".repeat(600);
      const outcome = await sandbox.run({
        code: "console.log('x'.repeat(450) + secrets.long); return 1",
        secrets: { long },
      });
      expect(outcome.logs[0]).toBe(`${"x".repeat(450)}[redacted]`);
    });
  });

  describe("syntax", () => {
    it("checkSyntax reports QuickJS's own message, and accepts a valid body", async () => {
      expect(await sandbox.checkSyntax(SEED)).toEqual({ ok: true });
      expect(await sandbox.checkSyntax("return (1 +")).toEqual({
        ok: false,
        message: "SyntaxError: unexpected token in expression: '}'",
      });
      expect(await sandbox.checkSyntax("const a = 1;\nconst a = 2;")).toEqual({
        ok: false,
        message: "SyntaxError: invalid redefinition of lexical identifier",
      });
      expect(await sandbox.checkSyntax("await fetch(")).toMatchObject({ ok: false });
    });

    it("checkSyntax refuses a body that closes its wrapper early", async () => {
      for (const code of [
        "}); globalThis.escaped = 1; (function(){",
        "} + (globalThis.escaped = 1) + function(){",
        "}, async function anonymous(secrets,fetch\n) {\n",
      ]) {
        expect(await sandbox.checkSyntax(code)).toEqual({
          ok: false,
          message: "SyntaxError: the code closes the function it is wrapped in",
        });
        expect(failed(await sandbox.run({ code, secrets: {} })).kind).toBe("syntax");
      }
    });

    it.each([
      ["an endless loop", "}); for (;;) {} (function(){"],
      // QuickJS turns an interrupt inside an async function into a rejection the code can catch.
      [
        "a loop that evades the interrupt",
        "}); for (;;) (async () => { for (;;); })().catch(() => {}); (function(){",
      ],
      ["a built-in that never consults the interrupt", "}); [7n ** 300000n].join(); (function(){"],
    ])(
      "a body that closes its wrapper and then runs %s is refused as such within a short deadline",
      async (_, code) => {
        const started = performance.now();
        expect(await sandbox.checkSyntax(code)).toEqual({
          ok: false,
          message: "SyntaxError: the code closes the function it is wrapped in",
        });
        // 100 ms for the check, 250 ms more before a worker that does not answer is terminated.
        expect(performance.now() - started).toBeLessThan(350 + SLACK_MS / 3);
        const outcome = failed(await sandbox.run({ code, secrets: {} }));
        expect(outcome).toMatchObject({
          kind: "syntax",
          error: { name: "SyntaxError", message: "the code closes the function it is wrapped in" },
        });
        expect(outcome.durationMs).toBeLessThan(350 + SLACK_MS / 3);
        await expectHealthy(sandbox);
      },
    );

    it("a run with a syntax error fails as syntax and runs nothing", async () => {
      const outcome = failed(
        await sandbox.run({ code: `await fetch('${api.url("/")}'); return )`, secrets: {} }),
      );
      expect(outcome).toMatchObject({
        kind: "syntax",
        error: { name: "SyntaxError", message: "unexpected token in expression: ')'" },
        fetches: [],
      });
      expect(api.requests).toHaveLength(0);
    });
  });

  describe("output limits", () => {
    it("refuses a returned value over 8 KiB of JSON, clearly", async () => {
      const outcome = failed(await sandbox.run({ code: "return 'x'.repeat(9000)", secrets: {} }));
      expect(outcome).toMatchObject({
        kind: "threw",
        error: {
          name: "ResultError",
          message: "the returned value is 9002 bytes as JSON; the limit is 8192",
        },
      });
      const fits = await sandbox.run({ code: "return 'x'.repeat(8000)", secrets: {} });
      expect(fits.ok).toBe(true);
    });

    it("refuses values that are not JSON, and counts no return as null", async () => {
      expect(failed(await sandbox.run({ code: "return 10n", secrets: {} })).error.message).toBe(
        "the returned value cannot be turned into JSON: Do not know how to serialize a BigInt",
      );
      expect(await sandbox.run({ code: "const x = 1;", secrets: {} })).toMatchObject({
        ok: true,
        value: null,
      });
    });

    it("keeps 20 log lines of at most 500 characters", async () => {
      const outcome = await sandbox.run({
        code: "for (let i = 0; i < 50; i++) console.log(i, 'y'.repeat(1000)); return 1",
        secrets: {},
      });
      expect(outcome.logs).toHaveLength(20);
      expect(outcome.logs[19]).toMatch(/^19 y+…$/);
      expect(outcome.logs.every((line) => line.length === 500)).toBe(true);
    });

    it("bounds an error's name and message, and shows thrown non-errors as values", async () => {
      const long = failed(
        await sandbox.run({
          code: "const e = new Error('m'.repeat(5000)); e.name = 'N'.repeat(300); throw e",
          secrets: {},
        }),
      );
      expect(long.error.name).toHaveLength(100);
      expect(long.error.message).toHaveLength(500);
      expect(failed(await sandbox.run({ code: "throw { code: 401 }", secrets: {} })).error).toEqual(
        {
          name: "Error",
          message: '{"code":401}',
        },
      );
      expect(failed(await sandbox.run({ code: "throw 'plain words'", secrets: {} })).error).toEqual(
        {
          name: "Error",
          message: "plain words",
        },
      );
    });

    it("a response body over 64 KiB is an error in the code, not a hang; so is a request body over 64 KiB", async () => {
      api.respond((_req, res) => res.writeHead(200).end("z".repeat(65 * 1024)));
      const code = `
        const results = [];
        try { await fetch(secrets.url); } catch (error) { results.push(String(error)); }
        try { await fetch(secrets.url, { method: 'POST', body: 'b'.repeat(65 * 1024) }); } catch (error) { results.push(String(error)); }
        return results;`;
      const outcome = await sandbox.run({ code, secrets: { url: api.url("/big") } });
      expect(outcome).toMatchObject({
        ok: true,
        value: [
          "TypeError: fetch failed: the response body is larger than 64 KiB",
          "TypeError: fetch failed: the request body is larger than 64 KiB",
        ],
      });
      expect(api.requests).toHaveLength(1);
    });

    it("allows 5 fetches per run; the sixth fails in the code", async () => {
      api.respond((_req, res) => sendJson(res, 200, { n: 1 }));
      const code = `
        const statuses = [];
        for (let i = 0; i < 6; i++) {
          try { statuses.push((await fetch(secrets.url)).status) } catch (error) { statuses.push(String(error)) }
        }
        return statuses;`;
      const outcome = await sandbox.run({ code, secrets: { url: api.url("/n") } });
      expect(outcome).toMatchObject({
        ok: true,
        value: [
          200,
          200,
          200,
          200,
          200,
          "TypeError: fetch failed: a run may make at most 5 requests",
        ],
      });
      expect(outcome.fetches).toHaveLength(5);
      expect(api.requests).toHaveLength(5);
    });
  });

  describe("a flood of requests", () => {
    it("requests made in a loop with a huge body are refused in the worker and reported", async () => {
      const code = `const b = "x".repeat(1 << 20);
        for (;;) fetch(secrets.url, { method: "POST", body: b }).catch(() => {});`;
      const outcome = failed(await sandbox.run({ code, secrets: { url: api.url("/flood") } }));
      expect(outcome.kind).toBe("timeout");
      expect(outcome.fetches).toEqual(
        Array(5).fill({
          method: "POST",
          url: "[redacted]",
          status: null,
          error: "the request body is larger than 64 KiB",
        }),
      );
      expect(api.requests).toHaveLength(0);
      await expectHealthy(sandbox);
    });
  });

  describe("the pool", () => {
    it("completes 20 concurrent runs correctly on 2 workers", async () => {
      api.respond((req, res) => sendJson(res, 200, { path: req.url }));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          sandbox.run({
            code: `const r = await fetch(secrets.url + '/' + ${index}); return [${index}, (await r.json()).path];`,
            secrets: { url: api.url("/n") },
          }),
        ),
      );
      outcomes.forEach((outcome, index) => {
        expect(outcome).toMatchObject({ ok: true, value: [index, `/n/${index}`] });
      });
    });

    it("ends runs as unavailable once closed", async () => {
      const closing = createSandbox({ allowPrivateAddresses: false, poolSize: 1 });
      await closing.close();
      expect(await closing.run({ code: "return 1", secrets: {} })).toMatchObject({
        ok: false,
        kind: "unavailable",
        error: { name: "SandboxClosed" },
      });
    });
  });
});
