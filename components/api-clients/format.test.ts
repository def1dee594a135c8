import { describe, expect, it } from "vitest";
import { formatMinutes, keyPrefix } from "./format";

const clients = [
  { name: "Loyalty sync", clientKey: "adk_ck_7Hq2abcdefghijklmnopqrstuvwxyz0123456789ABC123456" },
  { name: "Ledger export", clientKey: "adk_ck_Zz99abcdefghijklmnopqrstuvwxyz0123456789ABC654321" },
];

describe("API client list helpers", () => {
  it("says lifetimes and key prefixes in people's words", () => {
    expect(formatMinutes(45)).toBe("45 minutes");
    expect(formatMinutes(150)).toBe("2 hours 30 minutes");
    expect(formatMinutes(1440)).toBe("1 day");
    expect(keyPrefix(clients[0]?.clientKey ?? "")).toBe("adk_ck_7Hq2…");
  });
});
