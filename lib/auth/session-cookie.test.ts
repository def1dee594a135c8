import { describe, expect, it } from "vitest";
import { sessionCookieName, signInChallengeCookieName } from "./session-cookie";

describe("sessionCookieName", () => {
  it("uses the __Host- prefix over HTTPS, where the cookie is Secure", () => {
    expect(sessionCookieName(true)).toBe("__Host-authdesk_session");
  });

  it("has no prefix over plain http, where browsers would refuse a __Host- cookie", () => {
    expect(sessionCookieName(false)).toBe("authdesk_session");
  });
});

describe("signInChallengeCookieName", () => {
  it("is prefixed like the session cookie, and named apart from it", () => {
    expect(signInChallengeCookieName(true)).toBe("__Host-authdesk_sign_in_challenge");
    expect(signInChallengeCookieName(false)).toBe("authdesk_sign_in_challenge");
  });
});
