import "server-only";

/**
 * The session cookie's name. Over HTTPS it carries the `__Host-` prefix, with which browsers
 * accept the cookie only when it is Secure, has Path=/ and no Domain: a sibling subdomain or a
 * plain-http page on the same host cannot plant or overwrite it. Plain http (local use) cannot
 * set Secure cookies, so there the name has no prefix. Signing in, signing out and reading the
 * session all take the name from here, for the request's protocol.
 */
const SESSION_COOKIE_BASE = "authdesk_session";

export function sessionCookieName(https: boolean): string {
  return https ? `__Host-${SESSION_COOKIE_BASE}` : SESSION_COOKIE_BASE;
}

/**
 * The cookie of a sign-in waiting for its second factor (lib/auth/two-factor.ts): named and
 * prefixed like the session cookie for the same reasons, and short-lived like the challenge.
 */
const SIGN_IN_CHALLENGE_COOKIE_BASE = "authdesk_sign_in_challenge";

export function signInChallengeCookieName(https: boolean): string {
  return https ? `__Host-${SIGN_IN_CHALLENGE_COOKIE_BASE}` : SIGN_IN_CHALLENGE_COOKIE_BASE;
}
