import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import {
  adminSessions,
  adminSignInChallenges,
  admins,
  auditEvents,
  rateLimitCounters,
} from "@/db/schema";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import {
  changePassword,
  deviceName,
  listSessions,
  revokeSession,
  signOutEverywhere,
} from "./account";
import { changePasswordSchema } from "./account-schema";
import { createAdmin, signIn } from "./service";
import { findSessionAdmin } from "./sessions";
import { MAX_ATTEMPTS_PER_PAIR } from "./throttle";

const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a brand new passphrase";
const ADDRESS = "203.0.113.7";
const policy = { idleMinutes: 30 };
const AGENTS = {
  chromeMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  firefoxWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
};

describe("device names from user agents", () => {
  it("names browser and system, either alone, or neither", () => {
    expect(deviceName(AGENTS.chromeMac)).toBe("Chrome on macOS");
    expect(deviceName(AGENTS.firefoxWindows)).toBe("Firefox on Windows");
    expect(deviceName(AGENTS.safariIphone)).toBe("Safari on iOS");
    expect(deviceName(null)).toBe("Unknown device");
    expect(deviceName("")).toBe("Unknown device");
    expect(deviceName("curl-ish/1.0")).toBe("Unknown device");
  });
});

describe("the change-password form's rules", () => {
  const valid = {
    currentPassword: PASSWORD,
    newPassword: NEW_PASSWORD,
    confirmPassword: NEW_PASSWORD,
  };
  const problems = (input: unknown) => {
    const parsed = changePasswordSchema.safeParse(input);
    return parsed.success ? {} : parsed.error.flatten().fieldErrors;
  };

  it("needs the current password, a long enough new one, repeated, and not the current one", () => {
    expect(problems(valid)).toEqual({});
    expect(problems({ ...valid, currentPassword: "" })).toEqual({
      currentPassword: ["Enter your current password"],
    });
    expect(problems({ ...valid, newPassword: "short", confirmPassword: "short" })).toEqual({
      newPassword: ["Use at least 12 characters"],
    });
    expect(problems({ ...valid, confirmPassword: `${NEW_PASSWORD}!` })).toEqual({
      confirmPassword: ["The passwords do not match"],
    });
    expect(problems({ ...valid, newPassword: PASSWORD, confirmPassword: PASSWORD })).toEqual({
      newPassword: ["Choose a password other than your current one"],
    });
    expect(changePasswordSchema.safeParse({ ...valid, extra: "field" }).success).toBe(false);
  });
});

describe.each(testDrivers)("the signed-in admin's own account on %s", (driver) => {
  let handle: DatabaseHandle;
  let db: Database;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    db = handle.db;
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    await db.delete(auditEvents);
    await db.delete(rateLimitCounters);
    await db.delete(admins);
  });

  async function newAdmin(email: string) {
    const created = await createAdmin(
      db,
      { email, password: PASSWORD, role: "admin" },
      { actor: { type: "system", label: "test" }, via: "cli", firstOnly: false },
    );
    if (!created.ok) throw new Error(created.error);
    return created.admin;
  }

  /** Signs in as a browser would: a token for the cookie, and the session's public id. */
  async function session(
    email: string,
    options: { userAgent?: string | null; password?: string; address?: string } = {},
  ) {
    const result = await signIn(
      db,
      { email, password: options.password ?? PASSWORD },
      {
        clientAddress: options.address ?? ADDRESS,
        userAgent: options.userAgent ?? null,
        sessionHours: 12,
        sessionIdleMinutes: policy.idleMinutes,
      },
    );
    if (!result.ok) throw new Error(`sign-in failed: ${result.error}`);
    const found = await findSessionAdmin(db, result.token, policy);
    if (!found) throw new Error("the new session is not found");
    return { token: result.token, id: found.sessionId };
  }

  const contextOf = (sessionId: string) => ({
    sessionId,
    clientAddress: ADDRESS,
    idleMinutes: policy.idleMinutes,
  });

  const auditRows = (action: string) =>
    db.select().from(auditEvents).where(eq(auditEvents.action, action));

  it("refuses a wrong current password, counted like sign-ins: past the limit even the right one waits", async () => {
    const admin = await newAdmin("a@example.com");
    const current = await session(admin.email);
    const change = (currentPassword: string) =>
      changePassword(
        db,
        admin,
        { currentPassword, newPassword: NEW_PASSWORD },
        contextOf(current.id),
      );

    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_PAIR; attempt++) {
      expect(await change(`guess ${attempt}`)).toEqual({ ok: false, error: "wrong_password" });
    }
    const refused = await change(PASSWORD);
    expect(refused).toMatchObject({ ok: false, error: "throttled" });
    if (refused.ok || refused.error !== "throttled") return;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    // The same counters as the sign-in page: that address cannot sign in to the account either.
    expect(
      await signIn(
        db,
        { email: admin.email, password: PASSWORD },
        { clientAddress: ADDRESS, userAgent: null, sessionHours: 1, sessionIdleMinutes: 30 },
      ),
    ).toMatchObject({ ok: false, error: "throttled" });
    expect(await auditRows("admin.password_changed")).toEqual([]);

    // Once the window has ended, the right password changes it.
    await db.update(rateLimitCounters).set({ windowEndsAt: sql`now() - interval '1 second'` });
    expect(await change(PASSWORD)).toEqual({ ok: true, otherSessionsEnded: 0 });
  });

  it("changes the password, ends every other session at once but not this one, and audits no password", async () => {
    const admin = await newAdmin("a@example.com");
    const colleague = await newAdmin("b@example.com");
    const current = await session(admin.email, { userAgent: AGENTS.chromeMac });
    const laptop = await session(admin.email, { userAgent: AGENTS.firefoxWindows });
    const phone = await session(admin.email, { userAgent: AGENTS.safariIphone });
    const idle = await session(admin.email);
    await db
      .update(adminSessions)
      .set({ lastSeenAt: sql`now() - interval '31 minutes'` })
      .where(eq(adminSessions.id, idle.id));
    const colleagues = await session(colleague.email);
    // A sign-in of theirs that proved the old password and waits for its second factor.
    await db.insert(adminSignInChallenges).values({
      tokenHash: "pending",
      adminId: admin.id,
      expiresAt: sql`now() + interval '5 minutes'`,
    });

    const result = await changePassword(
      db,
      admin,
      { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      contextOf(current.id),
    );

    // The idle session had already ended, so it is not counted.
    expect(result).toEqual({ ok: true, otherSessionsEnded: 2 });
    expect(await findSessionAdmin(db, current.token, policy)).toMatchObject({ id: admin.id });
    expect(await findSessionAdmin(db, laptop.token, policy)).toBeNull();
    expect(await findSessionAdmin(db, phone.token, policy)).toBeNull();
    expect(await findSessionAdmin(db, colleagues.token, policy)).toMatchObject({
      id: colleague.id,
    });
    expect(await db.select().from(adminSignInChallenges)).toEqual([]);

    const context = { clientAddress: "198.51.100.1", userAgent: null, sessionHours: 1 };
    const signInWith = (password: string) =>
      signIn(db, { email: admin.email, password }, { ...context, sessionIdleMinutes: 30 });
    expect(await signInWith(PASSWORD)).toEqual({ ok: false, error: "invalid_credentials" });
    expect(await signInWith(NEW_PASSWORD)).toMatchObject({ ok: true });

    const [audited] = await auditRows("admin.password_changed");
    expect(audited).toMatchObject({
      actorId: admin.id,
      targetId: admin.id,
      clientAddress: ADDRESS,
      details: { otherSessionsEnded: 2 },
    });
    const everything = JSON.stringify(await db.select().from(auditEvents));
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(NEW_PASSWORD);
  });

  it("lets only one of two racing changes from the same current password through", async () => {
    const admin = await newAdmin("a@example.com");
    const current = await session(admin.email);
    const results = await Promise.all(
      ["first new password", "second new password"].map((newPassword) =>
        changePassword(
          db,
          admin,
          { currentPassword: PASSWORD, newPassword },
          contextOf(current.id),
        ),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok)).toEqual([
      { ok: false, error: "wrong_password" },
    ]);
    expect(await auditRows("admin.password_changed")).toHaveLength(1);
  });

  it("lists only the admin's own live sessions, this one first, with device names", async () => {
    const admin = await newAdmin("a@example.com");
    const colleague = await newAdmin("b@example.com");
    const laptop = await session(admin.email, {
      userAgent: AGENTS.firefoxWindows,
      address: "198.51.100.20",
    });
    const current = await session(admin.email, { userAgent: AGENTS.chromeMac });
    const unknown = await session(admin.email, { userAgent: null });
    const expired = await session(admin.email, { userAgent: AGENTS.safariIphone });
    const idle = await session(admin.email, { userAgent: AGENTS.safariIphone });
    // Signed in before the others end: each sign-in sweeps ended sessions away.
    await session(colleague.email, { userAgent: AGENTS.chromeMac });
    await db
      .update(adminSessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(adminSessions.id, expired.id));
    await db
      .update(adminSessions)
      .set({ lastSeenAt: sql`now() - interval '31 minutes'` })
      .where(eq(adminSessions.id, idle.id));
    // Seen longest ago of the live ones, so last in the list.
    await db
      .update(adminSessions)
      .set({ lastSeenAt: sql`now() - interval '10 minutes'` })
      .where(eq(adminSessions.id, unknown.id));

    const listed = await listSessions(db, admin.id, current.id, policy);
    expect(
      listed.map(({ id, device, current, clientAddress }) => ({
        id,
        device,
        current,
        clientAddress,
      })),
    ).toEqual([
      { id: current.id, device: "Chrome on macOS", current: true, clientAddress: ADDRESS },
      {
        id: laptop.id,
        device: "Firefox on Windows",
        current: false,
        clientAddress: "198.51.100.20",
      },
      { id: unknown.id, device: "Unknown device", current: false, clientAddress: ADDRESS },
    ]);
    expect(listed[0]?.signedInAt).toBeInstanceOf(Date);
    expect(listed[0]?.lastSeenAt).toBeInstanceOf(Date);
    // The ended ones are still stored; a longer idle timeout would list the idle one.
    expect(await listSessions(db, admin.id, current.id, { idleMinutes: 60 })).toHaveLength(4);
  });

  it("revokes only the admin's own sessions: another admin's id is not found", async () => {
    const admin = await newAdmin("a@example.com");
    const colleague = await newAdmin("b@example.com");
    const current = await session(admin.email);
    const laptop = await session(admin.email, { userAgent: AGENTS.firefoxWindows });
    const colleagues = await session(colleague.email);

    expect(await revokeSession(db, admin, colleagues.id, { clientAddress: ADDRESS })).toEqual({
      ok: false,
      error: "not_found",
    });
    expect(await findSessionAdmin(db, colleagues.token, policy)).toMatchObject({
      id: colleague.id,
    });
    expect(await auditRows("admin.session_revoked")).toEqual([]);

    expect(await revokeSession(db, admin, laptop.id, { clientAddress: ADDRESS })).toEqual({
      ok: true,
      revoked: { id: laptop.id, device: "Firefox on Windows" },
    });
    expect(await findSessionAdmin(db, laptop.token, policy)).toBeNull();
    expect(await findSessionAdmin(db, current.token, policy)).toMatchObject({ id: admin.id });
    expect(await revokeSession(db, admin, laptop.id, { clientAddress: ADDRESS })).toEqual({
      ok: false,
      error: "not_found",
    });
    const [audited] = await auditRows("admin.session_revoked");
    expect(audited).toMatchObject({
      actorId: admin.id,
      details: { sessionId: laptop.id, device: "Firefox on Windows" },
    });
  });

  it("signs out everywhere: every session of the admin ends, this one included, no one else's", async () => {
    const admin = await newAdmin("a@example.com");
    const colleague = await newAdmin("b@example.com");
    const mine = [await session(admin.email), await session(admin.email)];
    const colleagues = await session(colleague.email);

    expect(await signOutEverywhere(db, admin, { clientAddress: ADDRESS, idleMinutes: 30 })).toEqual(
      { sessionsEnded: 2 },
    );
    for (const ended of mine) expect(await findSessionAdmin(db, ended.token, policy)).toBeNull();
    expect(await findSessionAdmin(db, colleagues.token, policy)).toMatchObject({
      id: colleague.id,
    });
    const [audited] = await auditRows("admin.signed_out_everywhere");
    expect(audited).toMatchObject({ actorId: admin.id, details: { sessionsEnded: 2 } });
  });

  describe("across two app instances", () => {
    let second: DatabaseHandle;
    beforeAll(async () => {
      second = await openSecondInstance(handle);
    });
    afterAll(() => second.close());

    /** A session that instance B has just accepted, ended on instance A, then tried on B. */
    async function endedOnFirstThenTriedOnSecond(
      end: (
        admin: { id: string; email: string },
        current: string,
        other: string,
      ) => Promise<unknown>,
    ) {
      const admin = await newAdmin("a@example.com");
      const current = await session(admin.email);
      const other = await session(admin.email);
      expect(await findSessionAdmin(second.db, other.token, policy)).toMatchObject({
        id: admin.id,
      });
      await end(admin, current.id, other.id);
      return findSessionAdmin(second.db, other.token, policy);
    }

    it("refuses a session there right after revokeSession here", async () => {
      const tried = await endedOnFirstThenTriedOnSecond((admin, _current, other) =>
        revokeSession(db, admin, other, { clientAddress: ADDRESS }),
      );
      expect(tried).toBeNull();
    });

    it("refuses a session there right after signOutEverywhere here", async () => {
      const tried = await endedOnFirstThenTriedOnSecond((admin) =>
        signOutEverywhere(db, admin, { clientAddress: ADDRESS, idleMinutes: 30 }),
      );
      expect(tried).toBeNull();
    });

    it("refuses another session there right after changePassword here", async () => {
      const tried = await endedOnFirstThenTriedOnSecond(async (admin, current) => {
        const changed = await changePassword(
          db,
          admin,
          { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
          contextOf(current),
        );
        expect(changed).toEqual({ ok: true, otherSessionsEnded: 1 });
      });
      expect(tried).toBeNull();
    });
  });
});
