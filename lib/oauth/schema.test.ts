import { describe, expect, it } from "vitest";
import {
  ClientCredentialsGrantSchema,
  GRANT_FAILURES,
  IntrospectionRequestSchema,
  parseOAuthParams,
  TOKEN_PARAMETER_FAILURES,
} from "./schema";

const grant = (params: Record<string, string>) =>
  parseOAuthParams(ClientCredentialsGrantSchema, GRANT_FAILURES, new Map(Object.entries(params)));

describe("the client-credentials grant's parameters", () => {
  it("parses space-separated scope tokens, forgiving repeats, and refuses odd characters", () => {
    /** The scopes asked for, or the failure. */
    const scopeOf = (scope?: string) => {
      const result = grant({ grant_type: "client_credentials", ...(scope ? { scope } : {}) });
      return result.ok ? result.value.scope : result;
    };
    expect(scopeOf(undefined)).toBeUndefined();
    expect(scopeOf("  ")).toBeUndefined();
    expect(scopeOf("a:read  b:write a:read")).toEqual(["a:read", "b:write"]);
    for (const odd of ['a "b"', "a\\b", "a\tb", "café"]) {
      expect(scopeOf(odd)).toEqual({
        ok: false,
        error: "invalid_scope",
        description: "The scope is malformed.",
      });
    }
  });

  it("tells a missing or empty grant_type from an unsupported one, and judges it first", () => {
    expect(grant({})).toMatchObject({ ok: false, error: "invalid_request" });
    expect(grant({ grant_type: "" })).toMatchObject({ ok: false, error: "invalid_request" });
    expect(grant({ grant_type: "password", scope: '"' })).toMatchObject({
      ok: false,
      error: "unsupported_grant_type",
    });
  });

  it("ignores parameters it does not know (RFC 6749 §3.2)", () => {
    expect(grant({ grant_type: "client_credentials", resource: "x" })).toEqual({
      ok: true,
      value: { grant_type: "client_credentials", scope: undefined },
    });
  });
});

describe("introspection and revocation parameters", () => {
  it("require a non-empty token", () => {
    const parse = (params: Record<string, string>) =>
      parseOAuthParams(
        IntrospectionRequestSchema,
        TOKEN_PARAMETER_FAILURES,
        new Map(Object.entries(params)),
      );
    const missing: Record<string, string>[] = [{}, { token: "" }];
    for (const params of missing) {
      expect(parse(params)).toEqual({
        ok: false,
        error: "invalid_request",
        description: "token is required.",
      });
    }
    expect(parse({ token: "t", token_type_hint: "anything" })).toMatchObject({
      ok: true,
      value: { token: "t" },
    });
  });
});
