import "server-only";
import type { Database } from "@/db/client";
import type { Keyring } from "@/lib/crypto";
import type { ResolveHost } from "@/lib/outbound/ssrf-guard";
import type { Sandbox } from "@/lib/sandbox/types";

/**
 * The shapes shared by the OAuth parts of integrations: the client an end user authorizes
 * (client.ts), the protocol requests (protocol.ts), the authorization-code flow (flow.ts) and
 * fresh credentials for programs (fresh-credentials.ts). ./README.md explains the decisions.
 */

/** Everything needed to run the authorization-code flow and refresh against one provider. */
export interface OAuthClientConfig {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string | null;
  tokenEndpointAuthMethod: "client_secret_basic" | "client_secret_post" | "none";
  /** Space-separated, as sent in `scope`; null sends none. */
  scopes: string | null;
  /** RFC 8707 resource indicator (the protected resource of an OAUTH_DCR server); else null. */
  resource: string | null;
  /**
   * The authorization server's issuer when it is known (discovered, for OAUTH_DCR), and whether
   * it promises `iss` in its authorization responses (RFC 9207): the callback then checks that
   * the response came from this server, not from another one mixed up with it.
   */
  issuer?: { value: string; inResponse: boolean };
  /** The seed's custom code strings; "" means the standard request. */
  code: { authorizationCode: string; accessTokenCode: string; refreshTokenCode: string };
  /**
   * OAUTH_DCR with a client Authdesk registered: when that registration was stored, so that
   * forgetRegistration drops this one and never a newer one another instance stored meanwhile.
   */
  registeredAt?: Date;
}

/** An OAuth connection's credentials, sealed as one JSON value in values_sealed. */
export interface TokenSet {
  accessToken: string;
  /** null when the provider issued none; a refresh that omits it keeps the old one. */
  refreshToken: string | null;
  tokenType: string;
  expiresAt: Date | null;
  scope: string | null;
}

export type OAuthErrorCode =
  /** The provider refused the code or refresh token (RFC 6749 §5.2): the end user must reconnect. */
  | "invalid_grant"
  /** The provider does not know or accept our client (e.g. a forgotten DCR registration). */
  | "invalid_client"
  /** Any other error answer from the provider. */
  | "rejected"
  /** No answer: refused address, timeout, connection failure. */
  | "unreachable"
  /** An answer that is not a usable token response. */
  | "invalid_response"
  /** The integration's custom code threw, timed out or returned the wrong shape. */
  | "custom_code_failed"
  /** The integration has no complete OAuth client (missing URL, client id…). */
  | "not_configured"
  /** OAUTH_DCR: no usable authorization server metadata was found from the server URL. */
  | "discovery_failed"
  /** OAUTH_DCR: the registration endpoint refused or answered badly. */
  | "registration_failed";

/** A failure of an OAuth request. The message is ours: never a token, secret or provider text. */
export class OAuthError extends Error {
  override name = "OAuthError";
  constructor(
    readonly code: OAuthErrorCode,
    message: string,
    readonly details: {
      status?: number;
      retryAfterSeconds?: number;
      /** not_configured because an OAUTH_DCR integration has no registered client (any more). */
      unregistered?: boolean;
    } = {},
  ) {
    super(message);
  }
}

export interface OAuthDependencies {
  db: Database;
  keyring: Keyring;
  sandbox: Pick<Sandbox, "run">;
  /** Loopback, private addresses and plain http (AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS). */
  allowPrivateUrls: boolean;
  /** Tests resolve names themselves; default dns lookup. */
  resolveHost?: ResolveHost;
}
