import "server-only";
import {
  guardedRequest,
  type OutboundRequest,
  OutboundRequestError,
} from "@/lib/outbound/guarded-request";
import { defaultResolveHost } from "@/lib/outbound/ssrf-guard";
import { parseHttpUrl } from "../url-rules";
import { isJson, nonEmpty, TOKEN_REQUEST_LIMITS } from "./protocol";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError } from "./types";

/**
 * OAUTH_DCR's network side: from a server URL to its authorization server's metadata (RFC 9728
 * protected-resource metadata, then RFC 8414 discovery), and the RFC 7591 registration there.
 * Every request goes through the SSRF-guarded, bounded client; redirects are not followed.
 */

export interface ServerMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint: string | null;
  /** The RFC 8707 resource indicator, from protected-resource metadata; null without one. */
  resource: string | null;
  /** The protected resource's scopes_supported, joined; used when the admin set no scopes. */
  resourceScopes: string | null;
  authMethodsSupported: string[] | null;
  /** RFC 9207: the server names itself (`iss`) in every authorization response. */
  issuerInResponse?: boolean;
}

export interface Registration {
  clientId: string;
  clientSecret: string | null;
  registrationAccessToken: string | null;
  tokenEndpointAuthMethod: OAuthClientConfig["tokenEndpointAuthMethod"];
  clientSecretExpiresAt: Date | null;
}

const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"] as const;

export async function discoverServer(
  deps: OAuthDependencies,
  serverUrl: string,
): Promise<ServerMetadata> {
  const server = allowedUrl(deps, serverUrl);
  if (!server) throw new OAuthError("not_configured", "The server URL is not an http(s) URL");
  const resource = await protectedResourceMetadata(deps, server);
  const issuer = resource?.authorizationServer ?? server.origin;
  for (const url of authorizationServerMetadataUrls(issuer)) {
    const metadata = await getJson(deps, url);
    if (!metadata) continue;
    return validateMetadata(deps, metadata, issuer, resource);
  }
  throw new OAuthError("discovery_failed", "No authorization server metadata was found");
}

interface ResourceInfo {
  authorizationServer: string;
  resource: string | null;
  scopes: string | null;
}

/** RFC 9728 §3.1: path-inserted first, then the origin's; the first authorization server listed. */
async function protectedResourceMetadata(
  deps: OAuthDependencies,
  server: URL,
): Promise<ResourceInfo | null> {
  const path = server.pathname === "/" ? "" : server.pathname.replace(/\/$/, "");
  const candidates = [
    ...(path ? [`${server.origin}/.well-known/oauth-protected-resource${path}`] : []),
    `${server.origin}/.well-known/oauth-protected-resource`,
  ];
  for (const url of candidates) {
    const metadata = await getJson(deps, url);
    const first = Array.isArray(metadata?.authorization_servers)
      ? metadata.authorization_servers[0]
      : undefined;
    if (typeof first !== "string" || !allowedUrl(deps, first)) continue;
    const resource = typeof metadata?.resource === "string" ? metadata.resource : null;
    // RFC 9728 §3.3: metadata for another origin's resource is not this server's.
    const sameOrigin = resource !== null && allowedUrl(deps, resource)?.origin === server.origin;
    return {
      authorizationServer: first,
      resource: sameOrigin ? resource : null,
      scopes: scopeList(metadata?.scopes_supported),
    };
  }
  return null;
}

/** RFC 8414 §3.1's path-inserted URL, OpenID's path-inserted and appended forms, in that order. */
function authorizationServerMetadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  const urls = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}/.well-known/openid-configuration${path}`,
  ];
  if (path) urls.push(`${url.origin}${path}/.well-known/openid-configuration`);
  return urls;
}

function validateMetadata(
  deps: OAuthDependencies,
  metadata: Record<string, unknown>,
  issuer: string,
  resource: ResourceInfo | null,
): ServerMetadata {
  const endpoint = (name: string) => {
    const value = metadata[name];
    return typeof value === "string" && allowedUrl(deps, value) ? value : null;
  };
  const authorizationEndpoint = endpoint("authorization_endpoint");
  const tokenEndpoint = endpoint("token_endpoint");
  const challenges = metadata.code_challenge_methods_supported;
  // RFC 8414 §3.3: the metadata must be the issuer's own, or an attacker's answer could redirect us.
  const valid =
    typeof metadata.issuer === "string" &&
    trimSlash(metadata.issuer) === trimSlash(issuer) &&
    authorizationEndpoint &&
    tokenEndpoint &&
    (!Array.isArray(challenges) || challenges.includes("S256"));
  if (!valid || !authorizationEndpoint || !tokenEndpoint) {
    throw new OAuthError("discovery_failed", "The authorization server's metadata is not usable");
  }
  const methods = metadata.token_endpoint_auth_methods_supported;
  return {
    issuer: metadata.issuer as string,
    authorizationEndpoint,
    tokenEndpoint,
    registrationEndpoint: endpoint("registration_endpoint"),
    resource: resource?.resource ?? null,
    resourceScopes: resource?.scopes ?? null,
    authMethodsSupported: Array.isArray(methods)
      ? methods.filter((method): method is string => typeof method === "string")
      : null,
    issuerInResponse: metadata.authorization_response_iss_parameter_supported === true,
  };
}

/**
 * "none" when the server takes public clients (nothing to keep secret, nothing to expire), else
 * client_secret_basic, which RFC 8414 §2 makes the default when the server lists nothing.
 */
export function chooseAuthMethod(
  supported: string[] | null,
  hasSecret = true,
): OAuthClientConfig["tokenEndpointAuthMethod"] {
  if (!hasSecret) return "none";
  if (!supported) return "client_secret_basic";
  if (supported.includes("client_secret_basic")) return "client_secret_basic";
  if (supported.includes("client_secret_post")) return "client_secret_post";
  return "client_secret_basic";
}

/** RFC 7591 §3.1. Throws registration_failed for a refusal or an unusable answer. */
export async function registerClient(
  deps: OAuthDependencies,
  metadata: ServerMetadata,
  request: { redirectUri: string; scopes: string | null },
): Promise<Registration> {
  if (!metadata.registrationEndpoint) {
    throw new OAuthError(
      "registration_failed",
      "The authorization server offers no dynamic client registration",
    );
  }
  const method = metadata.authMethodsSupported?.includes("none")
    ? "none"
    : chooseAuthMethod(metadata.authMethodsSupported);
  const body = JSON.stringify({
    redirect_uris: [request.redirectUri],
    token_endpoint_auth_method: method,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    client_name: "Authdesk",
    ...(request.scopes ? { scope: request.scopes } : {}),
  });
  const answer = await send(deps, {
    method: "POST",
    url: metadata.registrationEndpoint,
    headers: { "content-type": "application/json", accept: "application/json" },
    body,
  });
  const registration = answer.ok ? toRegistration(answer.json, method) : null;
  if (!registration) {
    throw new OAuthError(
      "registration_failed",
      "The authorization server refused the registration",
    );
  }
  return registration;
}

function toRegistration(
  json: Record<string, unknown>,
  requested: OAuthClientConfig["tokenEndpointAuthMethod"],
): Registration | null {
  const clientId = nonEmpty(json.client_id);
  if (!clientId) return null;
  const clientSecret = nonEmpty(json.client_secret);
  // The server may grant another method than the one asked for (RFC 7591 §3.2.1).
  const granted = AUTH_METHODS.find((method) => method === json.token_endpoint_auth_method);
  const method = granted ?? requested;
  if (method !== "none" && !clientSecret) return null;
  const expiresAt = json.client_secret_expires_at;
  return {
    clientId,
    clientSecret,
    registrationAccessToken: nonEmpty(json.registration_access_token),
    tokenEndpointAuthMethod: method,
    // 0 means the secret never expires.
    clientSecretExpiresAt:
      typeof expiresAt === "number" && expiresAt > 0 ? new Date(expiresAt * 1000) : null,
  };
}

/** A 200 JSON object, or null for anything else (absent, refused, unreachable, malformed). */
async function getJson(
  deps: OAuthDependencies,
  url: string,
): Promise<Record<string, unknown> | null> {
  const answer = await send(deps, { method: "GET", url, headers: { accept: "application/json" } });
  return answer.ok ? answer.json : null;
}

async function send(
  deps: OAuthDependencies,
  request: OutboundRequest,
): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false }> {
  try {
    const response = await guardedRequest(request, {
      allowPrivate: deps.allowPrivateUrls,
      resolveHost: deps.resolveHost ?? defaultResolveHost,
      ...TOKEN_REQUEST_LIMITS,
      readBody: (head) => head.status >= 200 && head.status < 300 && isJson(head),
    });
    if (!response.bodyRead) return { ok: false };
    const json: unknown = JSON.parse(response.body.toString("utf8"));
    if (json === null || typeof json !== "object" || Array.isArray(json)) return { ok: false };
    return { ok: true, json: json as Record<string, unknown> };
  } catch (error) {
    if (error instanceof OutboundRequestError || error instanceof SyntaxError) return { ok: false };
    throw error;
  }
}

/**
 * A server URL, or one a server's metadata names, that discovery may use: http(s) under the
 * private-URL rule (url-rules.ts), and without a fragment, which no endpoint has.
 */
function allowedUrl(deps: OAuthDependencies, value: string): URL | null {
  const url = parseHttpUrl(value, { allowHttp: deps.allowPrivateUrls });
  return url && !url.hash ? url : null;
}

function scopeList(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const scopes = value.filter(
    (scope): scope is string => typeof scope === "string" && scope !== "",
  );
  return scopes.length > 0 ? scopes.join(" ") : null;
}

function trimSlash(value: string): string {
  return value.replace(/\/+$/, "");
}
