import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./index";

describe("parseEnv", () => {
  it("fills in defaults for the embedded set-up", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      AUTHDESK_DATA_DIR: ".data",
      AUTHDESK_TRUST_PROXY: false,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("treats empty values as unset", () => {
    const env = parseEnv({ DATABASE_URL: "", PORT: "" });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
  });

  it("parses numbers and flags", () => {
    const env = parseEnv({
      PORT: "8080",
      AUTHDESK_TRUST_PROXY: "true",
      AUTHDESK_SESSION_HOURS: "2",
    });
    expect(env).toMatchObject({
      PORT: 8080,
      AUTHDESK_TRUST_PROXY: { hops: 1 },
      AUTHDESK_SESSION_HOURS: 2,
    });
  });

  it("reads AUTHDESK_TRUST_PROXY as hops or trusted proxy ranges", () => {
    const trust = (value: string) => parseEnv({ AUTHDESK_TRUST_PROXY: value }).AUTHDESK_TRUST_PROXY;
    expect(trust("false")).toBe(false);
    expect(trust("2")).toEqual({ hops: 2 });
    expect(trust("10.0.0.0/8, 192.168.1.7,fd00::/8")).toEqual({
      proxies: ["10.0.0.0/8", "192.168.1.7", "fd00::/8"],
    });
    for (const bad of ["0", "11", "yes", "10.0.0.0/33", "10.0.0.0/8,proxy.local", ","]) {
      expect(() => trust(bad)).toThrow(/AUTHDESK_TRUST_PROXY/);
    }
  });

  it("names every bad variable in one error", () => {
    const parse = () =>
      parseEnv({ PORT: "eighty", DATABASE_URL: "mysql://db", AUTHDESK_TRUST_PROXY: "yes" });
    expect(parse).toThrow(EnvError);
    expect(parse).toThrow(/PORT/);
    expect(parse).toThrow(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(parse).toThrow(/AUTHDESK_TRUST_PROXY/);
  });
});
