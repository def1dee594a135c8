import "server-only";
import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Credential formats, in the spirit of GitHub's tokens: a typed prefix says what a string is,
 * 43 base62 characters carry 256 bits of randomness, and a 6-character CRC32 checksum lets a
 * secret scanner recognise a real one without asking the database.
 *
 *   client key     adk_ck_<43 random><6 checksum>   public, the OAuth client_id
 *   client secret  adk_cs_<43 random><6 checksum>   shown once; only its SHA-256 is stored
 *   access token   adk_at_<43 random><6 checksum>   only its SHA-256 is stored
 */
export type CredentialKind = "client_key" | "client_secret" | "access_token";

const PREFIXES: Record<CredentialKind, string> = {
  client_key: "adk_ck_",
  client_secret: "adk_cs_",
  access_token: "adk_at_",
};

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 43; // 43 × log2(62) ≈ 256.03 bits
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32, so every CRC32 fits

export function generateCredential(kind: CredentialKind): string {
  let random = "";
  for (let index = 0; index < RANDOM_LENGTH; index++) random += BASE62[randomInt(62)];
  return `${PREFIXES[kind]}${random}${checksum(random)}`;
}

/** True when `value` has the kind's prefix, length, alphabet and a matching checksum. */
export function isWellFormedCredential(value: string, kind: CredentialKind): boolean {
  const prefix = PREFIXES[kind];
  if (!value.startsWith(prefix) || value.length !== prefix.length + RANDOM_LENGTH + CHECKSUM_LENGTH)
    return false;
  const body = value.slice(prefix.length);
  if (![...body].every((char) => BASE62.includes(char))) return false;
  return checksum(body.slice(0, RANDOM_LENGTH)) === body.slice(RANDOM_LENGTH);
}

export function hashCredential(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Compares a presented credential with a stored hash in constant time. */
export function credentialMatches(presented: string, storedHash: string): boolean {
  const actual = Buffer.from(hashCredential(presented), "hex");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What admins see of a secret after creation: enough to tell two apart, useless to an attacker. */
export function visiblePrefix(secret: string): string {
  return `${secret.slice(0, PREFIXES.client_secret.length + 4)}…`;
}

function checksum(random: string): string {
  let value = crc32(random);
  let encoded = "";
  for (let index = 0; index < CHECKSUM_LENGTH; index++) {
    encoded = BASE62[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}
