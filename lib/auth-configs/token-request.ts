import "server-only";
import {
  guardedRequest,
  type OutboundFailure,
  OutboundRequestError,
  type OutboundResponse,
  type ResponseHead,
  safeCode,
} from "@/lib/outbound/guarded-request";
import { ADDRESS_WORDS, type EndpointProblem, type ResolveHost } from "@/lib/outbound/ssrf-guard";
import type { AuthConfigCredentials } from "./service";
import { TokenBrokerError } from "./token-errors";

/**
 * One client-credentials token request (RFC 6749 §4.4), bounded in every way a hostile or broken
 * token server could stretch it: connect time, total time, response size, redirects, content type.
 * The transport is lib/outbound/guarded-request (SSRF guard, pinned address, timeouts, size cap);
 * this module builds the request and turns the answer, or the failure, into a token or a typed
 * TokenBrokerError.
 */

export interface TokenRequestLimits {
  allowPrivateTokenUrls: boolean;
  resolveHost: ResolveHost;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxResponseBytes: number;
  /** Aborts the request (the broker's close()); it fails as connection_failed. */
  signal?: AbortSignal;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: string;
  /** Seconds, as the server said; undefined when it did not say. */
  expiresIn: number | undefined;
  /** The granted scope when the server reported one. */
  scope: string | undefined;
}

type Credentials = Pick<
  AuthConfigCredentials,
  "tokenUrl" | "scope" | "clientId" | "clientSecret" | "authMethod" | "audience"
>;

/**
 * application/x-www-form-urlencoding as RFC 6749 §2.3.1 requires before Basic's base64: what
 * encodeURIComponent leaves alone among `!'()*` is encoded too, and a space becomes `+`.
 */
export function formUrlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

export function buildTokenRequest(config: Credentials): {
  headers: Record<string, string>;
  body: string;
} {
  const fields: [string, string][] = [
    ["grant_type", "client_credentials"],
    ["scope", config.scope],
  ];
  if (config.audience) fields.push(["audience", config.audience]);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    // Some WAFs in front of token servers turn away requests that carry no user agent at all.
    "user-agent": "Authdesk-TokenBroker/1",
  };
  if (config.authMethod === "client_secret_basic") {
    const pair = `${formUrlEncode(config.clientId)}:${formUrlEncode(config.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
  } else {
    fields.push(["client_id", config.clientId], ["client_secret", config.clientSecret]);
  }
  const body = fields.map(([name, value]) => `${name}=${formUrlEncode(value)}`).join("&");
  headers["content-length"] = String(Buffer.byteLength(body));
  return { headers, body };
}

export async function requestToken(
  config: Credentials,
  limits: TokenRequestLimits,
): Promise<TokenResponse> {
  const { headers, body } = buildTokenRequest(config);
  let response: OutboundResponse;
  try {
    response = await guardedRequest(
      { method: "POST", url: config.tokenUrl, headers, body },
      {
        allowPrivate: limits.allowPrivateTokenUrls,
        resolveHost: limits.resolveHost,
        connectTimeoutMs: limits.connectTimeoutMs,
        totalTimeoutMs: limits.totalTimeoutMs,
        maxResponseBytes: limits.maxResponseBytes,
        ...(limits.signal ? { signal: limits.signal } : {}),
        // Redirects, non-JSON and compressed answers are refused on their headers alone.
        readBody: (head) => refusedOnHead(head) === undefined,
      },
    );
  } catch (error) {
    if (error instanceof OutboundRequestError) throw transportError(error.failure, limits);
    throw error;
  }
  const refused = refusedOnHead(response);
  if (refused) throw refused;
  return parseTokenResponse(response, response.body.toString("utf8"), config);
}

/** Not-OK answers without a readable JSON error are reported by their status alone. */
function rejectedByStatus(head: ResponseHead): TokenBrokerError {
  const retryAfterSeconds = parseRetryAfter(head.headers["retry-after"]);
  return new TokenBrokerError("upstream_rejected", {
    status: head.status,
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  });
}

function isOk(head: ResponseHead): boolean {
  return head.status >= 200 && head.status < 300;
}

/** What the status line and headers already rule out, before any of the body is read. */
function refusedOnHead(head: ResponseHead): TokenBrokerError | undefined {
  const { status } = head;
  if (status >= 300 && status < 400) return new TokenBrokerError("redirect_refused", { status });
  const contentType = head.headers["content-type"];
  if (!isJsonContentType(contentType)) {
    if (!isOk(head)) return rejectedByStatus(head);
    return new TokenBrokerError("invalid_response", {
      status,
      detail: contentType
        ? `it was ${safeMediaType(contentType)}, not JSON`
        : "it had no content type",
    });
  }
  const encoding = head.headers["content-encoding"];
  if (encoding && encoding.toLowerCase() !== "identity") {
    // We never ask for compression, and inflating an answer would defeat the size cap.
    if (!isOk(head)) return rejectedByStatus(head);
    return new TokenBrokerError("invalid_response", { status, detail: "it was compressed" });
  }
  return undefined;
}

function parseTokenResponse(head: ResponseHead, text: string, config: Credentials): TokenResponse {
  const { status } = head;
  const ok = isOk(head);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!ok) throw rejectedByStatus(head);
    throw new TokenBrokerError("invalid_response", { status, detail: "its JSON did not parse" });
  }
  const fields =
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;

  const oauthError = fields ? safeOAuthError(fields.error, config.clientSecret) : undefined;
  if (!ok || (oauthError && typeof fields?.access_token !== "string")) {
    if (!oauthError) throw rejectedByStatus(head);
    const retryAfterSeconds = ok ? undefined : parseRetryAfter(head.headers["retry-after"]);
    const description = safeDescription(fields?.error_description, config.clientSecret);
    throw new TokenBrokerError("upstream_rejected", {
      status,
      oauthError,
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      ...(description ? { detail: `It said: "${description}"` } : {}),
    });
  }
  if (!fields)
    throw new TokenBrokerError("invalid_response", { status, detail: "it was not a JSON object" });
  if (typeof fields.access_token !== "string" || fields.access_token === "") {
    throw new TokenBrokerError("invalid_response", { status, detail: "it had no access_token" });
  }
  if (typeof fields.token_type !== "string" || fields.token_type === "") {
    throw new TokenBrokerError("invalid_response", { status, detail: "it had no token_type" });
  }
  const expiresIn = parseExpiresIn(fields.expires_in);
  if (expiresIn === null) {
    throw new TokenBrokerError("invalid_response", {
      status,
      detail: "its expires_in was not a positive number",
    });
  }
  return {
    accessToken: fields.access_token,
    tokenType: fields.token_type,
    expiresIn,
    scope: typeof fields.scope === "string" ? fields.scope : undefined,
  };
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  const mediaType = value.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}

/** Missing → undefined (the broker's default lifetime); present but unusable → null. */
function parseExpiresIn(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined;
  // Some servers (older Azure AD among them) send the number as a string.
  const number =
    typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number <= 0) return null;
  return number;
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,6}$/.test(value.trim())) return undefined;
  const parsed = Number(value.trim());
  return parsed > 0 ? parsed : undefined;
}

/** RFC 6749 §5.2 error codes are short printable ASCII; anything else is not repeated. */
function safeOAuthError(value: unknown, secret: string): string | undefined {
  if (typeof value !== "string" || !/^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(value))
    return undefined;
  if (secret.length >= 4 && value.includes(secret)) return undefined;
  return value;
}

const MAX_DESCRIPTION = 200;

/** The upstream's error_description, only its RFC 6749 characters, the secret blanked, at most 200. */
function safeDescription(value: unknown, secret: string): string | undefined {
  if (typeof value !== "string") return undefined;
  let text = value;
  for (const form of new Set([secret, formUrlEncode(secret), encodeURIComponent(secret)])) {
    if (form.length >= 4) text = text.split(form).join("[redacted]");
  }
  text = text
    .replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return undefined;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

function safeMediaType(value: string): string {
  const mediaType = (value.split(";")[0] ?? "").trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]{1,40}\/[a-z0-9!#$&^_.+-]{1,60}$/.test(mediaType)
    ? mediaType
    : "another type";
}

/** The transport's failure in the words the token broker has always used. */
function transportError(failure: OutboundFailure, limits: TokenRequestLimits): TokenBrokerError {
  switch (failure.kind) {
    case "endpoint":
      return endpointError(failure.problem, limits);
    case "timeout":
      return new TokenBrokerError("timeout", {
        detail:
          failure.phase === "connect"
            ? `no connection within ${seconds(limits.connectTimeoutMs)}`
            : totalTimeoutWords(limits),
      });
    case "connection_failed":
      return new TokenBrokerError("connection_failed", { detail: safeCode(failure.code) });
    case "response_incomplete":
      return new TokenBrokerError("connection_failed", {
        detail: failure.closed
          ? "the connection closed mid-answer"
          : "the connection broke mid-answer",
      });
    case "response_too_large":
      return isOk(failure.head)
        ? new TokenBrokerError("response_too_large", {
            status: failure.head.status,
            detail: sizeWords(limits.maxResponseBytes),
          })
        : rejectedByStatus(failure.head);
    case "invalid_request":
      return new TokenBrokerError("connection_failed", {
        detail: "an unexpected error occurred",
      });
    case "aborted":
      return new TokenBrokerError("connection_failed", {
        detail: "the token broker was shut down",
      });
    default: {
      const unreachable: never = failure;
      return unreachable;
    }
  }
}

function endpointError(problem: EndpointProblem, limits: TokenRequestLimits): TokenBrokerError {
  switch (problem.kind) {
    case "invalid_url":
      return new TokenBrokerError("blocked_address", { detail: "it is not a valid URL" });
    case "scheme":
      return new TokenBrokerError("blocked_address", {
        detail:
          limits.allowPrivateTokenUrls || problem.scheme !== "http"
            ? "it is not an http(s) URL"
            : "it is not https",
      });
    case "address":
      return new TokenBrokerError("blocked_address", { detail: ADDRESS_WORDS[problem.verdict] });
    case "unresolvable":
      return new TokenBrokerError("connection_failed", {
        detail: `its host did not resolve${safeCode(problem.code) ? `: ${problem.code}` : ""}`,
      });
    case "resolve_timeout":
      return new TokenBrokerError("timeout", {
        detail: `its host did not resolve within ${seconds(Math.min(limits.connectTimeoutMs, limits.totalTimeoutMs))}`,
      });
    default: {
      const unreachable: never = problem;
      return unreachable;
    }
  }
}

function totalTimeoutWords(limits: TokenRequestLimits): string {
  return `no complete answer within ${seconds(limits.totalTimeoutMs)}`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function sizeWords(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
