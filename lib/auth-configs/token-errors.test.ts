import { describe, expect, it } from "vitest";
import { TokenBrokerError } from "./token-errors";

describe("TokenBrokerError", () => {
  it("is recognised across module copies (server.ts and Next's bundle each load one)", async () => {
    // A second, separately evaluated copy of the module, as Next's server bundle has.
    const copyUrl = new URL("./token-errors.ts?copy", import.meta.url).href;
    const copy = (await import(/* @vite-ignore */ copyUrl)) as typeof import("./token-errors");
    expect(copy.TokenBrokerError).not.toBe(TokenBrokerError);
    const thrownByOtherCopy = new copy.TokenBrokerError("timeout");
    expect(thrownByOtherCopy).toBeInstanceOf(TokenBrokerError);
    expect(new TokenBrokerError("timeout")).toBeInstanceOf(copy.TokenBrokerError);
  });

  it("is not confused with other errors", () => {
    expect(new Error("timeout")).not.toBeInstanceOf(TokenBrokerError);
    expect(
      Object.assign(new Error("x"), { name: "TokenBrokerError", code: "timeout" }),
    ).not.toBeInstanceOf(TokenBrokerError);
    expect(null).not.toBeInstanceOf(TokenBrokerError);
  });
});
