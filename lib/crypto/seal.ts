import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring";

/*
 * Sealed value format (stored as text):
 *
 *   ad1.<key version>.<base64url(nonce ‖ ciphertext ‖ tag)>
 *
 * AES-256-GCM with a random 96-bit nonce per value and a 128-bit tag. The associated data is
 * the JSON array ["ad1", version, table, column, rowId]: it is authenticated but not stored,
 * so a value copied to another row, column or table (or relabelled with another version)
 * fails to open. JSON keeps the encoding unambiguous whatever characters the names contain.
 */

const FORMAT = "ad1";
const ALGORITHM = "aes-256-gcm";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEALED_PATTERN = /^ad1\.([1-9][0-9]*)\.([A-Za-z0-9_-]+)$/;

/** Where a sealed value lives; it only opens at the same place. */
export interface SealBinding {
  table: string;
  column: string;
  rowId: string;
}

export type SealErrorReason = "format" | "unknown-key" | "authentication";

/** Never carries the plaintext or key material, only where the value was and why it failed. */
export class SealError extends Error {
  override name = "SealError";
  constructor(
    readonly reason: SealErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** The text every value sealed under `version` starts with (rotation filters on it). */
export function sealedPrefix(version: number): string {
  return `${FORMAT}.${version}.`;
}

export function seal(keyring: Keyring, plaintext: string, binding: SealBinding): string {
  const version = keyring.currentVersion;
  const key = keyring.keyFor(version);
  if (!key) throw new SealError("unknown-key", `Key version ${version} is not configured`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(version, binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const payload = Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
  return `${sealedPrefix(version)}${payload.toString("base64url")}`;
}

export function open(keyring: Keyring, sealed: string, binding: SealBinding): string {
  const parsed = parseSealed(sealed);
  if (!parsed) throw sealError("format", binding, "not a sealed value");
  const key = keyring.keyFor(parsed.version);
  if (!key) {
    throw sealError("unknown-key", binding, `key version ${parsed.version} is not configured`);
  }
  const { payload, version } = parsed;
  const nonce = payload.subarray(0, NONCE_BYTES);
  const ciphertext = payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(version, binding));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw sealError("authentication", binding, "wrong key, wrong row, or tampered data");
  }
}

/** The key version a sealed value was written with, or undefined when it is not one. */
export function sealedKeyVersion(sealed: string): number | undefined {
  return parseSealed(sealed)?.version;
}

function parseSealed(sealed: string): { version: number; payload: Buffer } | undefined {
  const match = SEALED_PATTERN.exec(sealed);
  if (!match) return undefined;
  const version = Number(match[1]);
  const payload = Buffer.from(match[2] as string, "base64url");
  if (!Number.isSafeInteger(version) || payload.length < NONCE_BYTES + TAG_BYTES) return undefined;
  return { version, payload };
}

function associatedData(version: number, binding: SealBinding): Buffer {
  return Buffer.from(
    JSON.stringify([FORMAT, version, binding.table, binding.column, binding.rowId]),
    "utf8",
  );
}

function sealError(reason: SealErrorReason, binding: SealBinding, detail: string): SealError {
  const where = `${binding.table}.${binding.column} (row ${binding.rowId})`;
  return new SealError(reason, `Cannot open sealed value for ${where}: ${detail}`);
}
