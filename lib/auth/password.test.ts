import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, PRODUCTION_LOG2_N, scryptLog2N, verifyPassword } from "./password";

describe("password hashing cost", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("is OWASP's N=2^17 everywhere but the test suite, whatever the environment says", () => {
    expect(PRODUCTION_LOG2_N).toBe(17);
    const lowered = { AUTHDESK_TEST_SCRYPT_LOG2_N: "10" };
    expect(scryptLog2N({ ...lowered, NODE_ENV: "production" })).toBe(17);
    expect(scryptLog2N({ ...lowered, NODE_ENV: "development" })).toBe(17);
    expect(scryptLog2N(lowered)).toBe(17);
    expect(scryptLog2N({ NODE_ENV: "test" })).toBe(17);
    // Tests may only lower it, never raise it or set nonsense.
    expect(scryptLog2N({ NODE_ENV: "test", AUTHDESK_TEST_SCRYPT_LOG2_N: "30" })).toBe(17);
    expect(scryptLog2N({ NODE_ENV: "test", AUTHDESK_TEST_SCRYPT_LOG2_N: "x" })).toBe(17);
    expect(scryptLog2N({ ...lowered, NODE_ENV: "test" })).toBe(10);
  });

  it("records each hash's cost, so hashes of either cost verify under the other", async () => {
    const cheap = await hashPassword("cheap one");
    expect(cheap).toMatch(/^scrypt\$10\$8\$1\$/);
    vi.stubEnv("AUTHDESK_TEST_SCRYPT_LOG2_N", "");
    const dear = await hashPassword("dear one");
    expect(dear).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(await verifyPassword("cheap one", cheap)).toBe(true);
    vi.unstubAllEnvs();
    expect(await verifyPassword("dear one", dear)).toBe(true);
    expect(await verifyPassword("dear two", dear)).toBe(false);
  });
});
