import { describe, expect, it } from "vitest";
import { grantScopes } from "./grant";
import { parseForm, readClientCredentials } from "./request";

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("parseForm", () => {
  it("takes form bodies, with or without a charset", () => {
    for (const type of [
      "application/x-www-form-urlencoded",
      "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
    ]) {
      const result = parseForm(type, "grant_type=client_credentials&scope=a%20b");
      expect(result).toEqual({
        ok: true,
        params: new Map([
          ["grant_type", "client_credentials"],
          ["scope", "a b"],
        ]),
      });
    }
  });

  it("refuses other media types and repeated parameters", () => {
    expect(parseForm("application/json", "{}")).toMatchObject({ ok: false });
    expect(parseForm(undefined, "")).toMatchObject({ ok: false });
    expect(parseForm("application/x-www-form-urlencoded", "client_id=%00")).toMatchObject({
      ok: false,
    });
    expect(parseForm("application/x-www-form-urlencoded", "a=1&b=2&a=1")).toEqual({
      ok: false,
      description: 'The parameter "a" appears more than once.',
    });
  });
});

describe("readClientCredentials", () => {
  const none = new Map<string, string>();

  it("form-urldecodes both parts of client_secret_basic (RFC 6749 §2.3.1)", () => {
    const header = basic("my%3Aclient", "s3cr%3Aet%2B50%25off+and+more");
    expect(readClientCredentials(header, none)).toEqual({
      ok: true,
      credentials: {
        method: "client_secret_basic",
        clientId: "my:client",
        secret: "s3cr:et+50%off and more",
      },
    });
  });

  it("splits Basic at the first colon: an encoded secret has none of its own", () => {
    expect(readClientCredentials(basic("id", "a:b"), none)).toMatchObject({
      credentials: { clientId: "id", secret: "a:b" },
    });
  });

  it("reads client_secret_post", () => {
    const params = new Map([
      ["client_id", "id"],
      ["client_secret", "s e+c"],
    ]);
    expect(readClientCredentials(undefined, params)).toEqual({
      ok: true,
      credentials: { method: "client_secret_post", clientId: "id", secret: "s e+c" },
    });
  });

  it("refuses two methods at once, and a body client_id that contradicts Basic", () => {
    expect(
      readClientCredentials(basic("id", "s"), new Map([["client_secret", "s"]])),
    ).toMatchObject({ ok: false, error: "invalid_request" });
    expect(
      readClientCredentials(basic("id", "s"), new Map([["client_id", "other"]])),
    ).toMatchObject({ ok: false, error: "invalid_request" });
    expect(readClientCredentials(basic("id", "s"), new Map([["client_id", "id"]]))).toMatchObject({
      ok: true,
    });
  });

  it("calls malformed Basic invalid_request and other schemes invalid_client", () => {
    for (const header of [
      "Basic !!!",
      "Basic",
      "Basic YQ",
      basic("", "s"),
      basic("%zz", "s"),
      basic("id", "s%00"),
    ]) {
      expect(readClientCredentials(header, none)).toMatchObject({
        ok: false,
        error: "invalid_request",
      });
    }
    expect(readClientCredentials("Bearer abc", none)).toMatchObject({
      ok: false,
      error: "invalid_client",
    });
  });

  it("reports no authentication when there is none, even with a client_id", () => {
    expect(readClientCredentials(undefined, new Map([["client_id", "id"]]))).toEqual({
      ok: true,
      credentials: { method: "none" },
    });
  });
});

describe("scopes", () => {
  it("grants everything held when nothing is asked, and what is asked when it is held", () => {
    const held = ["all:read", "all:write"];
    expect(grantScopes(held, undefined)).toEqual({ ok: true, scopes: held });
    expect(grantScopes(held, ["all:write"])).toEqual({ ok: true, scopes: ["all:write"] });
    expect(grantScopes(held, ["all:write", "x:read"])).toMatchObject({
      ok: false,
      error: "invalid_scope",
      description: "This client may not request: x:read.",
    });
  });

  it("grants a client without permissions nothing, as invalid_scope", () => {
    expect(grantScopes([], undefined)).toMatchObject({ ok: false, error: "invalid_scope" });
  });
});
