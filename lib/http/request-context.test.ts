import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrustProxy, readRequestContext, type TrustProxy } from "./request-context";

function request(
  peer: string,
  headers: Record<string, string | string[]> = {},
  encrypted = false,
): IncomingMessage {
  return { socket: { remoteAddress: peer, encrypted }, headers } as unknown as IncomingMessage;
}

function trust(value: string): TrustProxy {
  const parsed = parseTrustProxy(value);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

describe("the client address behind proxies", () => {
  it("ignores forwarded headers unless a proxy is trusted", () => {
    const spoofed = request("::ffff:203.0.113.9", {
      "x-forwarded-for": "10.9.9.9",
      "x-forwarded-proto": "https",
    });
    expect(readRequestContext(spoofed, false)).toEqual({
      clientAddress: "203.0.113.9",
      https: false,
    });
  });

  it("takes the entry the one trusted proxy appended, not what the client wrote before it", () => {
    // The client sent `X-Forwarded-For: 1.1.1.1, 2.2.2.2`; the proxy appended what it saw.
    const viaProxy = request("10.0.0.2", {
      "x-forwarded-for": "1.1.1.1, 2.2.2.2, 198.51.100.7",
      "x-forwarded-proto": "http, https",
    });
    expect(readRequestContext(viaProxy, trust("true"))).toEqual({
      clientAddress: "198.51.100.7",
      https: true,
    });
    const again = request("10.0.0.2", { "x-forwarded-for": "9.9.9.9, 198.51.100.7" });
    expect(readRequestContext(again, trust("true")).clientAddress).toBe("198.51.100.7");
  });

  it("counts hops from the right, across repeated headers", () => {
    const twoProxies = request("10.0.0.2", {
      "x-forwarded-for": ["6.6.6.6, 198.51.100.7", "10.0.0.1"],
      "x-forwarded-proto": "https",
    });
    expect(readRequestContext(twoProxies, trust("2"))).toEqual({
      clientAddress: "198.51.100.7",
      https: true,
    });
    // Fewer entries than hops: the left-most one the proxies wrote.
    const short = request("10.0.0.2", { "x-forwarded-for": "198.51.100.7" });
    expect(readRequestContext(short, trust("3")).clientAddress).toBe("198.51.100.7");
  });

  it("skips trusted proxy ranges from the right, and believes nothing from an untrusted peer", () => {
    const ranges = trust("10.0.0.0/8, fd00::/8");
    const chained = request("fd00::1", {
      "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.1.2.3",
      "x-forwarded-proto": "https",
    });
    expect(readRequestContext(chained, ranges)).toEqual({
      clientAddress: "198.51.100.7",
      https: true,
    });
    const direct = request("203.0.113.9", {
      "x-forwarded-for": "10.1.2.3",
      "x-forwarded-proto": "https",
    });
    expect(readRequestContext(direct, ranges)).toEqual({
      clientAddress: "203.0.113.9",
      https: false,
    });
  });

  it("believes a trusted proxy's protocol when it sends no address", () => {
    const protocolOnly = request("127.0.0.1", { "x-forwarded-proto": "https" });
    expect(readRequestContext(protocolOnly, trust("true"))).toEqual({
      clientAddress: "127.0.0.1",
      https: true,
    });
    expect(readRequestContext(protocolOnly, trust("10.0.0.0/8")).https).toBe(false);
  });

  it("keeps the socket's protocol when the proxy sends none", () => {
    const tls = request("10.0.0.2", { "x-forwarded-for": "198.51.100.7" }, true);
    expect(readRequestContext(tls, trust("true")).https).toBe(true);
  });
});

describe("over real HTTP, behind one trusted proxy", () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.end(readRequestContext(req, trust("true")).clientAddress ?? "");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers every spoofed X-Forwarded-For with the address the proxy saw", async () => {
    const seen = new Set<string>();
    for (const spoof of ["1.1.1.1", "2.2.2.2, 3.3.3.3", ""]) {
      // What a proxy at 127.0.0.1 sends on: the client's header, then the client's address.
      const forwarded = [spoof, "198.51.100.7"].filter(Boolean).join(", ");
      const response = await fetch(url, { headers: { "x-forwarded-for": forwarded } });
      seen.add(await response.text());
    }
    expect([...seen]).toEqual(["198.51.100.7"]);
  });
});
