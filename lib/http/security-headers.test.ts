import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  applyPageSecurityHeaders,
  connectPagePolicy,
  isConnectPath,
  isInvitePath,
} from "./security-headers";

function headersFor(url: string) {
  const req = { url, headers: {} } as IncomingMessage;
  const set: Record<string, string> = {};
  // applyPageSecurityHeaders only sets headers: a response with setHeader alone is enough.
  const res = {
    setHeader: (name: string, value: string) => {
      set[name.toLowerCase()] = value;
    },
  } as unknown as ServerResponse;
  applyPageSecurityHeaders(req, res, { https: false, dev: false });
  return { set, forwarded: req.headers["content-security-policy"] };
}

describe("security headers for the hosted connect pages", () => {
  it("recognises /connect and its sub-paths only", () => {
    for (const url of ["/connect", "/connect/abc", "/connect/callback?code=1", "/connect?x"]) {
      expect({ url, connect: isConnectPath(url) }).toEqual({ url, connect: true });
    }
    for (const url of ["/connections", "/connectx", "/integrations?id=connect", "/"]) {
      expect({ url, connect: isConnectPath(url) }).toEqual({ url, connect: false });
    }
  });

  it("gives /connect pages the strict policy, no-store and no-referrer, and Next the same nonce", () => {
    const { set, forwarded } = headersFor("/connect/some-token");
    const policy = set["content-security-policy"] ?? "";
    expect(policy).toMatch(
      /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic';/,
    );
    expect(policy).toContain("form-action 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(forwarded).toBe(policy);
    expect(set["cache-control"]).toBe("no-store");
    expect(set["referrer-policy"]).toBe("no-referrer");
  });

  it("leaves the console's policy alone", () => {
    const { set } = headersFor("/integrations");
    expect(set["content-security-policy"]).toMatch(/^default-src 'self'/);
    expect(set["cache-control"]).toBeUndefined();
    expect(connectPagePolicy("n", true)).toContain("'unsafe-eval'");
  });
});

describe("security headers for invitation links", () => {
  it("recognises /invite and its sub-paths only", () => {
    expect(["/invite/abc", "/invite?x", "/invite"].map(isInvitePath)).toEqual([true, true, true]);
    expect(["/invites", "/admins?invite", "/"].map(isInvitePath)).toEqual([false, false, false]);
  });

  it("keeps the token out of caches and Referer, with the console's policy", () => {
    const { set } = headersFor("/invite/some-token");
    expect(set["cache-control"]).toBe("no-store");
    expect(set["referrer-policy"]).toBe("no-referrer");
    expect(set["content-security-policy"]).toMatch(/^default-src 'self'/);
  });
});
