import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedRequest, type OutboundResponse } from "@/lib/outbound/guarded-request";
import { type RecordingServer, startRecordingServer } from "@/lib/testing/http-server";
import {
  answerGuestFetch,
  type FetchPolicy,
  followRedirects,
  type GuestRequest,
  parseGuestRequest,
  recordRefusedFetch,
  type Send,
} from "./fetch-bridge";
import { createRedactor } from "./redact";
import type { SandboxFetch } from "./types";

const POLICY: FetchPolicy = {
  allowPrivate: false,
  resolveHost: async (hostname) =>
    hostname === "api.example.com"
      ? [{ address: "93.184.216.34", family: 4 }]
      : [{ address: "127.0.0.1", family: 4 }],
  maxFetches: 5,
  maxRequestBodyBytes: 64 * 1024,
  maxResponseBodyBytes: 64 * 1024,
  maxRedirects: 3,
};

const context = () => ({ deadline: Date.now() + 2_000, signal: new AbortController().signal });

function redirectTo(location: string, url: URL): OutboundResponse {
  return {
    status: 302,
    statusText: "Found",
    headers: { location },
    url,
    body: Buffer.alloc(0),
    bodyRead: false,
  };
}

describe("followRedirects", () => {
  let server: RecordingServer;

  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /**
   * A public server that redirects inward cannot be served from a test, so the first hop (to the
   * public api.example.com) is answered here with a 302; every later hop goes through the real
   * guardedRequest with private addresses not allowed. The loopback server behind the redirect
   * must see no connection at all.
   */
  it("sends every hop through the guard: a public URL redirecting to loopback is refused at that hop", async () => {
    const firstHopThenReal: Send = (request, limits) =>
      new URL(request.url).hostname === "api.example.com"
        ? Promise.resolve(redirectTo(server.url("/internal"), new URL(request.url)))
        : guardedRequest(request, limits);
    const request = parseGuestRequest(
      JSON.stringify({ method: "GET", url: "https://api.example.com/me", headers: [] }),
      POLICY,
    );
    if (!request.ok) throw new Error(request.error);
    const before = server.connections();

    // The redirect target is plain http, refused while guarded; an https one is refused by address.
    expect(await followRedirects(request.request, context(), POLICY, firstHopThenReal)).toEqual({
      ok: false,
      error: "only https URLs can be fetched",
    });
    const toHttpsLoopback: Send = (req, limits) =>
      new URL(req.url).hostname === "api.example.com"
        ? Promise.resolve(redirectTo(`https://127.0.0.1:${server.port}/internal`, new URL(req.url)))
        : guardedRequest(req, limits);
    expect(await followRedirects(request.request, context(), POLICY, toHttpsLoopback)).toEqual({
      ok: false,
      error: "the address is not allowed: its host is a loopback address",
    });
    const toPrivateName: Send = (req, limits) =>
      new URL(req.url).hostname === "api.example.com"
        ? Promise.resolve(redirectTo("https://intranet.example.test/", new URL(req.url)))
        : guardedRequest(req, limits);
    expect(await followRedirects(request.request, context(), POLICY, toPrivateName)).toEqual({
      ok: false,
      error: "the address is not allowed: its host is a loopback address",
    });
    expect(server.connections()).toBe(before);
  });

  it("hands the hop's method, body and credentials on as fetch does", async () => {
    const seen: { method: string; url: string; headers: string[]; body: unknown }[] = [];
    const statuses = [307, 303, 200];
    const send: Send = async (request): Promise<OutboundResponse> => {
      seen.push({
        method: request.method,
        url: String(request.url),
        headers: (request.headers as [string, string][]).map(([name]) => name),
        body: request.body,
      });
      const status = statuses[seen.length - 1] as number;
      const next = seen.length === 1 ? "/same-origin" : "https://other.example.com/x";
      const headers: Record<string, string> = status === 200 ? {} : { location: next };
      return {
        status,
        statusText: "",
        headers,
        url: new URL(request.url),
        body: Buffer.from("done"),
        bodyRead: true,
      };
    };
    const request: GuestRequest = {
      method: "POST",
      url: new URL("https://api.example.com/start"),
      headers: [
        ["authorization", "Bearer t"],
        ["content-type", "text/plain"],
        ["x-other", "1"],
      ],
      body: "payload",
      redirect: "follow",
    };
    const result = await followRedirects(request, context(), POLICY, send);
    expect(result).toMatchObject({ ok: true, redirected: true, response: { status: 200 } });
    expect(seen).toEqual([
      {
        method: "POST",
        url: "https://api.example.com/start",
        headers: ["authorization", "content-type", "x-other"],
        body: "payload",
      },
      // 307 keeps method and body; same origin keeps the credentials.
      {
        method: "POST",
        url: "https://api.example.com/same-origin",
        headers: ["authorization", "content-type", "x-other"],
        body: "payload",
      },
      // 303 turns it into a GET without body; another origin gets no Authorization.
      { method: "GET", url: "https://other.example.com/x", headers: ["x-other"], body: undefined },
    ]);
  });

  it("manual returns the redirect itself; error fails on it", async () => {
    const send: Send = async (request) => redirectTo("/elsewhere", new URL(request.url));
    const base: GuestRequest = {
      method: "GET",
      url: new URL("https://api.example.com/"),
      headers: [],
      body: undefined,
      redirect: "manual",
    };
    expect(await followRedirects(base, context(), POLICY, send)).toMatchObject({
      ok: true,
      redirected: false,
      response: { status: 302 },
    });
    expect(await followRedirects({ ...base, redirect: "error" }, context(), POLICY, send)).toEqual({
      ok: false,
      error: "the server redirected and redirect is error",
      status: 302,
    });
  });
});

describe("parseGuestRequest", () => {
  const parse = (fields: Record<string, unknown>) =>
    parseGuestRequest(
      JSON.stringify({ method: "GET", url: "https://a.example/", ...fields }),
      POLICY,
    );

  it("drops headers that code must not set and adds a user agent and accept", () => {
    const parsed = parse({
      headers: [
        ["Host", "evil.example"],
        ["content-length", "1"],
        ["accept-encoding", "gzip"],
        ["proxy-authorization", "x"],
        ["X-Api-Key", "k"],
      ],
    });
    expect(parsed).toMatchObject({
      ok: true,
      request: {
        headers: [
          ["x-api-key", "k"],
          ["accept", "*/*"],
          ["user-agent", "Authdesk-Sandbox/1"],
        ],
      },
    });
  });

  it.each([
    [{ method: "CONNECT" }, "the method is not allowed"],
    [{ method: "GE T" }, "the method is not allowed"],
    [{ url: "/relative" }, "the URL is not valid"],
    [{ headers: [["bad name", "v"]] }, "a header name is not valid"],
    [{ headers: [["x", "a\r\nInjected: 1"]] }, "a header value has a line break"],
    [{ method: "POST", body: "b".repeat(64 * 1024 + 1) }, "the request body is larger than 64 KiB"],
    // A long method was once cut to 20 characters and sent cut; it is refused instead.
    [{ method: "M".repeat(33) }, "the method is not allowed"],
    [{ url: `https://a.example/${"p".repeat(8192)}` }, "the URL is longer than 8192 characters"],
    [{ headers: [["x-big", "h".repeat(16 * 1024)]] }, "the headers are larger than 16 KiB"],
    [{ redirect: "sideways" }, "redirect must be follow, manual or error"],
  ])("refuses %j", (fields, error) => {
    expect(parse(fields)).toMatchObject({ ok: false, error });
  });

  it("counts every fetch, refused ones too, and stops at the limit", async () => {
    const run = { fetches: [], redact: createRedactor([]) };
    const refused = JSON.stringify({ method: "CONNECT", url: "https://a.example/" });
    for (let index = 0; index < 5; index += 1) {
      expect(JSON.parse(await answerGuestFetch(refused, run, context(), POLICY))).toEqual({
        error: "the method is not allowed",
      });
    }
    expect(JSON.parse(await answerGuestFetch(refused, run, context(), POLICY))).toEqual({
      error: "a run may make at most 5 requests",
    });
    expect(run.fetches).toHaveLength(5);
  });

  it("records a request the worker refused, within the same count", () => {
    const run = { fetches: [] as SandboxFetch[], redact: createRedactor([]) };
    const notice = { method: "POST", methodCut: false, url: "https://a.example/", urlCut: false };
    recordRefusedFetch({ ...notice, error: "the request body is larger than 64 KiB" }, run, POLICY);
    recordRefusedFetch({ ...notice, error: "anything else" }, run, POLICY);
    expect(run.fetches).toEqual([
      {
        ...{ method: "POST", url: "https://a.example/" },
        status: null,
        error: "the request body is larger than 64 KiB",
      },
      { method: "POST", url: "https://a.example/", status: null, error: "the request was refused" },
    ]);
    for (let index = 0; index < 10; index += 1) {
      recordRefusedFetch({ ...notice, error: "the URL is not valid" }, run, POLICY);
    }
    expect(run.fetches).toHaveLength(POLICY.maxFetches);
  });
});
