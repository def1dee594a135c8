import { describe, expect, it } from "vitest";
import { publicOrigin, trustedCallbackOrigin } from "./public-origin";

describe("the public origin", () => {
  it("is AUTHDESK_PUBLIC_URL when set, else the request's", () => {
    const request = { host: "authdesk.internal:8080", get: () => "https" };
    expect(publicOrigin("https://authdesk.example.com", request)).toBe(
      "https://authdesk.example.com",
    );
    expect(publicOrigin(undefined, request)).toBe("https://authdesk.internal:8080");
  });
});

describe("the origin of OAuth redirect URIs", () => {
  const local = { publicUrl: undefined, host: "127.0.0.1", port: 3000 };

  it("is AUTHDESK_PUBLIC_URL whatever Host the request carried", () => {
    const configured = { ...local, publicUrl: "https://authdesk.example.com" };
    expect(trustedCallbackOrigin(configured, "https://evil.example")).toBe(
      "https://authdesk.example.com",
    );
  });

  it("without it, is the server's own loopback address, and never a forged Host", () => {
    expect(trustedCallbackOrigin(local, "http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
    expect(trustedCallbackOrigin(local, "http://localhost:3000")).toBe("http://localhost:3000");
    expect(trustedCallbackOrigin(local, "https://evil.example")).toBeNull();
    expect(trustedCallbackOrigin(local, "http://127.0.0.1:3001")).toBeNull();
    expect(trustedCallbackOrigin(local, "http://localhost.evil.example:3000")).toBeNull();
  });

  it("behind a proxy with no AUTHDESK_PUBLIC_URL, is nothing: the public Host cannot be told from a forged one", () => {
    const everywhere = { publicUrl: undefined, host: "0.0.0.0", port: 3000 };
    expect(trustedCallbackOrigin(everywhere, "https://authdesk.example.com")).toBeNull();
    expect(trustedCallbackOrigin(everywhere, "http://localhost:3000")).toBeNull();
  });
});
