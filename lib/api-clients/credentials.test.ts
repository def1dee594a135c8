import { describe, expect, it } from "vitest";
import {
  credentialMatches,
  generateCredential,
  hashCredential,
  isWellFormedCredential,
  visiblePrefix,
} from "./credentials";

describe("credential format", () => {
  it("has a typed prefix, 256 random bits in base62 and a checksum", () => {
    const secret = generateCredential("client_secret");
    expect(secret).toMatch(/^adk_cs_[0-9A-Za-z]{49}$/);
    expect(isWellFormedCredential(secret, "client_secret")).toBe(true);
    expect(isWellFormedCredential(secret, "client_key")).toBe(false);
    expect(generateCredential("client_key")).toMatch(/^adk_ck_/);
    expect(
      new Set(Array.from({ length: 100 }, () => generateCredential("client_secret"))).size,
    ).toBe(100);
  });

  it("draws every base62 character equally often", () => {
    // A plain `byte % 62` would make the first eight characters 25 % more likely than the rest.
    const counts = new Map<string, number>();
    for (let index = 0; index < 2000; index++) {
      const random = generateCredential("client_secret").slice("adk_cs_".length, -6);
      for (const char of random) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    const expected = (2000 * 43) / 62;
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
    }
  });

  it("recognises a typo or a made-up value by its checksum", () => {
    const secret = generateCredential("client_secret");
    const flipped = secret.slice(0, 10) + (secret[10] === "a" ? "b" : "a") + secret.slice(11);
    expect(isWellFormedCredential(flipped, "client_secret")).toBe(false);
    expect(isWellFormedCredential(`${secret}x`, "client_secret")).toBe(false);
    expect(isWellFormedCredential(`adk_cs_${"A".repeat(49)}`, "client_secret")).toBe(false);
  });

  it("matches a secret against its stored hash only", () => {
    const secret = generateCredential("client_secret");
    const stored = hashCredential(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret);
    expect(credentialMatches(secret, stored)).toBe(true);
    expect(credentialMatches(generateCredential("client_secret"), stored)).toBe(false);
    expect(credentialMatches(secret, "not-a-hash")).toBe(false);
  });

  it("shows only a short prefix", () => {
    const secret = generateCredential("client_secret");
    expect(visiblePrefix(secret)).toBe(`${secret.slice(0, 11)}…`);
  });
});
