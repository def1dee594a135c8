import "server-only";
import { createHash, randomBytes } from "node:crypto";

/*
 * The random tokens that let someone in: session cookies, sign-in challenges waiting for a second
 * factor, invitation links. 256 random bits each; the database keeps only their SHA-256, so
 * reading a table (or a backup) gives no usable token, and a lookup by hash needs no slow hash.
 */

export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
