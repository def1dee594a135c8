import "server-only";
import { createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Key configuration, shared by AUTHDESK_ENCRYPTION_KEYS and the embedded key file:
 *
 *   1:<base64 of 32 random bytes>, 2:<base64 of 32 random bytes>
 *
 * Entries are separated by commas and/or newlines. Standard base64 and base64url are both
 * accepted, padded or not. The highest version is the current key (it seals new values); every
 * version still opens values sealed under it, which is what lets rotation happen without
 * downtime.
 */

export const KEY_BYTES = 32;
export const KEY_FILE_NAME = "encryption-keys";
const DEFAULT_SOURCE = "AUTHDESK_ENCRYPTION_KEYS";

export class KeyringError extends Error {
  override name = "KeyringError";
}

/**
 * The AES-256 keys this process may use. Keys are `KeyObject`s rather than Buffers so that
 * logging or serialising a keyring (or a key) by mistake never prints key material.
 */
export interface Keyring {
  /** The highest configured version; `seal` always uses it. */
  readonly currentVersion: number;
  /** Every configured version, ascending. */
  readonly versions: readonly number[];
  keyFor(version: number): KeyObject | undefined;
}

export function parseKeyring(text: string, source = DEFAULT_SOURCE): Keyring {
  const entries = text
    .split(/[,\r\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) {
    throw new KeyringError(
      `${source} is empty: expected one or more "<version>:<base64 key>" entries`,
    );
  }
  const keys = new Map<number, KeyObject>();
  entries.forEach((entry, index) => {
    const { version, key } = parseEntry(entry, `${source} entry ${index + 1}`);
    if (keys.has(version)) {
      throw new KeyringError(`${source} entry ${index + 1}: version ${version} appears twice`);
    }
    keys.set(version, key);
  });
  return keyringOf(keys);
}

function parseEntry(entry: string, where: string): { version: number; key: KeyObject } {
  const colon = entry.indexOf(":");
  if (colon === -1) throw new KeyringError(`${where}: expected "<version>:<base64 key>"`);
  // Neither part is echoed back: a pasted value in the wrong place could be the key itself.
  const versionText = entry.slice(0, colon).trim();
  const keyText = entry.slice(colon + 1).trim();
  if (!/^[1-9][0-9]*$/.test(versionText) || !Number.isSafeInteger(Number(versionText))) {
    throw new KeyringError(`${where}: the version must be a positive integer`);
  }
  const bytes = decodeBase64Strictly(keyText);
  if (!bytes) throw new KeyringError(`${where}: the key is not valid base64`);
  if (bytes.length !== KEY_BYTES) {
    throw new KeyringError(
      `${where}: the key must be ${KEY_BYTES} bytes of base64 (got ${bytes.length} bytes)`,
    );
  }
  return { version: Number(versionText), key: createSecretKey(bytes) };
}

/**
 * Node's decoder silently skips characters it does not know, so a typo would yield a different
 * key instead of an error. Re-encoding and comparing rejects anything that is not exact base64.
 */
function decodeBase64Strictly(text: string): Buffer | undefined {
  const canonical = (value: string) =>
    value.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  const bytes = Buffer.from(text, "base64");
  if (text === "" || canonical(bytes.toString("base64")) !== canonical(text)) return undefined;
  return bytes;
}

function keyringOf(keys: Map<number, KeyObject>): Keyring {
  const versions = [...keys.keys()].sort((a, b) => a - b);
  return Object.freeze({
    currentVersion: versions[versions.length - 1] as number,
    versions: Object.freeze(versions),
    keyFor: (version: number) => keys.get(version),
  });
}

/** A new `"<version>:<base64>"` entry holding 32 fresh random bytes. */
export function generateKeyEntry(version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new KeyringError(`The key version must be a positive integer (got ${version})`);
  }
  return `${version}:${randomBytes(KEY_BYTES).toString("base64")}`;
}

export interface LoadKeyringOptions {
  /** AUTHDESK_ENCRYPTION_KEYS; when set (and not empty), the key file is not consulted. */
  configured?: string;
  /** AUTHDESK_DATA_DIR; holds the key file of an embedded installation. */
  dataDir: string;
  /** True for PGlite: only then may a key file be created on first start. */
  embedded: boolean;
  log?: (message: string) => void;
}

/**
 * The keyring the app runs with. A configured key always wins. The embedded database may keep
 * its key next to its data so a first start needs no setup; PostgreSQL deployments must
 * configure one, since a key created on one instance's disk would not reach the others.
 */
export function loadKeyring(options: LoadKeyringOptions): Keyring {
  if (options.configured) return parseKeyring(options.configured);
  if (!options.embedded) {
    throw new KeyringError(
      'AUTHDESK_ENCRYPTION_KEYS is required when DATABASE_URL is set. Generate a key with "npm run keys:generate" and set AUTHDESK_ENCRYPTION_KEYS=<that line>.',
    );
  }
  const file = path.join(options.dataDir, KEY_FILE_NAME);
  const text = readKeyFile(file) ?? createKeyFile(file, options.log ?? console.warn);
  return parseKeyring(text, `The key file ${file}`);
}

function readKeyFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw new KeyringError(`Cannot read the key file ${file} (${errorCode(error) ?? "error"})`);
  }
}

function createKeyFile(file: string, log: (message: string) => void): string {
  const text = `${generateKeyEntry(1)}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a private name, then linked into place: link() fails if the file
  // exists, so two instances starting at once never replace each other's key, and neither can
  // read a half-written file.
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, text, { mode: 0o600 });
  try {
    fs.linkSync(draft, file);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return fs.readFileSync(file, "utf8");
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
  log(
    `[crypto] Created the encryption key file ${file}. Back it up: without it, stored secrets cannot be read.`,
  );
  return text;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
