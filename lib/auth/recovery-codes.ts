import "server-only";
import { createHash, randomBytes } from "node:crypto";

/*
 * Recovery codes: 10 per admin, each 80 random bits written as 16 characters of Crockford's
 * base32 in four groups ("7k2m-x9qd-…"). Crockford's alphabet has no i, l, o or u, so a code
 * copied from paper by hand reads back the same; typed codes are normalised before hashing.
 * 80 bits make guessing hopeless, so a plain SHA-256 (no salt, no stretching) is enough to make
 * the stored table useless, and lets a typed code be found with one indexed lookup.
 */

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const GROUP = 4;
const NORMALISED = /^[0-9a-hjkmnp-tv-z]{16}$/;

function toCrockfordBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let text = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      text += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return text;
}

export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const text = toCrockfordBase32(randomBytes(CODE_BYTES));
    return text.match(new RegExp(`.{${GROUP}}`, "g"))?.join("-") ?? text;
  });
}

/** The code as typed, in its canonical form, or null when it cannot be a recovery code. */
export function normaliseRecoveryCode(typed: string): string | null {
  const canonical = typed
    .toLowerCase()
    .replace(/[\s-]/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
  return NORMALISED.test(canonical) ? canonical : null;
}

export function hashRecoveryCode(normalised: string): string {
  return createHash("sha256").update(normalised).digest("hex");
}
