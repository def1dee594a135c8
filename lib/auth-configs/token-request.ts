import "server-only";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  ADDRESS_WORDS,
  checkEndpoint,
  type EndpointProblem,
  type ResolveHost,
} from "@/lib/outbound/ssrf-guard";
import type { AuthConfigCredentials } from "./service";
import { TokenBrokerError } from "./token-errors";

/**
 * One client-credentials token request (RFC 6749 §4.4), bounded in every way a hostile or broken
 * token server could stretch it: connect time, total time, response size, redirects, content type.
 * Built on node:http rather than fetch because fetch can neither pin the connection to the
 * address we checked nor enforce a connect timeout separately from the total.
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
  const startedAt = Date.now();
  const checked = await checkEndpoint(config.tokenUrl, {
    allowPrivate: limits.allowPrivateTokenUrls,
    resolveHost: limits.resolveHost,
    resolveTimeoutMs: Math.min(limits.connectTimeoutMs, limits.totalTimeoutMs),
  });
  if (!checked.ok) throw endpointError(checked.problem, limits);
  const { url, host, addresses } = checked.endpoint;
  const remainingMs = limits.totalTimeoutMs - (Date.now() - startedAt);
  if (remainingMs <= 0)
    throw new TokenBrokerError("timeout", { detail: totalTimeoutWords(limits) });
  const { headers, body } = buildTokenRequest(config);

  // The request may only connect to the addresses that were checked; the hostname stays the
  // host for the Host header, TLS SNI and certificate checks.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0] as { address: string; family: number };
    callback(null, first.address, first.family);
  };

  return new Promise<TokenResponse>((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const client = url.protocol === "https:" ? https : http;
    const request = client.request({
      method: "POST",
      host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers,
      lookup,
      // A fresh connection per request: tokens are fetched rarely, and a pooled socket would
      // outlive the address check that allowed it.
      agent: false,
    });

    const totalTimer = setTimeout(
      () => fail(new TokenBrokerError("timeout", { detail: totalTimeoutWords(limits) })),
      remainingMs,
    );
    const onAbort = () =>
      fail(new TokenBrokerError("connection_failed", { detail: "the token broker was shut down" }));
    limits.signal?.addEventListener("abort", onAbort, { once: true });

    function finish(): void {
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
      limits.signal?.removeEventListener("abort", onAbort);
    }
    function fail(error: TokenBrokerError): void {
      if (settled) return;
      finish();
      request.destroy();
      reject(error);
    }
    function succeed(value: TokenResponse): void {
      if (settled) return;
      finish();
      resolve(value);
    }

    if (limits.signal?.aborted) {
      onAbort();
      return;
    }

    request.on("socket", (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () =>
          fail(
            new TokenBrokerError("timeout", {
              detail: `no connection within ${seconds(limits.connectTimeoutMs)}`,
            }),
          ),
        limits.connectTimeoutMs,
      );
      socket.once("connect", () => clearTimeout(connectTimer));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      fail(new TokenBrokerError("connection_failed", { detail: safeCode(error.code) }));
    });
    request.on("response", (response) => {
      handleResponse(response, config, limits).then(succeed, (error: unknown) => {
        response.destroy();
        fail(
          error instanceof TokenBrokerError
            ? error
            : new TokenBrokerError("connection_failed", {
                detail: "the connection broke mid-answer",
              }),
        );
      });
    });
    request.end(body);
  });
}

async function handleResponse(
  response: IncomingMessage,
  config: Credentials,
  limits: TokenRequestLimits,
): Promise<TokenResponse> {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) throw new TokenBrokerError("redirect_refused", { status });
  const ok = status >= 200 && status < 300;
  const retryAfterSeconds = ok ? undefined : parseRetryAfter(response.headers["retry-after"]);
  // Not-OK answers without a readable JSON error are reported by their status alone.
  const rejected = () =>
    new TokenBrokerError("upstream_rejected", {
      status,
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    });

  const contentType = response.headers["content-type"];
  if (!isJsonContentType(contentType)) {
    if (!ok) throw rejected();
    throw new TokenBrokerError("invalid_response", {
      status,
      detail: contentType
        ? `it was ${safeMediaType(contentType)}, not JSON`
        : "it had no content type",
    });
  }
  const encoding = response.headers["content-encoding"];
  if (encoding && encoding.toLowerCase() !== "identity") {
    // We never ask for compression, and inflating an answer would defeat the size cap.
    if (!ok) throw rejected();
    throw new TokenBrokerError("invalid_response", { status, detail: "it was compressed" });
  }

  const tooLarge = () =>
    ok
      ? new TokenBrokerError("response_too_large", {
          status,
          detail: sizeWords(limits.maxResponseBytes),
        })
      : rejected();
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limits.maxResponseBytes) throw tooLarge();
  const text = await readCapped(response, limits.maxResponseBytes, tooLarge);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!ok) throw rejected();
    throw new TokenBrokerError("invalid_response", { status, detail: "its JSON did not parse" });
  }
  const fields =
    parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;

  const oauthError = fields ? safeOAuthError(fields.error, config.clientSecret) : undefined;
  if (!ok || (oauthError && typeof fields?.access_token !== "string")) {
    if (!oauthError) throw rejected();
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

/** Reads at most `max` bytes; one byte more aborts the read instead of buffering the rest. */
function readCapped(
  response: IncomingMessage,
  max: number,
  tooLarge: () => TokenBrokerError,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    response.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        response.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    response.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size).toString("utf8"));
    });
    response.on("error", () => {
      if (done) return;
      done = true;
      reject(
        new TokenBrokerError("connection_failed", { detail: "the connection broke mid-answer" }),
      );
    });
    response.on("close", () => {
      if (done) return;
      done = true;
      reject(
        new TokenBrokerError("connection_failed", { detail: "the connection closed mid-answer" }),
      );
    });
  });
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

function safeCode(code: string | undefined): string | undefined {
  return code && /^[A-Z0-9_]{2,64}$/.test(code) ? code : undefined;
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
