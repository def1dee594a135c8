import "server-only";
import type { Executor } from "@/db/client";
import type { TokenStore } from "@/lib/oauth/tokens";
import { type BasicVerifier, decodeTillCredentials } from "./basic";
import type { LastUsedRecorder } from "./last-used";

/**
 * The one place that decides who is calling /api: an API client by its Bearer access token, or
 * a till by Basic credentials when the organisation allows Basic. Plain in, typed result out;
 * lib/api-auth/middleware.ts turns failures into HTTP answers.
 */
export type ApiCaller =
  | { kind: "client"; clientId: string; clientKey: string; tillId: string; scopes: string[] }
  | { kind: "till"; tillId: string; scopes: string[] };

export type ApiAuthFailure =
  /** The request came from a browser (Origin or Sec-Fetch-Site): this API is for servers. */
  | { code: "browser_request" }
  /** No Authorization header, or one of a scheme we do not take. */
  | { code: "no_credentials" }
  | { code: "malformed_bearer" | "malformed_basic" }
  /** Unknown, expired or revoked token, or its client was deleted. */
  | { code: "invalid_token" }
  | { code: "basic_disabled" }
  | { code: "invalid_basic" }
  /** Too many failed Basic attempts for the till code or the address. */
  | { code: "throttled"; retryAfterSeconds: number };

export type ApiAuthResult =
  | { ok: true; caller: ApiCaller }
  | { ok: false; failure: ApiAuthFailure };

export interface ApiRequestHeaders {
  authorization: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The trusted address server.ts puts on every request. */
  clientAddress: string | null;
}

export interface ApiAuthServices {
  db: Executor;
  tokens: TokenStore;
  basic: BasicVerifier;
  lastUsed: LastUsedRecorder;
}

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export async function authenticateApiRequest(
  services: ApiAuthServices,
  headers: ApiRequestHeaders,
): Promise<ApiAuthResult> {
  // Browsers send Origin on cross-origin and non-GET requests and Sec-Fetch-Site on all of them
  // (Node's fetch sends neither), so either one means a page is making this call.
  if (headers.origin !== undefined || headers.secFetchSite !== undefined) {
    return fail({ code: "browser_request" });
  }
  const [scheme = "", ...rest] = (headers.authorization ?? "").trim().split(/ +/);
  const credentials = rest.join(" ");
  switch (scheme.toLowerCase()) {
    case "bearer":
      return authenticateBearer(services, credentials);
    case "basic":
      return authenticateBasic(services, credentials, headers.clientAddress);
    default:
      return fail({ code: "no_credentials" });
  }
}

async function authenticateBearer(
  services: ApiAuthServices,
  token: string,
): Promise<ApiAuthResult> {
  if (!B64TOKEN.test(token)) return fail({ code: "malformed_bearer" });
  const active = await services.tokens.findActive(token);
  if (!active) return fail({ code: "invalid_token" });
  services.lastUsed.record(active.clientId);
  const { clientId, clientKey, tillId, scopes } = active;
  return { ok: true, caller: { kind: "client", clientId, clientKey, tillId, scopes } };
}

async function authenticateBasic(
  services: ApiAuthServices,
  encoded: string,
  clientAddress: string | null,
): Promise<ApiAuthResult> {
  const credentials = decodeTillCredentials(encoded);
  if (!credentials) return fail({ code: "malformed_basic" });
  const result = await services.basic.verify(services.db, credentials, clientAddress);
  if (result.ok) {
    return { ok: true, caller: { kind: "till", tillId: result.tillId, scopes: result.scopes } };
  }
  switch (result.error) {
    case "basic_disabled":
      return fail({ code: "basic_disabled" });
    case "invalid_credentials":
      return fail({ code: "invalid_basic" });
    case "throttled":
      return fail({ code: "throttled", retryAfterSeconds: result.retryAfterSeconds });
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

function fail(failure: ApiAuthFailure): ApiAuthResult {
  return { ok: false, failure };
}

/** Whether the caller holds at least one of `anyOf`. */
export function hasAnyScope(caller: ApiCaller, anyOf: string[]): boolean {
  return anyOf.some((scope) => caller.scopes.includes(scope));
}
