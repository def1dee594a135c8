import "server-only";
import {
  guardedRequest,
  type OutboundFailure,
  type OutboundLimits,
  type OutboundRequest,
  OutboundRequestError,
  type OutboundResponse,
} from "@/lib/outbound/guarded-request";
import { ADDRESS_WORDS, type ResolveHost } from "@/lib/outbound/ssrf-guard";
import type { Redactor } from "./redact";
import type { SandboxFetch } from "./types";

/**
 * The host side of the guest's `fetch`. The guest sends its request as JSON text; this checks it,
 * records it for the test report, sends it through the guarded client (SSRF guard, pinned
 * addresses, timeouts, size cap), follows redirects itself so that every hop goes through the
 * guard again, and answers with JSON text: `{ response }` or `{ error }` in a few plain words
 * that the guest throws as `TypeError: fetch failed: …`.
 */

export interface FetchPolicy {
  /** Loopback and private targets and plain http (tests, labs); metadata addresses never. */
  allowPrivate: boolean;
  resolveHost: ResolveHost;
  maxFetches: number;
  maxRequestBodyBytes: number;
  maxResponseBodyBytes: number;
  maxRedirects: number;
}

export interface GuestRequest {
  method: string;
  url: URL;
  headers: [name: string, value: string][];
  body: string | undefined;
  redirect: "follow" | "manual" | "error";
}

/** What the guest's Response is built from. */
export interface GuestResponse {
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  headers: [name: string, value: string][];
  body: string;
}

/** The run a fetch belongs to: its report so far, and how to keep secrets out of it. */
export interface FetchRun {
  fetches: SandboxFetch[];
  redact: Redactor;
}

export interface FetchContext {
  /** The run's deadline (milliseconds since the epoch): every hop must finish before it. */
  deadline: number;
  /** Aborted when the run ends. */
  signal: AbortSignal;
}

export type Send = (request: OutboundRequest, limits: OutboundLimits) => Promise<OutboundResponse>;

const MAX_URL_CHARS = 8_192;
/** How much of a URL the report shows, after redaction. */
const MAX_SHOWN_URL_CHARS = 1_000;
/** Longer than any method in use (UPDATEREDIRECTREF is 17); longer ones are refused, not cut. */
const MAX_METHOD_CHARS = 32;
const MAX_HEADERS = 100;
/** Names and values together; most servers refuse more than 16 KiB of request headers anyway. */
const MAX_HEADER_CHARS = 16 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * Set by the client, or meaningless and risky from code: framing (length, encoding), connection
 * handling, the Host (the connection is pinned to the checked address of the URL's host), and
 * compression, which the size cap could not see through. Dropped silently, as browsers do.
 */
const DROPPED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "accept-encoding",
]);
/** Credentials that do not follow a redirect to another origin (as fetch does). */
const CREDENTIAL_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/**
 * What the worker checks before it posts a request to this thread (worker.mjs, `screenRequest`):
 * the count and every size, so that code making requests in a loop, or with a huge body, costs
 * this thread nothing beyond a few short messages. It refuses with the words below, the same the
 * host uses; `answerGuestFetch` checks everything again and remains the authority.
 */
export interface GuestFetchLimits {
  maxFetches: number;
  maxRequestBodyBytes: number;
  maxUrlChars: number;
  maxMethodChars: number;
  maxHeaders: number;
  maxHeaderChars: number;
  errors: FetchRefusals;
}

export type FetchRefusals = ReturnType<typeof refusals>;

function refusals(policy: Pick<FetchPolicy, "maxFetches" | "maxRequestBodyBytes">) {
  return {
    tooMany: `a run may make at most ${policy.maxFetches} requests`,
    unreadable: "the request could not be read",
    method: "the method is not allowed",
    urlTooLong: `the URL is longer than ${MAX_URL_CHARS} characters`,
    urlInvalid: "the URL is not valid",
    headers: `the headers must be at most ${MAX_HEADERS} name and value pairs`,
    headerName: "a header name is not valid",
    headersTooLarge: `the headers are larger than ${sizeWords(MAX_HEADER_CHARS)}`,
    body: "the body must be a string",
    bodyTooLarge: `the request body is larger than ${sizeWords(policy.maxRequestBodyBytes)}`,
    redirect: "redirect must be follow, manual or error",
  };
}

export function guestFetchLimits(policy: FetchPolicy): GuestFetchLimits {
  return {
    maxFetches: policy.maxFetches,
    maxRequestBodyBytes: policy.maxRequestBodyBytes,
    maxUrlChars: MAX_URL_CHARS,
    maxMethodChars: MAX_METHOD_CHARS,
    maxHeaders: MAX_HEADERS,
    maxHeaderChars: MAX_HEADER_CHARS,
    errors: refusals(policy),
  };
}

/** A request the worker refused before posting it; recorded here so that the report shows it. */
export interface RefusedFetch {
  /** At most maxMethodChars and maxUrlChars; `methodCut` and `urlCut` say if there was more. */
  method: string;
  methodCut: boolean;
  url: string;
  urlCut: boolean;
  /** One of the refusals' words. */
  error: string;
}

export function recordRefusedFetch(notice: RefusedFetch, run: FetchRun, policy: FetchPolicy): void {
  if (run.fetches.length >= policy.maxFetches) return;
  const known: string[] = Object.values(refusals(policy));
  run.fetches.push({
    method: shown(run.redact, notice.method, MAX_METHOD_CHARS, notice.methodCut),
    url: shown(run.redact, notice.url, MAX_SHOWN_URL_CHARS, notice.urlCut),
    status: null,
    error: known.includes(notice.error) ? notice.error : "the request was refused",
  });
}

/** Handles one fetch of the guest from request text to reply text. Never throws. */
export async function answerGuestFetch(
  text: string,
  run: FetchRun,
  context: FetchContext,
  policy: FetchPolicy,
  send: Send = guardedRequest,
): Promise<string> {
  if (run.fetches.length >= policy.maxFetches) {
    return reply({ error: refusals(policy).tooMany });
  }
  const parsed = parseGuestRequest(text, policy);
  const record: SandboxFetch = {
    method: shown(run.redact, parsed.method, MAX_METHOD_CHARS),
    url: shown(run.redact, parsed.url, MAX_SHOWN_URL_CHARS),
    status: null,
  };
  run.fetches.push(record);
  if (!parsed.ok) {
    record.error = parsed.error;
    return reply({ error: parsed.error });
  }
  const result = await followRedirects(parsed.request, context, policy, send);
  if (!result.ok) {
    record.error = result.error;
    if (result.status !== undefined) record.status = result.status;
    return reply({ error: result.error });
  }
  record.status = result.response.status;
  return reply({ response: toGuestResponse(result.response, result.redirected) });
}

function reply(body: { response: GuestResponse } | { error: string }): string {
  return JSON.stringify(body);
}

/**
 * Text for the report: redacted, then cut. Text longer than MAX_URL_CHARS (only when the worker
 * did not screen it) is first bounded, as text cut before redaction.
 */
function shown(redact: Redactor, text: string, max: number, truncated = false): string {
  const bounded = text.length > MAX_URL_CHARS;
  return redact.cut(bounded ? text.slice(0, MAX_URL_CHARS) : text, max, truncated || bounded);
}

type Parsed =
  | { ok: true; request: GuestRequest; method: string; url: string }
  | { ok: false; error: string; method: string; url: string };

/**
 * The guest's JSON, checked field by field. `method` and `url` are kept for the report either way,
 * as the code gave them (not redacted, not cut: see `shown`).
 */
export function parseGuestRequest(text: string, policy: FetchPolicy): Parsed {
  const words = refusals(policy);
  let raw: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object") throw new TypeError("not an object");
    raw = value as Record<string, unknown>;
  } catch {
    return { ok: false, error: words.unreadable, method: "?", url: "" };
  }
  const method = typeof raw.method === "string" ? raw.method : "?";
  const rawUrl = typeof raw.url === "string" ? raw.url : "";
  const problem = (error: string): Parsed => ({ ok: false, error, method, url: rawUrl });

  if (
    method.length > MAX_METHOD_CHARS ||
    !TOKEN.test(method) ||
    /^(CONNECT|TRACE|TRACK)$/i.test(method)
  ) {
    return problem(words.method);
  }
  if (rawUrl.length > MAX_URL_CHARS) return problem(words.urlTooLong);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return problem(words.urlInvalid);
  }
  const headers = parseHeaders(raw.headers, words);
  if (!headers.ok) return problem(headers.error);
  const body = raw.body === null || raw.body === undefined ? undefined : raw.body;
  if (body !== undefined && typeof body !== "string") {
    return problem(words.body);
  }
  if (body !== undefined && Buffer.byteLength(body) > policy.maxRequestBodyBytes) {
    return problem(words.bodyTooLarge);
  }
  const redirect = raw.redirect ?? "follow";
  if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    return problem(words.redirect);
  }
  return {
    ok: true,
    request: { method, url, headers: headers.headers, body, redirect },
    method,
    url: rawUrl,
  };
}

function parseHeaders(
  value: unknown,
  words: FetchRefusals,
): { ok: true; headers: [string, string][] } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, headers: defaultHeaders([]) };
  if (!Array.isArray(value) || value.length > MAX_HEADERS) {
    return { ok: false, error: words.headers };
  }
  const headers: [string, string][] = [];
  let chars = 0;
  for (const pair of value) {
    const [name, text] = Array.isArray(pair) ? (pair as unknown[]) : [];
    if (typeof name !== "string" || typeof text !== "string" || !TOKEN.test(name)) {
      return { ok: false, error: words.headerName };
    }
    chars += name.length + text.length;
    if (chars > MAX_HEADER_CHARS) return { ok: false, error: words.headersTooLarge };
    if (/[\0\r\n]/.test(text)) return { ok: false, error: "a header value has a line break" };
    const lower = name.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || lower.startsWith("proxy-")) continue;
    headers.push([lower, text]);
  }
  return { ok: true, headers: defaultHeaders(headers) };
}

function defaultHeaders(headers: [string, string][]): [string, string][] {
  const has = (name: string) => headers.some(([each]) => each === name);
  const defaults: [string, string][] = [];
  if (!has("accept")) defaults.push(["accept", "*/*"]);
  // Some WAFs turn away requests that carry no user agent at all.
  if (!has("user-agent")) defaults.push(["user-agent", "Authdesk-Sandbox/1"]);
  return [...headers, ...defaults];
}

type Followed =
  | { ok: true; response: OutboundResponse; redirected: boolean }
  | { ok: false; error: string; status?: number };

/**
 * Sends the request and follows up to `maxRedirects` redirects, each hop through `send` and so
 * through the SSRF guard again: a public URL that redirects to a private or metadata address is
 * refused at that hop, before anything connects there.
 */
export async function followRedirects(
  request: GuestRequest,
  context: FetchContext,
  policy: FetchPolicy,
  send: Send = guardedRequest,
): Promise<Followed> {
  let current = request;
  for (let hop = 0; ; hop += 1) {
    const remainingMs = context.deadline - Date.now();
    if (remainingMs <= 0) return { ok: false, error: "no answer before the run's deadline" };
    const follows = current.redirect !== "manual";
    let response: OutboundResponse;
    try {
      response = await send(
        {
          method: current.method,
          url: current.url,
          headers: current.headers,
          ...(current.body !== undefined ? { body: current.body } : {}),
        },
        {
          allowPrivate: policy.allowPrivate,
          resolveHost: policy.resolveHost,
          connectTimeoutMs: remainingMs,
          totalTimeoutMs: remainingMs,
          maxResponseBytes: policy.maxResponseBodyBytes,
          signal: context.signal,
          // A redirect about to be followed is not worth reading.
          readBody: (head) => !(follows && isFollowable(head.status, head.headers)),
        },
      );
    } catch (error) {
      if (!(error instanceof OutboundRequestError))
        return { ok: false, error: "the request failed" };
      return failureResult(error.failure, policy);
    }
    if (!isFollowable(response.status, response.headers) || current.redirect === "manual") {
      return { ok: true, response, redirected: hop > 0 };
    }
    if (current.redirect === "error") {
      return {
        ok: false,
        error: "the server redirected and redirect is error",
        status: response.status,
      };
    }
    if (hop >= policy.maxRedirects) {
      return {
        ok: false,
        error: `more than ${policy.maxRedirects} redirects`,
        status: response.status,
      };
    }
    const next = nextHop(current, response);
    if (!next) {
      return { ok: false, error: "a redirect pointed to an invalid URL", status: response.status };
    }
    current = next;
  }
}

function isFollowable(status: number, headers: Record<string, string>): boolean {
  return REDIRECT_STATUSES.has(status) && headers.location !== undefined;
}

/** The request for the redirect's target, changed the way fetch changes it. */
function nextHop(current: GuestRequest, response: OutboundResponse): GuestRequest | undefined {
  let url: URL;
  try {
    url = new URL(response.headers.location as string, current.url);
  } catch {
    return undefined;
  }
  const becomesGet =
    (response.status === 303 && current.method !== "HEAD") ||
    ((response.status === 301 || response.status === 302) && current.method === "POST");
  const crossOrigin = url.origin !== current.url.origin;
  const headers = current.headers.filter(
    ([name]) =>
      !(crossOrigin && CREDENTIAL_HEADERS.has(name)) &&
      !(becomesGet && name.startsWith("content-")),
  );
  return {
    ...current,
    url,
    headers,
    method: becomesGet ? "GET" : current.method,
    body: becomesGet ? undefined : current.body,
  };
}

function toGuestResponse(response: OutboundResponse, redirected: boolean): GuestResponse {
  return {
    status: response.status,
    statusText: response.statusText,
    url: response.url.href,
    redirected,
    headers: Object.entries(response.headers),
    body: response.body.toString("utf8"),
  };
}

/** The transport's failure in words for the guest and the report; never an address or a URL. */
function failureResult(failure: OutboundFailure, policy: FetchPolicy): Followed {
  switch (failure.kind) {
    case "endpoint": {
      const { problem } = failure;
      switch (problem.kind) {
        case "invalid_url":
          return { ok: false, error: "the URL is not valid" };
        case "scheme":
          return {
            ok: false,
            error: policy.allowPrivate
              ? "only http and https URLs can be fetched"
              : "only https URLs can be fetched",
          };
        case "address":
          return {
            ok: false,
            error: `the address is not allowed: ${ADDRESS_WORDS[problem.verdict]}`,
          };
        case "unresolvable":
          return {
            ok: false,
            error: `its host did not resolve${problem.code ? ` (${problem.code})` : ""}`,
          };
        case "resolve_timeout":
          return { ok: false, error: "its host did not resolve before the run's deadline" };
        default: {
          const unreachable: never = problem;
          return unreachable;
        }
      }
    }
    case "timeout":
      return {
        ok: false,
        error:
          failure.phase === "connect"
            ? "no connection before the run's deadline"
            : "no complete answer before the run's deadline",
      };
    case "connection_failed":
      return { ok: false, error: `could not connect${failure.code ? ` (${failure.code})` : ""}` };
    case "response_incomplete":
      return {
        ok: false,
        error: failure.closed
          ? "the connection closed mid-answer"
          : "the connection broke mid-answer",
      };
    case "response_too_large":
      return {
        ok: false,
        error: `the response body is larger than ${sizeWords(policy.maxResponseBodyBytes)}`,
        status: failure.head.status,
      };
    case "invalid_request":
      return { ok: false, error: "a header cannot be sent as given" };
    case "aborted":
      return { ok: false, error: "the run ended before the answer came" };
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

function sizeWords(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
