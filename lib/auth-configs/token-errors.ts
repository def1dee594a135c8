import "server-only";

export type TokenBrokerErrorCode =
  | "config_not_found"
  | "config_unreadable"
  | "blocked_address"
  | "timeout"
  | "connection_failed"
  | "redirect_refused"
  | "upstream_rejected"
  | "invalid_response"
  | "response_too_large"
  | "backing_off";

export interface TokenBrokerErrorDetails {
  /** The auth config's identifier, for errors about the config itself rather than its server. */
  config?: string;
  oauthError?: string;
  status?: number;
  retryAfterSeconds?: number;
  /**
   * Short context in plain words that we wrote ourselves (or sanitised): which timeout, which
   * address class, the upstream's error_description cut to 200 safe characters. Never a body,
   * a secret or a token.
   */
  detail?: string;
}

/**
 * server.ts and Next's server bundle each load their own copy of this module, and the
 * process-wide broker (lib/runtime.ts) throws the class of whichever copy created it. A
 * registered symbol brands every instance, so `instanceof` holds across the copies.
 */
const BRAND = Symbol.for("authdesk.TokenBrokerError");

/**
 * Why a token could not be had. The message is `describeTokenError(this)`, so it is safe to log
 * and to show an admin as it is.
 */
export class TokenBrokerError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as { [BRAND]?: boolean })[BRAND] === true
    );
  }

  override name = "TokenBrokerError";
  readonly [BRAND] = true;
  readonly code: TokenBrokerErrorCode;
  readonly config?: string;
  readonly oauthError?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly detail?: string;

  constructor(code: TokenBrokerErrorCode, details: TokenBrokerErrorDetails = {}) {
    super(code);
    this.code = code;
    if (details.config !== undefined) this.config = details.config;
    if (details.oauthError !== undefined) this.oauthError = details.oauthError;
    if (details.status !== undefined) this.status = details.status;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.detail !== undefined) this.detail = details.detail;
    this.message = describeTokenError(this);
  }
}

const OAUTH_ERROR_WORDS = new Map<string, string>(
  Object.entries({
    invalid_client: "The token server rejected the client credentials",
    invalid_scope: "The token server refused the requested scope",
    unauthorized_client:
      "The token server does not allow this client to use the client-credentials grant",
    unsupported_grant_type: "The token server does not support the client-credentials grant",
    invalid_grant: "The token server refused the grant",
    invalid_request: "The token server called the request malformed",
    invalid_target: "The token server refused the requested audience",
    access_denied: "The token server denied access",
    temporarily_unavailable: "The token server is temporarily unavailable",
    server_error: "The token server had an internal error",
  }),
);

/** Plain words for admins. Never includes an upstream body, the client secret or a token. */
export function describeTokenError(error: TokenBrokerError): string {
  const detail = error.detail ? ` ${sentence(error.detail)}` : "";
  switch (error.code) {
    case "config_not_found":
      return "There is no auth config with this identifier.";
    case "config_unreadable":
      return `${describeUnreadableConfig(error.config)} Nothing was sent to the token server.`;
    case "blocked_address":
      return `The access token URL is not allowed${error.detail ? `: ${error.detail}` : ""}. Token URLs must be public https addresses unless private token URLs are allowed.`;
    case "timeout":
      return `The token server did not answer in time${error.detail ? ` (${error.detail})` : ""}.`;
    case "connection_failed":
      return `Could not reach the token server${error.detail ? ` (${error.detail})` : ""}.`;
    case "redirect_refused":
      return `The token server answered with a redirect${statusPart(error)}; redirects are not followed, so check the access token URL.`;
    case "upstream_rejected": {
      if (error.oauthError) {
        const words = OAUTH_ERROR_WORDS.get(error.oauthError);
        if (words) return `${words} (${error.oauthError}).${detail}`;
        const status = error.status ? `HTTP ${error.status}, ` : "";
        return `The token server refused the request (${status}${error.oauthError}).${detail}`;
      }
      return `The token server refused the request${statusPart(error)}.${detail}`;
    }
    case "invalid_response":
      return `The token server's answer was not a usable token response${error.detail ? `: ${error.detail}` : ""}.`;
    case "response_too_large":
      return `The token server's answer was larger than ${error.detail ?? "the size limit"}, so it was not read.`;
    case "backing_off":
      return `Not asking the token server again for ${error.retryAfterSeconds ?? 1} s after a failure.${detail}`;
    default: {
      const unreachable: never = error.code;
      return unreachable;
    }
  }
}

/**
 * Why a config's sealed credentials do not open and what to do, in plain words: the token route,
 * the console's Test and the config's detail all say this.
 */
export function describeUnreadableConfig(identifier?: string): string {
  return `The stored credentials of auth config ${identifier ? `"${identifier}" ` : ""}cannot be decrypted: they were sealed with an encryption key this server does not have, or changed in the database. Restore the key that sealed them to AUTHDESK_ENCRYPTION_KEYS (or the key file), or delete the config and create it again.`;
}

function statusPart(error: TokenBrokerError): string {
  return error.status ? ` (HTTP ${error.status})` : "";
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
