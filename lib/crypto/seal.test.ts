import { describe, expect, it } from "vitest";
import { generateKeyEntry, parseKeyring } from "./keyring";
import { open, type SealBinding, SealError, seal, sealedKeyVersion } from "./seal";

const v1 = generateKeyEntry(1);
const v2 = generateKeyEntry(2);
const keyringV1 = parseKeyring(v1);
const keyringV1V2 = parseKeyring(`${v1},${v2}`);
const binding: SealBinding = { table: "auth_configs", column: "client_secret_sealed", rowId: "1" };

/** Flips one bit of the decoded payload at `offset` (negative counts from the end). */
function flipBit(sealed: string, offset: number): string {
  const [format, version, encoded] = sealed.split(".") as [string, string, string];
  const payload = Buffer.from(encoded, "base64url");
  const index = offset < 0 ? payload.length + offset : offset;
  payload[index] = (payload[index] as number) ^ 0x01;
  return `${format}.${version}.${payload.toString("base64url")}`;
}

function expectSealError(action: () => unknown, reason: SealError["reason"]): SealError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SealError);
    expect((error as SealError).reason).toBe(reason);
    return error as SealError;
  }
  throw new Error("expected a SealError");
}

describe("seal and open", () => {
  it.each([
    ["ascii", "s3cr3t-client-secret"],
    ["empty", ""],
    ["unicode", "pässwörd 🔐 秘密"],
  ])("round-trips %s text", (_, plaintext) => {
    const sealed = seal(keyringV1, plaintext, binding);
    expect(sealed).toMatch(/^ad1\.1\.[A-Za-z0-9_-]+$/);
    expect(open(keyringV1, sealed, binding)).toBe(plaintext);
  });

  it("uses a fresh nonce for every value", () => {
    expect(seal(keyringV1, "same", binding)).not.toBe(seal(keyringV1, "same", binding));
  });

  it.each([
    ["nonce", 0],
    ["ciphertext", 12],
    ["tag", -1],
  ])("refuses a value with a flipped bit in the %s", (_, offset) => {
    const sealed = seal(keyringV1, "secret", binding);
    expectSealError(() => open(keyringV1, flipBit(sealed, offset), binding), "authentication");
  });

  it.each([
    ["row", { ...binding, rowId: "2" }],
    ["column", { ...binding, column: "other_sealed" }],
    ["table", { ...binding, table: "api_clients" }],
  ])("refuses a value moved to another %s", (_, elsewhere) => {
    const sealed = seal(keyringV1, "secret", binding);
    const error = expectSealError(() => open(keyringV1, sealed, elsewhere), "authentication");
    expect(error.message).toBe(
      `Cannot open sealed value for ${elsewhere.table}.${elsewhere.column} (row ${elsewhere.rowId}): wrong key, wrong row, or tampered data`,
    );
  });

  it("refuses a value relabelled with another key version", () => {
    const sealed = seal(keyringV1V2, "secret", binding);
    const relabelled = sealed.replace(/^ad1\.2\./, "ad1.1.");
    expectSealError(() => open(keyringV1V2, relabelled, binding), "authentication");
  });

  it("names the missing key version", () => {
    const sealed = seal(keyringV1V2, "secret", binding);
    const error = expectSealError(() => open(keyringV1, sealed, binding), "unknown-key");
    expect(error.message).toContain("key version 2 is not configured");
  });

  it.each([
    "",
    "plaintext",
    "ad1.1.",
    "ad1.0.AAAA",
    "ad2.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "ad1.1.tooshort",
    "ad1.1.not+base64url/",
  ])("refuses a malformed value %j", (text) => {
    expectSealError(() => open(keyringV1, text, binding), "format");
  });

  it("never puts the plaintext in an error", () => {
    const plaintext = "very-secret-value";
    const sealed = seal(keyringV1, plaintext, binding);
    const error = expectSealError(
      () => open(keyringV1, flipBit(sealed, 20), binding),
      "authentication",
    );
    expect(error.message).not.toContain(plaintext);
  });

  it("seals with the newest version and still opens older ones", () => {
    const old = seal(keyringV1, "old secret", binding);
    expect(sealedKeyVersion(seal(keyringV1V2, "new secret", binding))).toBe(2);
    expect(open(keyringV1V2, old, binding)).toBe("old secret");
  });

  it("reads the key version of a sealed value", () => {
    expect(sealedKeyVersion(seal(keyringV1, "x", binding))).toBe(1);
    expect(sealedKeyVersion("not sealed")).toBeUndefined();
  });
});
