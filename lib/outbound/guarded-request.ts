import "server-only";
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  type CheckedEndpoint,
  checkEndpoint,
  type EndpointProblem,
  type ResolvedAddress,
  type ResolveHost,
} from "./ssrf-guard";

/**
 * One HTTP request to a URL someone else chose, bounded in every way a hostile or broken server
 * could stretch it: connect time, total time, response size. The URL goes through the SSRF guard
 * first, and the connection goes to the addresses the guard checked, so DNS rebinding cannot
 * redirect it. Redirects are not followed: a caller that follows them sends each hop through here
 * again, so every hop is checked. Built on node:http rather than fetch because fetch can neither
 * pin the connection to the address we checked nor enforce a connect timeout separately from the
 * total.
 */

export interface OutboundRequest {
  method: string;
  url: string | URL;
  /** Names are case-insensitive; a name given twice sends both values. */
  headers?: Record<string, string> | readonly (readonly [name: string, value: string])[];
  body?: string | Uint8Array;
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", " as fetch's Headers.get does. */
  headers: Record<string, string>;
}

export interface OutboundResponse extends ResponseHead {
  /** The URL that answered (this request's; redirects are not followed). */
  url: URL;
  body: Buffer;
  /** False when `readBody` turned the body down; `body` is then empty. */
  bodyRead: boolean;
}

export interface OutboundLimits {
  /** Loopback, private and link-local targets and plain http; metadata addresses stay refused. */
  allowPrivate: boolean;
  resolveHost: ResolveHost;
  /** Time to resolve the host and then to establish the TCP connection, each. */
  connectTimeoutMs: number;
  /** Time for the whole exchange, resolution to last byte. */
  totalTimeoutMs: number;
  /** A longer body (declared or streamed) fails as response_too_large without being read. */
  maxResponseBytes: number;
  /** Aborts the request; it fails as `aborted`. */
  signal?: AbortSignal;
  /**
   * Called when the status line and headers arrive. False closes the connection without reading
   * the body: a redirect the caller will not follow, or a content type it refuses anyway.
   */
  readBody?: (head: ResponseHead) => boolean;
}

export type OutboundFailure =
  /** The guard refused the URL, or its host did not resolve; nothing was sent. */
  | { kind: "endpoint"; problem: EndpointProblem }
  | { kind: "timeout"; phase: "connect" | "total" }
  /** No answer: the connection was refused, reset or failed otherwise before the status line. */
  | { kind: "connection_failed"; code: string | undefined }
  /** The answer started but its body stopped early. */
  | { kind: "response_incomplete"; closed: boolean }
  | { kind: "response_too_large"; head: ResponseHead }
  /** Node refused the request as given (a header name or value it will not send). */
  | { kind: "invalid_request"; code: string | undefined }
  | { kind: "aborted" };

/** A failed request. The message is written by us: no URL, header, body or address in it. */
export class OutboundRequestError extends Error {
  override name = "OutboundRequestError";
  readonly failure: OutboundFailure;

  constructor(failure: OutboundFailure) {
    super(`outbound request failed: ${failure.kind}`);
    this.failure = failure;
  }
}

export async function guardedRequest(
  request: OutboundRequest,
  limits: OutboundLimits,
): Promise<OutboundResponse> {
  const startedAt = Date.now();
  if (limits.signal?.aborted) throw new OutboundRequestError({ kind: "aborted" });
  const checked = await checkEndpoint(request.url, {
    allowPrivate: limits.allowPrivate,
    resolveHost: limits.resolveHost,
    resolveTimeoutMs: Math.min(limits.connectTimeoutMs, limits.totalTimeoutMs),
  });
  if (!checked.ok) throw new OutboundRequestError({ kind: "endpoint", problem: checked.problem });
  const remainingMs = limits.totalTimeoutMs - (Date.now() - startedAt);
  if (remainingMs <= 0) throw new OutboundRequestError({ kind: "timeout", phase: "total" });
  return send(request, checked.endpoint, remainingMs, limits);
}

function send(
  request: OutboundRequest,
  endpoint: CheckedEndpoint,
  remainingMs: number,
  limits: OutboundLimits,
): Promise<OutboundResponse> {
  const { url, host, addresses } = endpoint;
  return new Promise<OutboundResponse>((resolve, reject) => {
    if (limits.signal?.aborted) {
      reject(new OutboundRequestError({ kind: "aborted" }));
      return;
    }
    let settled = false;
    let outgoing: http.ClientRequest | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    const totalTimer = setTimeout(() => fail({ kind: "timeout", phase: "total" }), remainingMs);
    const onAbort = () => fail({ kind: "aborted" });
    limits.signal?.addEventListener("abort", onAbort, { once: true });

    function finish(): void {
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      limits.signal?.removeEventListener("abort", onAbort);
    }
    function fail(failure: OutboundFailure): void {
      if (settled) return;
      finish();
      outgoing?.destroy();
      reject(new OutboundRequestError(failure));
    }
    function succeed(response: OutboundResponse): void {
      if (settled) return;
      finish();
      resolve(response);
    }

    try {
      outgoing = (url.protocol === "https:" ? https : http).request({
        method: request.method,
        host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: outgoingHeaders(request),
        lookup: pinnedLookup(addresses),
        // A fresh connection per request: a pooled socket would outlive the address check that
        // allowed it.
        agent: false,
      });
    } catch (error) {
      fail({ kind: "invalid_request", code: safeCode((error as NodeJS.ErrnoException).code) });
      return;
    }

    outgoing.on("socket", (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => fail({ kind: "timeout", phase: "connect" }),
        limits.connectTimeoutMs,
      );
      socket.once("connect", () => clearTimeout(connectTimer));
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      fail({ kind: "connection_failed", code: safeCode(error.code) });
    });
    outgoing.on("response", (response) => {
      readResponse(response, url, limits).then(
        (result) => {
          // A body turned down or cut short is not drained: the connection just closes.
          if (!result.ok || !result.response.bodyRead) response.destroy();
          if (result.ok) return succeed(result.response);
          fail(result.failure);
        },
        () => {
          // Only a throwing readBody callback lands here; the answer is abandoned.
          response.destroy();
          fail({ kind: "response_incomplete", closed: false });
        },
      );
    });
    outgoing.end(request.body);
  });
}

/**
 * The request may only connect to the addresses that were checked; the hostname stays the host
 * for the Host header, TLS SNI and certificate checks.
 */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0] as ResolvedAddress;
    callback(null, first.address, first.family);
  };
}

function outgoingHeaders(request: OutboundRequest): Record<string, string | string[]> {
  const pairs = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers ?? {});
  const headers: Record<string, string | string[]> = {};
  for (const [rawName, value] of pairs) {
    const name = rawName.toLowerCase();
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  if (request.body !== undefined && headers["content-length"] === undefined) {
    headers["content-length"] = String(
      typeof request.body === "string" ? Buffer.byteLength(request.body) : request.body.byteLength,
    );
  }
  return headers;
}

type Read<T> = { ok: true; response: T } | { ok: false; failure: OutboundFailure };

async function readResponse(
  response: IncomingMessage,
  url: URL,
  limits: OutboundLimits,
): Promise<Read<OutboundResponse>> {
  const head: ResponseHead = {
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? "",
    headers: flattenHeaders(response.headers),
  };
  if (limits.readBody && !limits.readBody(head)) {
    return { ok: true, response: { ...head, url, body: Buffer.alloc(0), bodyRead: false } };
  }
  const declared = Number(head.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxResponseBytes) {
    return { ok: false, failure: { kind: "response_too_large", head } };
  }
  const body = await readCapped(response, limits.maxResponseBytes, head);
  if (!body.ok) return body;
  return { ok: true, response: { ...head, url, body: body.response, bodyRead: true } };
}

/** Reads at most `max` bytes; one byte more aborts the read instead of buffering the rest. */
function readCapped(
  response: IncomingMessage,
  max: number,
  head: ResponseHead,
): Promise<Read<Buffer>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const stop = (result: Read<Buffer>) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    response.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        stop({ ok: false, failure: { kind: "response_too_large", head } });
        return;
      }
      chunks.push(chunk);
    });
    response.on("end", () => stop({ ok: true, response: Buffer.concat(chunks, size) }));
    response.on("error", () =>
      stop({ ok: false, failure: { kind: "response_incomplete", closed: false } }),
    );
    response.on("close", () =>
      stop({ ok: false, failure: { kind: "response_incomplete", closed: true } }),
    );
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** Error codes are short upper-case words (ECONNREFUSED); anything else is not repeated. */
export function safeCode(code: string | undefined): string | undefined {
  return code && /^[A-Z0-9_]{2,64}$/.test(code) ? code : undefined;
}
