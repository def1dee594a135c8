import "server-only";
import { formUrlEncode } from "@/lib/auth-configs/token-request";
import {
  guardedRequest,
  OutboundRequestError,
  type OutboundResponse,
  type ResponseHead,
} from "@/lib/outbound/guarded-request";
import { defaultResolveHost } from "@/lib/outbound/ssrf-guard";
import type { JsonValue } from "@/lib/sandbox/types";
import { parseHttpUrl, parseUrl } from "../url-rules";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError, type TokenSet } from "./types";

/**
 * The three requests of the authorization-code flow, each either the standard one or the
 * integration's custom code run in the sandbox: the authorization URL, the code exchange and the
 * refresh. Token requests go through lib/outbound's SSRF-guarded, bounded client. Throws OAuthError.
 * ./README.md documents what each custom code string receives and must return.
 */

export const TOKEN_REQUEST_LIMITS = {
  connectTimeoutMs: 5_000,
  totalTimeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
} as const;

/** expires_in beyond a year is taken as a year: a refresh then and there is harmless. */
const MAX_EXPIRES_IN_SECONDS = 365 * 24 * 3600;

type TokenFields = [name: string, value: string][];

export async function buildAuthorizationUrl(
  deps: OAuthDependencies,
  client: OAuthClientConfig,
  request: { state: string; codeChallenge: string; redirectUri: string },
): Promise<string> {
  const url = client.code.authorizationCode
    ? await customAuthorizationUrl(deps, client, request)
    : standardAuthorizationUrl(client, request);
  checkAuthorizationUrl(deps, url, request.state);
  return url;
}

function standardAuthorizationUrl(
  client: OAuthClientConfig,
  request: { state: string; codeChallenge: string; redirectUri: string },
): string {
  const url = parseUrl(client.authorizationEndpoint);
  if (!url) throw new OAuthError("not_configured", "The authorization URL is not a valid URL");
  const params: [string, string | null][] = [
    ["response_type", "code"],
    ["client_id", client.clientId],
    ["redirect_uri", request.redirectUri],
    ["scope", client.scopes],
    ["state", request.state],
    ["code_challenge", request.codeChallenge],
    ["code_challenge_method", "S256"],
    ["resource", client.resource],
  ];
  // set(), not append(): the endpoint's own query is kept, but never overrides ours.
  for (const [name, value] of params) if (value) url.searchParams.set(name, value);
  return url.toString();
}

async function customAuthorizationUrl(
  deps: OAuthDependencies,
  client: OAuthClientConfig,
  request: { state: string; codeChallenge: string; redirectUri: string },
): Promise<string> {
  const value = await runCustomCode(deps, client.code.authorizationCode, {
    clientId: client.clientId,
    authorizationEndpoint: client.authorizationEndpoint,
    redirectUri: request.redirectUri,
    scopes: client.scopes ?? "",
    state: request.state,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: "S256",
  });
  if (typeof value !== "string") throw customCodeFailed("did not return a URL string");
  return value;
}

/**
 * The browser goes wherever this URL says, so it must be http(s) under the private-URL rule
 * (url-rules.ts) and carry our state unchanged: without it the callback could not be tied to
 * this flow.
 */
function checkAuthorizationUrl(deps: OAuthDependencies, value: string, state: string): void {
  const url = parseHttpUrl(value, { allowHttp: deps.allowPrivateUrls });
  const allowed =
    url !== null &&
    url.searchParams.getAll("state").length === 1 &&
    url.searchParams.get("state") === state;
  if (allowed) return;
  throw new OAuthError(
    "custom_code_failed",
    "The authorization URL must be an https URL that carries Authdesk's state unchanged",
  );
}

export async function exchangeCode(
  deps: OAuthDependencies,
  client: OAuthClientConfig,
  request: { code: string; codeVerifier: string; redirectUri: string },
): Promise<TokenSet> {
  if (client.code.accessTokenCode) {
    const value = await runCustomCode(deps, client.code.accessTokenCode, {
      code: request.code,
      codeVerifier: request.codeVerifier,
      redirectUri: request.redirectUri,
      clientId: client.clientId,
      clientSecret: client.clientSecret ?? "",
      tokenEndpoint: client.tokenEndpoint,
    });
    return tokenSetFromCustomCode(value);
  }
  return tokenRequest(deps, client, [
    ["grant_type", "authorization_code"],
    ["code", request.code],
    ["redirect_uri", request.redirectUri],
    ["code_verifier", request.codeVerifier],
  ]);
}

/** The result's refreshToken is null when the provider sent none: the caller keeps the old one. */
export async function refreshTokens(
  deps: OAuthDependencies,
  client: OAuthClientConfig,
  refreshToken: string,
): Promise<TokenSet> {
  if (client.code.refreshTokenCode) {
    const value = await runCustomCode(deps, client.code.refreshTokenCode, {
      refreshToken,
      clientId: client.clientId,
      clientSecret: client.clientSecret ?? "",
      tokenEndpoint: client.tokenEndpoint,
      scopes: client.scopes ?? "",
    });
    return tokenSetFromCustomCode(value);
  }
  // No scope: RFC 6749 §6 then grants the scope of the original authorization.
  return tokenRequest(deps, client, [
    ["grant_type", "refresh_token"],
    ["refresh_token", refreshToken],
  ]);
}

/** One RFC 6749 token request: form body, our client authentication, a JSON answer only. */
async function tokenRequest(
  deps: OAuthDependencies,
  client: OAuthClientConfig,
  grant: TokenFields,
): Promise<TokenSet> {
  const fields: TokenFields = [...grant];
  // RFC 8707: the resource goes with the token request too, so the token is for it.
  if (client.resource) fields.push(["resource", client.resource]);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    "user-agent": "Authdesk-Connect/1",
  };
  addClientAuthentication(client, headers, fields);
  const body = fields.map(([name, value]) => `${name}=${formUrlEncode(value)}`).join("&");
  let response: OutboundResponse;
  try {
    response = await guardedRequest(
      { method: "POST", url: client.tokenEndpoint, headers, body },
      {
        allowPrivate: deps.allowPrivateUrls,
        resolveHost: deps.resolveHost ?? defaultResolveHost,
        ...TOKEN_REQUEST_LIMITS,
        // A redirect or a non-JSON answer is refused on its head alone, its body never read.
        readBody: (head) => !isRedirect(head) && isJson(head),
      },
    );
  } catch (error) {
    if (error instanceof OutboundRequestError) throw transportError(error);
    throw error;
  }
  return tokenSetFromAnswer(response);
}

/** RFC 6749 §2.3.1: Basic with form-encoded id and secret, or both in the body; "none" sends the id. */
function addClientAuthentication(
  client: OAuthClientConfig,
  headers: Record<string, string>,
  fields: TokenFields,
): void {
  const method = client.tokenEndpointAuthMethod;
  if (method === "none") {
    fields.push(["client_id", client.clientId]);
    return;
  }
  if (!client.clientSecret) {
    throw new OAuthError("not_configured", "The OAuth client has no client secret");
  }
  if (method === "client_secret_basic") {
    const pair = `${formUrlEncode(client.clientId)}:${formUrlEncode(client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair, "utf8").toString("base64")}`;
    return;
  }
  fields.push(["client_id", client.clientId], ["client_secret", client.clientSecret]);
}

function transportError(error: OutboundRequestError): OAuthError {
  const { failure } = error;
  if (failure.kind === "response_too_large") {
    if (!isOk(failure.head)) return rejected(failure.head);
    return new OAuthError("invalid_response", "The token endpoint's answer was larger than 64 KiB");
  }
  if (failure.kind === "endpoint") {
    return new OAuthError("unreachable", "The token endpoint's address is not allowed or unknown");
  }
  return new OAuthError("unreachable", `The token endpoint did not answer (${failure.kind})`);
}

function tokenSetFromAnswer(response: OutboundResponse): TokenSet {
  if (isRedirect(response)) throw rejected(response, "The token endpoint answered with a redirect");
  const fields = isJson(response) ? parseJsonObject(response.body.toString("utf8")) : null;
  const error = typeof fields?.error === "string" ? fields.error : null;
  if (!isOk(response) || error !== null) {
    if (error === "invalid_grant") throw invalidGrant();
    if (error === "invalid_client" || response.status === 401) throw invalidClient();
    throw rejected(response);
  }
  if (!fields) {
    throw new OAuthError("invalid_response", "The token endpoint's answer was not a JSON object");
  }
  const tokens = toTokenSet(fields);
  if (!tokens) {
    throw new OAuthError(
      "invalid_response",
      "The token endpoint's answer had no usable access_token",
    );
  }
  return tokens;
}

/**
 * A custom code's token response: the RFC 6749 object, or `{ error }` for a refusal. Anything
 * else is the code's fault, reported in our words only.
 */
function tokenSetFromCustomCode(value: JsonValue): TokenSet {
  const fields =
    value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
  if (!fields) throw customCodeFailed("did not return a token response object");
  if (fields.error === "invalid_grant") throw invalidGrant();
  if (fields.error === "invalid_client") throw invalidClient();
  if (fields.error !== undefined) {
    throw new OAuthError("rejected", "The provider refused the token request (custom code)");
  }
  const tokens = toTokenSet(fields);
  if (!tokens) throw customCodeFailed("returned no usable access_token");
  return tokens;
}

/** RFC 6749 §5.1's fields; null when access_token or expires_in is unusable. */
function toTokenSet(fields: Record<string, unknown>): TokenSet | null {
  const accessToken = nonEmpty(fields.access_token);
  const expiresIn = parseExpiresIn(fields.expires_in);
  if (!accessToken || expiresIn === "invalid") return null;
  return {
    accessToken,
    refreshToken: nonEmpty(fields.refresh_token),
    // Some providers leave token_type out; Bearer is what they mean.
    tokenType: nonEmpty(fields.token_type) ?? "Bearer",
    expiresAt:
      expiresIn === null
        ? null
        : new Date(Date.now() + Math.min(expiresIn, MAX_EXPIRES_IN_SECONDS) * 1000),
    scope: nonEmpty(fields.scope),
  };
}

function parseExpiresIn(value: unknown): number | null | "invalid" {
  if (value === undefined || value === null) return null;
  // Some servers (older Azure AD among them) send the number as a string.
  const number =
    typeof value === "string" && /^\d{1,12}$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number) || number <= 0) return "invalid";
  return number;
}

/**
 * Runs one of the integration's OAuth code strings. Its result carries tokens to us, so it comes
 * back unredacted; its error message may carry them too, so none of it is ever repeated.
 */
async function runCustomCode(
  deps: OAuthDependencies,
  code: string,
  secrets: Record<string, string>,
): Promise<JsonValue> {
  const outcome = await deps.sandbox.run({ code, secrets, returnValue: "raw" });
  if (outcome.ok) return outcome.value;
  if (outcome.kind === "unavailable") {
    throw new OAuthError("custom_code_failed", "The integration's custom OAuth code could not run");
  }
  throw customCodeFailed(outcome.kind === "timeout" ? "timed out" : "failed");
}

function customCodeFailed(what: string): OAuthError {
  return new OAuthError("custom_code_failed", `The integration's custom OAuth code ${what}`);
}

function invalidGrant(): OAuthError {
  return new OAuthError(
    "invalid_grant",
    "The provider refused the authorization; the end user must connect again",
  );
}

function invalidClient(): OAuthError {
  return new OAuthError("invalid_client", "The provider does not accept Authdesk's OAuth client");
}

function rejected(head: ResponseHead, message?: string): OAuthError {
  const retryAfter = head.headers["retry-after"]?.trim();
  const retryAfterSeconds = retryAfter && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) : 0;
  return new OAuthError(
    "rejected",
    message ?? `The token endpoint refused the request (HTTP ${head.status})`,
    { status: head.status, ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}) },
  );
}

function isOk(head: ResponseHead): boolean {
  return head.status >= 200 && head.status < 300;
}

function isRedirect(head: ResponseHead): boolean {
  return head.status >= 300 && head.status < 400;
}

/** JSON, uncompressed: we never ask for compression, and inflating would defeat the size cap. */
export function isJson(head: ResponseHead): boolean {
  const mediaType = head.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  const encoding = head.headers["content-encoding"]?.toLowerCase();
  return mediaType === "application/json" && (!encoding || encoding === "identity");
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** A JSON answer's string field, or null when it is missing, empty or not a string. */
export function nonEmpty(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
