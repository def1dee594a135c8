import { createHash, randomBytes } from "node:crypto";

/**
 * The connect flow's random values: link tokens, OAuth states and PKCE verifiers, and the
 * browser-binding cookie. Each is 32 random bytes in base64url; where one is looked up, only its
 * SHA-256 is stored. No secrets and no I/O here (no server-only), so the e2e specs hash a link
 * exactly as the service does.
 */

/** The shape newRandomToken makes. A presented value of any other shape is not looked up. */
export const RANDOM_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newRandomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
