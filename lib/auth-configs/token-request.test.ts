import { describe, expect, it } from "vitest";
import { describeTokenError, TokenBrokerError, type TokenBrokerErrorCode } from "./token-errors";
import { buildTokenRequest, formUrlEncode } from "./token-request";

describe("formUrlEncode (RFC 6749 §2.3.1, application/x-www-form-urlencoded)", () => {
  it.each([
    ["plain-id_1.2~", "plain-id_1.2~"],
    ["a b", "a+b"],
    ["a+b", "a%2Bb"],
    ["a:b", "a%3Ab"],
    ["50%", "50%25"],
    ["!'()*", "%21%27%28%29%2A"],
    ["ä/?&=#", "%C3%A4%2F%3F%26%3D%23"],
  ])("%j → %j", (input, encoded) => {
    expect(formUrlEncode(input)).toBe(encoded);
    // Any form decoder reads back exactly the input.
    expect(new URLSearchParams(`v=${encoded}`).get("v")).toBe(input);
  });
});

describe("buildTokenRequest", () => {
  const base = {
    tokenUrl: "https://auth.example.com/token",
    scope: "api:read api:write",
    clientId: "client:id",
    clientSecret: "s3cr:et+50% off",
    audience: null,
  };

  it("client_secret_basic: form-urlencodes id and secret before base64, keeps them out of the body", () => {
    const { headers, body } = buildTokenRequest({ ...base, authMethod: "client_secret_basic" });
    expect(headers.authorization).toBe(
      `Basic ${Buffer.from("client%3Aid:s3cr%3Aet%2B50%25+off").toString("base64")}`,
    );
    expect(headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(headers.accept).toBe("application/json");
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: "client_credentials",
      scope: "api:read api:write",
    });
    expect(headers["content-length"]).toBe(String(Buffer.byteLength(body)));
  });

  it("client_secret_post: credentials and audience in the body, no Authorization header", () => {
    const { headers, body } = buildTokenRequest({
      ...base,
      authMethod: "client_secret_post",
      audience: "https://api.example.com",
    });
    expect(headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual({
      grant_type: "client_credentials",
      scope: "api:read api:write",
      audience: "https://api.example.com",
      client_id: "client:id",
      client_secret: "s3cr:et+50% off",
    });
  });
});

describe("describeTokenError", () => {
  it("says what happened in plain words for every code", () => {
    const cases: [TokenBrokerError, string][] = [
      [new TokenBrokerError("config_not_found"), "There is no auth config with this identifier."],
      [
        new TokenBrokerError("blocked_address", { detail: "its host is a loopback address" }),
        "The access token URL is not allowed: its host is a loopback address. Token URLs must be public https addresses unless private token URLs are allowed.",
      ],
      [
        new TokenBrokerError("timeout", { detail: "no complete answer within 10 s" }),
        "The token server did not answer in time (no complete answer within 10 s).",
      ],
      [
        new TokenBrokerError("connection_failed", { detail: "ECONNREFUSED" }),
        "Could not reach the token server (ECONNREFUSED).",
      ],
      [
        new TokenBrokerError("redirect_refused", { status: 302 }),
        "The token server answered with a redirect (HTTP 302); redirects are not followed, so check the access token URL.",
      ],
      [
        new TokenBrokerError("upstream_rejected", { status: 401, oauthError: "invalid_client" }),
        "The token server rejected the client credentials (invalid_client).",
      ],
      [
        new TokenBrokerError("upstream_rejected", { status: 400, oauthError: "vendor_specific" }),
        "The token server refused the request (HTTP 400, vendor_specific).",
      ],
      [
        new TokenBrokerError("upstream_rejected", { status: 500 }),
        "The token server refused the request (HTTP 500).",
      ],
      [
        new TokenBrokerError("invalid_response", {
          status: 200,
          detail: "it was text/html, not JSON",
        }),
        "The token server's answer was not a usable token response: it was text/html, not JSON.",
      ],
      [
        new TokenBrokerError("response_too_large", { detail: "64 KiB" }),
        "The token server's answer was larger than 64 KiB, so it was not read.",
      ],
      [
        new TokenBrokerError("backing_off", {
          retryAfterSeconds: 4,
          detail: "Last failure: The token server refused the request (HTTP 500).",
        }),
        "Not asking the token server again for 4 s after a failure. Last failure: The token server refused the request (HTTP 500).",
      ],
    ];
    const covered = new Set<TokenBrokerErrorCode>();
    for (const [error, words] of cases) {
      expect(describeTokenError(error)).toBe(words);
      expect(error.message).toBe(words);
      covered.add(error.code);
    }
    expect(covered.size).toBe(9);
  });
});
