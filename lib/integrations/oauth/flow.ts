import "server-only";
import type { ConnectSessionProblem } from "../connect-sessions";
import type { OAuthDependencies, OAuthErrorCode } from "./types";

/**
 * The authorization-code flow with PKCE (S256) behind the hosted connect page's Connect button
 * and its callback page (/connect/callback). lib/integrations/README.md explains the state.
 */

export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;
export const CALLBACK_PATH = "/connect/callback";

export type StartAuthorizationResult =
  | { ok: true; authorizationUrl: string }
  /** The link itself is no good (expired, spent, type changed…): show its page. */
  | { ok: false; problem: ConnectSessionProblem }
  | { ok: false; error: OAuthErrorCode };

/**
 * Starts a flow for the connect link `token`: stores a fresh state (hashed), the PKCE verifier
 * (sealed) and the hash of `browserBinding` (a random value the page keeps in an HttpOnly cookie),
 * and answers the provider's authorization URL to send the browser to.
 */
export async function startAuthorization(
  _deps: OAuthDependencies,
  _input: { token: string; redirectUri: string; browserBinding: string },
): Promise<StartAuthorizationResult> {
  return { ok: false, error: "not_configured" };
}

export type CallbackProblem =
  /** Unknown or malformed state (never issued, tampered). */
  | "invalid_state"
  | "expired_state"
  /** Already used once (a replay, or the browser's back button). */
  | "used_state"
  /** The state was issued to another browser (its cookie does not match). */
  | "wrong_browser"
  /** The integration's auth configuration changed since the flow started; nothing was stored. */
  | "auth_changed"
  /** The connect link was spent or expired meanwhile. */
  | "link_spent"
  /** The provider sent an error instead of a code (e.g. the end user denied access). */
  | "denied"
  /** The code exchange failed (see `error`). */
  | "exchange_failed";

export type CompleteAuthorizationResult =
  | { ok: true; connectionId: string; integrationName: string; returnTo: string | null }
  | {
      ok: false;
      problem: CallbackProblem;
      error?: OAuthErrorCode;
      /** The link's return URL with `error=…`, when the state was good enough to know it. */
      returnTo: string | null;
    };

/**
 * Completes the flow on the callback: checks the state (single use, unexpired, this browser, the
 * same auth configuration), exchanges the code with the stored verifier, and stores the tokens
 * sealed as the end user's connection while spending the link, in one transaction.
 */
export async function completeAuthorization(
  _deps: OAuthDependencies,
  _input: {
    state: string | null;
    code: string | null;
    error: string | null;
    browserBinding: string | null;
  },
): Promise<CompleteAuthorizationResult> {
  return { ok: false, problem: "invalid_state", returnTo: null };
}
