import { describe, expect, it } from "vitest";
import { sessionCookieName } from "./session-cookie";

describe("sessionCookieName", () => {
  it("uses the __Host- prefix over HTTPS, where the cookie is Secure", () => {
    expect(sessionCookieName(true)).toBe("__Host-authdesk_session");
  });

  it("has no prefix over plain http, where browsers would refuse a __Host- cookie", () => {
    expect(sessionCookieName(false)).toBe("authdesk_session");
  });
});
