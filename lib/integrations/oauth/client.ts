import "server-only";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError } from "./types";

/**
 * The OAuth client of an integration: for OAUTH, its stored (sealed) oauthClient; for OAUTH_DCR,
 * the client registered at the authorization server discovered from its server URL (registering
 * it first when there is none yet, or the stored one no longer fits). Throws OAuthError.
 *
 * `redirectUri` is where the provider sends the browser back; without it (a refresh), an
 * OAUTH_DCR integration uses its stored registration as it is and never registers.
 */
export async function loadOAuthClient(
  _deps: OAuthDependencies,
  _integrationId: string,
  _options: { redirectUri?: string } = {},
): Promise<OAuthClientConfig> {
  throw new OAuthError("not_configured", "not implemented yet");
}
