import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RecordingServer, sendJson, startRecordingServer } from "@/lib/testing/http-server";
import {
  guardedRequest,
  type OutboundFailure,
  type OutboundLimits,
  OutboundRequestError,
} from "./guarded-request";

/**
 * The transport shared by the token broker and the sandbox's fetch. The broker's fault tests
 * cover timeouts, caps and refusals through it; these cover what only the generic client offers:
 * any method, headers both ways, readBody, and the typed failures.
 */

const LIMITS: OutboundLimits = {
  allowPrivate: true,
  resolveHost: async () => [{ address: "127.0.0.1", family: 4 }],
  connectTimeoutMs: 1_000,
  totalTimeoutMs: 2_000,
  maxResponseBytes: 1_024,
};

async function failure(call: Promise<unknown>): Promise<OutboundFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error.failure;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("guardedRequest", () => {
  let server: RecordingServer;

  beforeAll(async () => {
    server = await startRecordingServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  it("sends the method, headers (a repeated name twice) and body, and returns status, headers and body", async () => {
    server.respond((_req, res) =>
      sendJson(res, 201, { created: true }, { "set-cookie": ["a=1", "b=2"], "x-trace": "t1" }),
    );
    const response = await guardedRequest(
      {
        method: "PUT",
        url: `http://api.test:${server.port}/items?x=1`,
        headers: [
          ["X-Tag", "one"],
          ["x-tag", "two"],
          ["Content-Type", "text/plain"],
        ],
        body: "héllo",
      },
      LIMITS,
    );
    expect(response).toMatchObject({
      status: 201,
      statusText: "Created",
      bodyRead: true,
      headers: { "set-cookie": "a=1, b=2", "x-trace": "t1" },
    });
    expect(response.url.href).toBe(`http://api.test:${server.port}/items?x=1`);
    expect(JSON.parse(response.body.toString("utf8"))).toEqual({ created: true });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: "PUT", path: "/items?x=1", body: "héllo" });
    expect(request?.headers["x-tag"]).toBe("one, two");
    expect(request?.headers["content-length"]).toBe("6");
    // Pinned to the address the guard checked; the name stays the Host.
    expect(request?.headers.host).toBe(`api.test:${server.port}`);
  });

  it("returns a redirect without following it, and readBody can turn the body down", async () => {
    server.respond((_req, res) =>
      res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end("x".repeat(10_000)),
    );
    const response = await guardedRequest(
      { method: "GET", url: server.url("/moved") },
      { ...LIMITS, readBody: (head) => head.status < 300 || head.status >= 400 },
    );
    expect(response).toMatchObject({ status: 302, bodyRead: false });
    expect(response.headers.location).toBe("http://127.0.0.1:1/elsewhere");
    expect(response.body.length).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("fails with typed failures: too large (with the head), refused address, refused connection, invalid header, aborted", async () => {
    server.respond((_req, res) => res.writeHead(200).end("x".repeat(2_000)));
    expect(await failure(guardedRequest({ method: "GET", url: server.url() }, LIMITS))).toEqual({
      kind: "response_too_large",
      head: expect.objectContaining({ status: 200 }),
    });

    const before = server.connections();
    expect(
      await failure(
        guardedRequest(
          { method: "GET", url: `https://127.0.0.1:${server.port}/` },
          { ...LIMITS, allowPrivate: false },
        ),
      ),
    ).toEqual({ kind: "endpoint", problem: { kind: "address", verdict: "loopback" } });
    expect(
      await failure(guardedRequest({ method: "GET", url: "http://169.254.169.254/" }, LIMITS)),
    ).toEqual({ kind: "endpoint", problem: { kind: "address", verdict: "metadata" } });
    expect(server.connections()).toBe(before);

    expect(
      await failure(guardedRequest({ method: "GET", url: "http://127.0.0.1:1/" }, LIMITS)),
    ).toEqual({ kind: "connection_failed", code: "ECONNREFUSED" });

    expect(
      await failure(
        guardedRequest(
          { method: "GET", url: server.url(), headers: { "x-bad": "line\r\nbreak" } },
          LIMITS,
        ),
      ),
    ).toEqual({ kind: "invalid_request", code: "ERR_INVALID_CHAR" });

    server.respond(() => {});
    const controller = new AbortController();
    const pending = guardedRequest(
      { method: "GET", url: server.url("/never") },
      { ...LIMITS, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    expect(await failure(pending)).toEqual({ kind: "aborted" });
  });
});
