import { describe, expect, it } from "vitest";
import { createRedactor, redactJson } from "./redact";

describe("createRedactor", () => {
  const secret = "p@ss w/rd+é";
  const redact = createRedactor([secret, "ab", "user-42"]);

  it.each([
    ["as is", secret],
    ["encodeURIComponent", encodeURIComponent(secret)],
    ["encodeURI", encodeURI(secret)],
    ["form-encoded", new URLSearchParams({ v: secret }).toString().slice(2)],
    ["base64", Buffer.from(secret).toString("base64")],
    ["base64url", Buffer.from(secret).toString("base64url")],
  ])("replaces the secret %s", (_, form) => {
    expect(redact(`before ${form} after`)).toBe("before [redacted] after");
  });

  it("replaces every occurrence, leaves values under 3 characters alone", () => {
    expect(redact("user-42 and user-42, ab")).toBe("[redacted] and [redacted], ab");
  });

  it("knows its longest form, for cutting text only after redaction", () => {
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
    expect(redact.longestForm).toBe(Math.max(...forms.map((form) => form.length)));
    expect(createRedactor([]).longestForm).toBe(0);
  });

  it("redactJson reaches keys and values at any depth", () => {
    expect(redactJson({ "user-42": [{ note: "for user-42" }, 1, null] }, redact)).toEqual({
      "[redacted]": [{ note: "for [redacted]" }, 1, null],
    });
  });

  it("replaces overlapping secrets as one: no part of either is left", () => {
    const overlapping = createRedactor(["alice", "ice-cream-2024"]);
    expect(overlapping("user alice-cream-2024!")).toBe("user [redacted]!");
    expect(overlapping("alice-cream-2024")).not.toMatch(/al|2024/);
  });

  it("replaces the secret as it shows inside a JSON string", () => {
    const quoted = 'pa"ss\\wo\nrd';
    const json = createRedactor([quoted]);
    expect(json(JSON.stringify({ key: quoted }))).toBe('{"key":"[redacted]"}');
  });
});

describe("Redactor.cut", () => {
  const secret = "Zq8-sk_live-0123456789";
  const redact = createRedactor([secret]);

  it("redacts, then cuts, and marks the cut", () => {
    expect(redact.cut(`${secret} and more`, 14)).toBe("[redacted] an…");
    expect(redact.cut(`${secret}!`, 100)).toBe("[redacted]!");
  });

  it("removes the start of a secret left at the end of text cut before it got here", () => {
    for (let length = 1; length < secret.length; length += 1) {
      const cutShort = `${secret} ${secret} x ${secret.slice(0, length)}`;
      expect(redact.cut(cutShort, 500, true)).toBe("[redacted] [redacted] x …");
      // The guest's own cut ends in an ellipsis.
      expect(redact.cut(`${cutShort}…`, 500, true)).toBe("[redacted] [redacted] x …");
    }
    // A secret whose end repeats its start, ending exactly at the cut: its end is also the start
    // of another copy, and removing that must not leave the rest of this one unrecognised.
    const periodic = createRedactor(["Zq8-".repeat(10)]);
    expect(periodic.cut(`x ${"Zq8-".repeat(10)}`, 500, true)).toBe("x [redacted]…");
    // Text that was not cut keeps its end, even when it looks like the start of a secret.
    expect(redact.cut("ends with Zq8", 500)).toBe("ends with Zq8");
  });

  it("never shows 4 characters of the start of a secret, wherever text is cut before and after", () => {
    const secrets = ["Zq8-long-secret-value-".repeat(8), "Kp2-short", "Mx5%20pct"];
    const many = createRedactor(secrets);
    const text = `a ${secrets[0]}${secrets[1]} b ${secrets[2]}${secrets[0]} c ${secrets[1]}`.repeat(
      3,
    );
    for (let before = 1; before <= text.length; before += 1) {
      for (const after of [20, 100, 1000]) {
        const shown = many.cut(text.slice(0, before), after, before < text.length);
        for (const each of secrets) expect(shown).not.toContain(each.slice(0, 4));
      }
    }
  });
});
