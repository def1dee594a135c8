import "server-only";
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Admin passwords are hashed with scrypt at OWASP's recommended minimum (N=2^17, r=8, p=1),
 * built into Node so there is no native add-on to install. Stored as
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` so the cost can be raised later without breaking
 * existing hashes.
 */
export const PRODUCTION_LOG2_N = 17;
/**
 * The test suite hashes hundreds of passwords; at N=2^17 that was most of its run time. Tests
 * (NODE_ENV=test, set by Vitest) may lower N through AUTHDESK_TEST_SCRYPT_LOG2_N, which
 * vitest.config.ts sets; any other NODE_ENV ignores it, so no setting makes production weaker.
 * Every hash records its own N, so hashes of either cost verify under the other.
 */
export function scryptLog2N(environment: Record<string, string | undefined> = process.env): number {
  if (environment.NODE_ENV !== "test") return PRODUCTION_LOG2_N;
  const lowered = Number(environment.AUTHDESK_TEST_SCRYPT_LOG2_N);
  return Number.isInteger(lowered) && lowered >= 1 && lowered < PRODUCTION_LOG2_N
    ? lowered
    : PRODUCTION_LOG2_N;
}
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;
// scrypt needs 128 * N * r bytes; Node's default cap (32 MiB) is below OWASP's setting.
const MAX_MEMORY = 256 * 1024 * 1024;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const log2N = scryptLog2N();
  const options = { N: 2 ** log2N, r: BLOCK_SIZE, p: PARALLELISM, maxmem: MAX_MEMORY };
  const hash = await derive(password, salt, options);
  return [
    "scrypt",
    log2N,
    BLOCK_SIZE,
    PARALLELISM,
    salt.toString("base64"),
    hash.toString("base64"),
  ].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const options = { N: 2 ** Number(log2N), r: Number(r), p: Number(p), maxmem: MAX_MEMORY };
  const actual = await derive(password, Buffer.from(salt, "base64"), options);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A real hash of a random password, verified against when the email is unknown so that a
 * sign-in for a missing account takes as long as one with a wrong password.
 */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}
