import { describe, expect, it } from "vitest";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { createAccessTokenSigner } from "./access-tokens";

const KEY_1 = generateKeyEntry(1);
const KEY_2 = generateKeyEntry(2);
const CLAIMS = {
  clientId: "cli_1",
  scope: "all:read",
  issuedAt: 1_800_000_000,
  expiresAt: 1_800_003_600,
};

describe("signed access tokens", () => {
  it("carry their claims under the current key, each with its own token id", () => {
    const signer = createAccessTokenSigner(parseKeyring(`${KEY_1},${KEY_2}`));
    const first = signer.sign(CLAIMS);
    const second = signer.sign(CLAIMS);
    expect(first.token).toMatch(/^adk_at_[\w-]+\.[\w-]{43}$/);
    expect(first.claims).toMatchObject({ ...CLAIMS, keyVersion: 2 });
    expect(first.claims.tokenId).toMatch(/^[\w-]{22}$/);
    expect(second.claims.tokenId).not.toBe(first.claims.tokenId);
    expect(signer.verify(first.token)).toEqual(first.claims);
  });

  it("still accept tokens under an older key while the keyring holds it, and not after", () => {
    const old = createAccessTokenSigner(parseKeyring(KEY_1)).sign(CLAIMS).token;
    expect(createAccessTokenSigner(parseKeyring(`${KEY_1},${KEY_2}`)).verify(old)).toMatchObject(
      CLAIMS,
    );
    expect(createAccessTokenSigner(parseKeyring(KEY_2)).verify(old)).toBeUndefined();
    // Another installation's key 1 is not ours.
    expect(createAccessTokenSigner(parseKeyring(generateKeyEntry(1))).verify(old)).toBeUndefined();
  });

  it("refuse any change to the claims or the signature", () => {
    const signer = createAccessTokenSigner(parseKeyring(KEY_1));
    const { token } = signer.sign(CLAIMS);
    const [signed = "", signature = ""] = token.split(".");
    const claims = JSON.parse(Buffer.from(signed.slice(7), "base64url").toString());
    const reencoded = (changes: object) =>
      `adk_at_${Buffer.from(JSON.stringify({ ...claims, ...changes })).toString("base64url")}.${signature}`;
    const flipped = `${signed}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`;
    // The last of 43 characters carries 2 spare bits, so four characters (A-D, E-H, …) decode
    // alike there, and a decoder skips characters outside the alphabet. Only the one exact
    // spelling is accepted.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const lastIndex = alphabet.indexOf(signature.at(-1) ?? "");
    const sameBits = alphabet[(lastIndex & ~3) + ((lastIndex + 1) % 4)];
    const respelled = `${signed}.${signature.slice(0, -1)}${sameBits}`;
    expect(Buffer.from(respelled.split(".")[1] ?? "", "base64url")).toEqual(
      Buffer.from(signature, "base64url"),
    );
    for (const forged of [
      reencoded({ s: "all:write" }),
      reencoded({ e: CLAIMS.expiresAt + 1 }),
      reencoded({ c: "cli_2" }),
      flipped,
      `${signed}.${signature}A`,
      `${signed}.${signature}!!`,
      respelled,
      signed,
      token.replace("adk_at_", "adk_xx_"),
    ]) {
      expect(signer.verify(forged)).toBeUndefined();
    }
  });

  it("answer anything malformed with undefined, never an exception", () => {
    const signer = createAccessTokenSigner(parseKeyring(KEY_1));
    const encode = (value: unknown) =>
      `adk_at_${Buffer.from(JSON.stringify(value)).toString("base64url")}.AAAA`;
    for (const junk of [
      "",
      "adk_at_",
      "adk_at_.",
      "adk_at_!!!.???",
      `adk_at_${"A".repeat(5000)}.x`,
      encode(null),
      encode([1, 2]),
      encode({ k: "1", j: "x", c: "c", s: "s", i: 1, e: 2 }),
      encode({ k: 99, j: "x", c: "c", s: "s", i: 1, e: 2 }),
      encode({ k: 1, j: 5, c: "c", s: "s", i: 1, e: 2 }),
    ]) {
      expect(signer.verify(junk)).toBeUndefined();
    }
  });
});
