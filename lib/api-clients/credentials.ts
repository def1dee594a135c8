import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";

/**
 * Credential formats, in the spirit of GitHub's tokens: a typed prefix says what a string is,
 * 43 base62 characters carry 256 bits of randomness, and a 6-character CRC32 checksum lets a
 * secret scanner recognise a real one without asking the database.
 *
 *   client key     adk_ck_<43 random><6 checksum>   public, the OAuth client_id
 *   client secret  adk_cs_<43 random><6 checksum>   shown once; only its SHA-256 is stored
 *
 * Access tokens (`adk_at_…`) are signed instead: lib/oauth/access-tokens.ts.
 */
export type CredentialKind = "client_key" | "client_secret";

const PREFIXES: Record<CredentialKind, string> = {
  client_key: "adk_ck_",
  client_secret: "adk_cs_",
};

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 43; // 43 × log2(62) ≈ 256.03 bits
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32, so every CRC32 fits

export function generateCredential(kind: CredentialKind): string {
  const random = randomBase62(RANDOM_LENGTH);
  return `${PREFIXES[kind]}${random}${checksum(random)}`;
}

/**
 * Uniform base62 characters from random bytes: a byte below 248 (4 × 62) maps to `byte % 62`,
 * and the few above are dropped (rejection sampling) so no character is more likely than another.
 * One randomBytes call of 64 bytes almost always yields 43 characters (it would need 22 of 64
 * bytes to be rejected), so issuing a token costs one call, not one per character.
 */
function randomBase62(length: number): string {
  let result = "";
  while (result.length < length) {
    for (const byte of randomBytes(64)) {
      if (byte < 248) result += BASE62[byte % 62];
      if (result.length === length) break;
    }
  }
  return result;
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
  return credentialMatchesAny(presented, [storedHash]);
}

/**
 * Whether a presented credential matches any of the stored hashes (a client's current and
 * previous secret): hashed once, then compared with every hash in constant time without stopping
 * at a match, so the time taken does not say which one matched.
 */
export function credentialMatchesAny(presented: string, storedHashes: string[]): boolean {
  const actual = Buffer.from(hashCredential(presented), "hex");
  let matched = false;
  for (const storedHash of storedHashes) {
    const expected = Buffer.from(storedHash, "hex");
    const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
    matched = equal || matched;
  }
  return matched;
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
