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
});
