import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  generateKeyEntry,
  KEY_FILE_NAME,
  KeyringError,
  loadKeyring,
  parseKeyring,
} from "./keyring";
import { open, seal } from "./seal";

const binding = { table: "t", column: "c", rowId: "1" };

function keyText(bytes = 32): string {
  return randomBytes(bytes).toString("base64");
}

function expectKeyringError(text: string, message: string, secret?: string): void {
  let caught: unknown;
  try {
    parseKeyring(text);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyringError);
  const actual = (caught as KeyringError).message;
  expect(actual).toBe(message);
  if (secret) expect(actual).not.toContain(secret);
}

describe("parseKeyring", () => {
  it("parses several versions, in any order and separator, and picks the highest", () => {
    const keyring = parseKeyring(
      ` 2:${keyText()},\n 7:${keyText()}\r\n\n1:${keyText()} ,3:${keyText()}\n`,
    );
    expect(keyring.currentVersion).toBe(7);
    expect(keyring.versions).toEqual([1, 2, 3, 7]);
    expect(keyring.keyFor(3)).toBeDefined();
    expect(keyring.keyFor(4)).toBeUndefined();
  });

  it("accepts base64url and unpadded keys", () => {
    const bytes = randomBytes(32);
    const standard = parseKeyring(`1:${bytes.toString("base64")}`);
    const url = parseKeyring(`1:${bytes.toString("base64url")}`);
    expect(open(url, seal(standard, "same key", binding), binding)).toBe("same key");
  });

  it("does not reveal key material when printed", () => {
    const key = keyText();
    const keyring = parseKeyring(`1:${key}`);
    const printed = `${JSON.stringify(keyring)} ${JSON.stringify(keyring.keyFor(1))}`;
    expect(printed).not.toContain(key);
    expect(printed).not.toContain(Buffer.from(key, "base64").toString("hex"));
  });

  it("rejects an entry without a colon", () => {
    const key = keyText();
    expectKeyringError(
      `1:${keyText()}\n${key}`,
      'AUTHDESK_ENCRYPTION_KEYS entry 2: expected "<version>:<base64 key>"',
      key,
    );
  });

  it.each(["v1", "0", "-1", "1.5", "", "99999999999999999999"])(
    "rejects the version %j",
    (version) => {
      const key = keyText();
      expectKeyringError(
        `${version}:${key}`,
        "AUTHDESK_ENCRYPTION_KEYS entry 1: the version must be a positive integer",
        key,
      );
    },
  );

  it("rejects a short key, saying how long it was", () => {
    const key = keyText(31);
    expectKeyringError(
      `1:${keyText()},2:${key}`,
      "AUTHDESK_ENCRYPTION_KEYS entry 2: the key must be 32 bytes of base64 (got 31 bytes)",
      key,
    );
  });

  it("rejects a long key", () => {
    expectKeyringError(
      `1:${keyText(48)}`,
      "AUTHDESK_ENCRYPTION_KEYS entry 1: the key must be 32 bytes of base64 (got 48 bytes)",
    );
  });

  it.each([
    ["a character outside base64", (key: string) => `${key.slice(0, 10)}!${key.slice(11)}`],
    ["padding in the middle", (key: string) => `${key.slice(0, 10)}=${key.slice(11)}`],
    ["a space inside", (key: string) => `${key.slice(0, 10)} ${key.slice(10)}`],
    ["an empty key", () => ""],
  ])("rejects a key with %s", (_, corrupt) => {
    const key = corrupt(keyText());
    expectKeyringError(
      `1:${key}`,
      "AUTHDESK_ENCRYPTION_KEYS entry 1: the key is not valid base64",
      key || undefined,
    );
  });

  it("rejects a duplicate version", () => {
    expectKeyringError(
      `1:${keyText()}\n2:${keyText()}\n1:${keyText()}`,
      "AUTHDESK_ENCRYPTION_KEYS entry 3: version 1 appears twice",
    );
  });

  it.each(["", "  \n , \n"])("rejects an empty configuration %j", (text) => {
    expectKeyringError(
      text,
      'AUTHDESK_ENCRYPTION_KEYS is empty: expected one or more "<version>:<base64 key>" entries',
    );
  });

  it("names the source it was given", () => {
    expect(() => parseKeyring("nonsense", "The key file /x")).toThrow(
      'The key file /x entry 1: expected "<version>:<base64 key>"',
    );
  });
});

describe("generateKeyEntry", () => {
  it("produces an entry parseKeyring accepts", () => {
    const entry = generateKeyEntry(4);
    expect(entry).toMatch(/^4:[A-Za-z0-9+/]{43}=$/);
    expect(parseKeyring(entry).currentVersion).toBe(4);
    expect(generateKeyEntry(1)).not.toBe(generateKeyEntry(1));
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses version %s", (version) => {
    expect(() => generateKeyEntry(version)).toThrow(KeyringError);
  });
});

describe("loadKeyring", () => {
  let tempDir: string;
  let dataDir: string;
  let logged: string[];
  const log = (message: string) => logged.push(message);

  beforeEach(() => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "authdesk-keyring-"));
    dataDir = path.join(tempDir, "nested", "data");
    logged = [];
  });
  afterEach(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  it("creates a private key file for the embedded database on first start", () => {
    const first = loadKeyring({ dataDir, embedded: true, log });
    const file = path.join(dataDir, KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.currentVersion).toBe(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(file);
    expect(logged[0]).toContain("Back it up");
    expect(logged[0]).not.toContain(fs.readFileSync(file, "utf8").trim().slice(2));

    const second = loadKeyring({ dataDir, embedded: true, log });
    expect(logged).toHaveLength(1);
    expect(open(second, seal(first, "kept", binding), binding)).toBe("kept");
  });

  it("reads an existing key file with several versions", () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(path.join(dataDir, KEY_FILE_NAME), `1:${keyText()}\n2:${keyText()}\n`);
    expect(loadKeyring({ dataDir, embedded: true, log }).currentVersion).toBe(2);
    expect(logged).toEqual([]);
  });

  it("names a malformed key file", () => {
    const file = path.join(dataDir, KEY_FILE_NAME);
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `1:${keyText(16)}\n`);
    expect(() => loadKeyring({ dataDir, embedded: true, log })).toThrow(
      new KeyringError(
        `The key file ${file} entry 1: the key must be 32 bytes of base64 (got 16 bytes)`,
      ),
    );
  });

  it("requires a configured key with PostgreSQL", () => {
    expect(() => loadKeyring({ dataDir, embedded: false, log })).toThrow(
      new KeyringError(
        'AUTHDESK_ENCRYPTION_KEYS is required when DATABASE_URL is set. Generate a key with "npm run keys:generate" and set AUTHDESK_ENCRYPTION_KEYS=<that line>.',
      ),
    );
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it("prefers the configured keys over the key file", () => {
    loadKeyring({ dataDir, embedded: true, log });
    const configured = `5:${keyText()}`;
    const keyring = loadKeyring({ configured, dataDir, embedded: true, log });
    expect(keyring.currentVersion).toBe(5);
    expect(keyring.keyFor(1)).toBeUndefined();
  });

  it("uses configured keys with PostgreSQL without touching the data directory", () => {
    const keyring = loadKeyring({ configured: `3:${keyText()}`, dataDir, embedded: false, log });
    expect(keyring.currentVersion).toBe(3);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});
