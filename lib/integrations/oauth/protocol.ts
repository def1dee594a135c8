import "server-only";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError, type TokenSet } from "./types";

/**
 * The three requests of the authorization-code flow, each either the standard one or the
 * integration's custom code run in the sandbox: the authorization URL, the code exchange and the
 * refresh. Token requests go through lib/outbound's SSRF-guarded, bounded client. Throws OAuthError.
 */

export async function buildAuthorizationUrl(
  _deps: OAuthDependencies,
  _client: OAuthClientConfig,
  _request: { state: string; codeChallenge: string; redirectUri: string },
): Promise<string> {
  throw new OAuthError("not_configured", "not implemented yet");
}

export async function exchangeCode(
  _deps: OAuthDependencies,
  _client: OAuthClientConfig,
  _request: { code: string; codeVerifier: string; redirectUri: string },
): Promise<TokenSet> {
  throw new OAuthError("not_configured", "not implemented yet");
}

/** The result's refreshToken is null when the provider sent none: the caller keeps the old one. */
export async function refreshTokens(
  _deps: OAuthDependencies,
  _client: OAuthClientConfig,
  _refreshToken: string,
): Promise<TokenSet> {
  throw new OAuthError("not_configured", "not implemented yet");
}
