import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import { organizationSettings, rateLimitCounters, tills } from "@/db/schema";
import { insertTill, type TestTill } from "@/lib/api/api.testing";
import { decoyPasswordHash, hashPassword, verifyPassword } from "@/lib/auth/password";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { type BasicVerifier, createBasicVerifier, decodeTillCredentials } from "./basic";

vi.mock("@/lib/auth/password", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/auth/password")>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});

const scryptRuns = () => vi.mocked(verifyPassword).mock.calls.length;
const LIMITS = {
  perPair: 3,
  perAddress: 100,
  perSubject: 5,
  perPairUnderAttack: 1,
  windowSeconds: 300,
};

describe("decodeTillCredentials", () => {
  it("splits at the first colon, so passwords may contain colons", () => {
    const encoded = Buffer.from("T1:pa:ss wörd").toString("base64");
    expect(decodeTillCredentials(encoded)).toEqual({ code: "T1", password: "pa:ss wörd" });
  });

  it("refuses what is not base64 of code:password", () => {
    for (const encoded of ["!!!", "", "abc", btoa("nocolon"), btoa(":password"), btoa("T1:a\0b")]) {
      expect(decodeTillCredentials(encoded)).toBeUndefined();
    }
  });
});

describe.each(testDrivers)("Basic till verification on %s", (driver) => {
  let handle: DatabaseHandle;
  let db: Database;
  let till: TestTill;
  let clock: number;
  let verifier: BasicVerifier;
  const address = "203.0.113.7";

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    db = handle.db;
  });

  afterAll(async () => {
    await handle?.close();
  });

  beforeEach(async () => {
    await db.delete(rateLimitCounters);
    await db.update(organizationSettings).set({ basicAuthEnabled: true });
    till = await insertTill(db);
    clock = Date.now();
    verifier = createBasicVerifier({ limits: LIMITS, now: () => clock });
    vi.mocked(verifyPassword).mockClear();
  });

  const verify = (password = till.password, code = till.code) =>
    verifier.verify(db, { code, password }, address);

  it("gives a till its own permissions' scopes and no others; none for a till without any", async () => {
    const narrow = await insertTill(db, { permissions: { transaction: "read", all: "write" } });
    const result = await verifier.verify(db, narrow, address);
    expect(result).toMatchObject({ ok: true, tillId: narrow.id });
    if (!result.ok) return;
    expect(result.scopes.toSorted()).toEqual(["all:read", "all:write", "transaction:read"]);
    const bare = await insertTill(db, { permissions: {} });
    expect(await verifier.verify(db, bare, address)).toEqual({
      ok: true,
      tillId: bare.id,
      scopes: [],
    });
  });

  it("gives a till with Modify on every group every scope, and pays for scrypt once while the password is unchanged", async () => {
    const first = await verify();
    expect(first).toMatchObject({ ok: true, tillId: till.id });
    if (!first.ok) return;
    expect(first.scopes).toEqual(
      expect.arrayContaining(["all:write", "transaction:read", "INTEGRATION_API"]),
    );
    await Promise.all([verify(), verify(), verify()]);
    expect(scryptRuns()).toBe(1);
  });

  it("shares one scrypt run among concurrent first requests", async () => {
    const results = await Promise.all([verify(), verify(), verify()]);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(scryptRuns()).toBe(1);
  });

  it("forgets a verification when the password changes, the till goes or five minutes pass", async () => {
    await verify();
    clock += 5 * 60_000;
    expect(await verify()).toMatchObject({ ok: true });
    expect(scryptRuns()).toBe(2);

    await db
      .update(tills)
      .set({ passwordHash: await hashPassword("a new password") })
      .where(eq(tills.id, till.id));
    expect(await verify()).toEqual({ ok: false, error: "invalid_credentials" });
    expect(await verify("a new password")).toMatchObject({ ok: true });

    await db.delete(tills).where(eq(tills.id, till.id));
    expect(await verify("a new password")).toEqual({ ok: false, error: "invalid_credentials" });
  });

  it("honours the organisation switch before any password work", async () => {
    await verify();
    await db.update(organizationSettings).set({ basicAuthEnabled: false });
    const before = scryptRuns();
    expect(await verify()).toEqual({ ok: false, error: "basic_disabled" });
    expect(await verify("wrong")).toEqual({ ok: false, error: "basic_disabled" });
    expect(scryptRuns()).toBe(before);
  });

  it("never remembers failures, and throttles a till code after repeated ones", async () => {
    for (let attempt = 0; attempt < LIMITS.perPair; attempt++) {
      expect(await verify("wrong")).toEqual({ ok: false, error: "invalid_credentials" });
    }
    expect(scryptRuns()).toBe(LIMITS.perPair);
    const throttled = await verify();
    expect(throttled).toMatchObject({ ok: false, error: "throttled" });
    expect(scryptRuns()).toBe(LIMITS.perPair);
    // The code is counted case-insensitively, as tills are looked up.
    expect(await verify(till.password, till.code.toUpperCase())).toMatchObject({
      error: "throttled",
    });
  });

  it("refuses codes and passwords longer than any till's without scrypt", async () => {
    expect(await verify("x".repeat(10_000))).toEqual({ ok: false, error: "invalid_credentials" });
    expect(await verify(till.password, "c".repeat(1_000))).toEqual({
      ok: false,
      error: "invalid_credentials",
    });
    expect(scryptRuns()).toBe(0);
  });

  it("checks unknown till codes against a decoy hash, so they cost what a wrong password does", async () => {
    for (const code of ["no-such-till", "bad:code with spaces"]) {
      expect(await verify(till.password, code)).toEqual({
        ok: false,
        error: "invalid_credentials",
      });
    }
    expect(vi.mocked(verifyPassword).mock.calls).toEqual([
      [till.password, await decoyPasswordHash()],
      [till.password, await decoyPasswordHash()],
    ]);
  });
});
