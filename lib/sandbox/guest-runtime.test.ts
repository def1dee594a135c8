import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import { createSandbox, type Sandbox } from "./index";

/**
 * What guest-runtime.js gives the code (URL, URLSearchParams, btoa, atob, Headers, fetch's
 * Response), checked against Node's own implementations of the same standards: each case runs in
 * the sandbox and in Node, and the answers must match.
 */

const URL_FIELDS = [
  "href",
  "origin",
  "protocol",
  "username",
  "password",
  "host",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
] as const;

const URL_CASES: [input: string, base?: string][] = [
  ["https://Example.COM:443/a/./b/../c?x=1&y=2#frag"],
  ["http://user:pa ss@host.test:8080/p ath?q=a b#h i"],
  ["/me", "https://api.example.com/v1/x"],
  ["me?x", "https://api.example.com/v1/x"],
  ["../up", "https://api.example.com/v1/x/y"],
  ["?only=query", "https://api.example.com/v1/x?old=1#f"],
  ["#frag", "https://api.example.com/v1/x?old=1"],
  ["", "https://api.example.com/v1/x?old=1#f"],
  ["//other.test/path", "https://api.example.com/"],
  ["https://api.example.com"],
  ["HTTPS://API.EXAMPLE.COM:8443"],
  ["https://api.example.com/é?ü=1&q='x'#ß"],
  ["http://api.example.com:80/"],
  ["https://api.example.com/a%2fb/%2e%2e/c"],
  ["mailto:someone@example.com"],
  ["#x", "mailto:a@b.c"],
  ["https:\\\\api.example.com\\a\\b"],
  ["https://[::1]:8080/x"],
  ["https://api.example.com/v1/users?id=1", "https://ignored.example.com/"],
];

const INVALID_URLS: [input: string, base?: string][] = [
  ["not a url"],
  ["/relative"],
  ["https://"],
  ["https://a b/"],
  ["http://x:99999/"],
  ["path", "mailto:a@b.c"],
];

describe("the guest runtime", () => {
  let sandbox: Sandbox;
  let server: RecordingServer;

  async function guest(code: string): Promise<unknown> {
    const outcome = await sandbox.run({ code, secrets: {} });
    if (!outcome.ok) throw new Error(`${outcome.error.name}: ${outcome.error.message}`);
    return outcome.value;
  }

  beforeAll(async () => {
    sandbox = createSandbox({ allowPrivateAddresses: true, poolSize: 1 });
    server = await startRecordingServer();
  });
  afterAll(async () => {
    await sandbox?.close();
    await server?.close();
  });

  it("URL parses, resolves and normalises as Node's URL does", async () => {
    const fields = (url: URL) => Object.fromEntries(URL_FIELDS.map((field) => [field, url[field]]));
    const expected = URL_CASES.map(([input, base]) => fields(new URL(input, base)));
    const actual = await guest(`
      const cases = ${JSON.stringify(URL_CASES)};
      const fields = ${JSON.stringify(URL_FIELDS)};
      return cases.map(([input, base]) => {
        const url = new URL(input, base);
        return Object.fromEntries(fields.map((field) => [field, url[field]]));
      });`);
    expect(actual).toEqual(expected);
  });

  it("URL refuses what Node's URL refuses, with a TypeError", async () => {
    for (const [input, base] of INVALID_URLS) expect(URL.canParse(input, base)).toBe(false);
    const actual = await guest(`
      return ${JSON.stringify(INVALID_URLS)}.map(([input, base]) => {
        try { new URL(input, base); return 'parsed'; } catch (error) { return error.name; }
      });`);
    expect(actual).toEqual(INVALID_URLS.map(() => "TypeError"));
  });

  it("URL setters and a live searchParams", async () => {
    const inNode = () => {
      const url = new URL("https://api.example.com/v1?a=1#top");
      url.searchParams.set("k", "v w");
      url.searchParams.append("a", "2");
      const afterParams = url.href;
      url.search = "?x=é";
      const params = url.searchParams.get("x");
      url.hash = "bottom";
      url.pathname = "/v2/./items";
      return [afterParams, params, url.href, String(url), JSON.stringify({ url })];
    };
    const actual = await guest(`
      const url = new URL("https://api.example.com/v1?a=1#top");
      url.searchParams.set("k", "v w");
      url.searchParams.append("a", "2");
      const afterParams = url.href;
      url.search = "?x=é";
      const params = url.searchParams.get("x");
      url.hash = "bottom";
      url.pathname = "/v2/./items";
      return [afterParams, params, url.href, String(url), JSON.stringify({ url })];`);
    expect(actual).toEqual(inNode());
  });

  it("URLSearchParams reads, edits, iterates and serialises as Node's does", async () => {
    const script = `
      const out = [];
      const params = new URLSearchParams("?a=1&b=2&a=3&empty&=nameless&plus=a+b&pct=%41%zz&bad=%C3");
      out.push(params.getAll("a"), params.get("b"), params.get("missing"), params.has("a"),
        params.has("a", "3"), params.get("empty"), params.get("plus"), params.get("pct"),
        params.get("bad"), params.size);
      params.append("c", "x y&z=é");
      params.set("a", "only");
      params.delete("b");
      params.sort();
      out.push(params.toString(), [...params], [...params.keys()], [...params.values()]);
      const seen = [];
      params.forEach((value, name) => seen.push(name + ":" + value));
      out.push(seen);
      out.push(new URLSearchParams({ q: "a b&c", e: "é", t: "~!*'()" }).toString());
      out.push(new URLSearchParams([["x", "1"], ["x", "2"]]).toString());
      out.push(String(new URLSearchParams(new URLSearchParams("k=v"))));
      return out;`;
    const inNode = new Function(`${script.replace(/^\s*/, "")}`) as () => unknown;
    expect(await guest(script)).toEqual(JSON.parse(JSON.stringify(inNode())));
  });

  it("btoa and atob are the browser's Latin-1 base64", async () => {
    const script = `
      const out = [btoa("user:pass"), btoa(""), btoa("a"), btoa("ab"), btoa(String.fromCharCode(255, 0, 128)),
        atob("dXNlcjpwYXNz"), atob(" dXNl cjpw\\nYXNz "), atob("YQ"), atob("YWI="), atob(btoa("\\u00ff\\u00fe"))];
      for (const bad of [() => btoa("€"), () => atob("abc*"), () => atob("a")]) {
        try { bad(); out.push("no error"); } catch (error) { out.push(error.name); }
      }
      return out;`;
    const inNode = new Function(script) as () => unknown[];
    expect(await guest(script)).toEqual(inNode());
  });

  it("fetch's Response and Headers behave like fetch's", async () => {
    server.respond((_req, res) =>
      sendJson(res, 201, { hello: "world" }, { "X-Trace": "t-1", "set-cookie": ["a=1", "b=2"] }),
    );
    const script = `
      const response = await fetch(URL_HERE, {
        method: "post",
        headers: new Headers([["X-One", "1"], ["x-one", "2"]]),
        body: new URLSearchParams({ grant_type: "client_credentials", scope: "a b" }),
      });
      const names = [];
      response.headers.forEach((value, name) => names.push(name));
      const text = await response.text();
      let again;
      try { await response.text(); again = "read twice"; } catch (error) { again = error.name; }
      return {
        status: response.status, ok: response.ok, statusText: response.statusText,
        trace: response.headers.get("x-trace"), cookies: response.headers.get("Set-Cookie"),
        hasTrace: response.headers.has("X-TRACE"), missing: response.headers.get("nope"),
        names: names.filter((name) => name.startsWith("x-") || name === "content-type"),
        text, used: response.bodyUsed, again,
        json: await (await fetch(URL_HERE)).json(),
      };`;
    const value = await guest(script.replaceAll("URL_HERE", JSON.stringify(server.url("/t"))));
    const real = await fetch(server.url("/t"));
    expect(value).toEqual({
      status: 201,
      ok: true,
      statusText: "Created",
      trace: "t-1",
      cookies: "a=1, b=2",
      hasTrace: true,
      missing: null,
      names: ["content-type", "x-trace"],
      text: await real.text(),
      used: true,
      again: "TypeError",
      json: { hello: "world" },
    });
    const [sent] = server.requests;
    expect(sent).toMatchObject({
      method: "POST",
      body: "grant_type=client_credentials&scope=a+b",
    });
    expect(sent?.headers["x-one"]).toBe("1, 2");
    expect(sent?.headers["content-type"]).toBe("application/x-www-form-urlencoded;charset=UTF-8");
  });

  it("fetch refuses what fetch refuses, before any request", async () => {
    const before = server.requests.length;
    const value = await guest(
      `
      const attempts = [
        () => fetch(URL_HERE, { body: "x" }),
        () => fetch(URL_HERE, { method: "POST", body: { a: 1 } }),
        () => fetch(URL_HERE, { method: "TRACE" }),
        () => fetch(URL_HERE, { headers: { "bad header": "x" } }),
        () => fetch("relative/path"),
      ];
      const out = [];
      for (const attempt of attempts) {
        try { await attempt(); out.push("sent"); } catch (error) { out.push(String(error)); }
      }
      return out;`.replaceAll("URL_HERE", JSON.stringify(server.url("/t"))),
    );
    expect(value).toEqual([
      "TypeError: fetch: a GET or HEAD request cannot have a body",
      "TypeError: fetch: the body must be a string or URLSearchParams (use JSON.stringify for objects)",
      'TypeError: fetch: "TRACE" is not an allowed method',
      'TypeError: Headers: "bad header" is not a valid header name',
      "TypeError: fetch failed: the URL is not valid",
    ]);
    expect(server.requests.length).toBe(before);
  });
});
