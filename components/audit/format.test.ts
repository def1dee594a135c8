import { describe, expect, it } from "vitest";
import { formatDetails } from "./format";

describe("audit event details", () => {
  it("says an absent value as none, not null", () => {
    expect(
      formatDetails({ oldSecretAcceptedUntil: null, rolledBy: "ada@example.com", kept: 2 }),
    ).toBe("oldSecretAcceptedUntil: none, rolledBy: ada@example.com, kept: 2");
  });
});
