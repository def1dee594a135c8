import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { adminSessions, admins, auditEvents, rateLimitCounters } from "@/db/schema";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createAdmin, hasAnyAdmin, signIn, signOut } from "./service";
import { findSessionAdmin } from "./sessions";
import { MAX_ATTEMPTS_PER_ACCOUNT, MAX_ATTEMPTS_PER_ADDRESS } from "./throttle";

const PASSWORD = "correct horse battery staple";
const meta = { clientAddress: "203.0.113.7", userAgent: "vitest" };
const policy = { idleMinutes: 30 };
const setupContext = {
  actor: { type: "anonymous" as const },
  via: "setup" as const,
  firstOnly: true,
};

describe.each(testDrivers)("admin accounts on %s", (driver) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await createTestDatabase(driver);
  });
  afterAll(() => handle.close());
  beforeEach(async () => {
    const { db } = handle;
    await db.delete(auditEvents);
    await db.delete(rateLimitCounters);
    await db.delete(admins);
  });

  it("creates the first admin once; a second set-up is refused, even when racing", async () => {
    const { db } = handle;
    expect(await hasAnyAdmin(db)).toBe(false);
    const results = await Promise.all([
      createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext),
      createAdmin(db, { email: "b@example.com", password: PASSWORD }, setupContext),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, error: "setup_closed" });
    expect(await db.select().from(admins)).toHaveLength(1);
    const events = await db.select().from(auditEvents);
    expect(events.map((event) => event.action)).toEqual(["admin.created"]);
  });

  it("stores a scrypt hash, never the password", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const [row] = await db.select().from(admins);
    expect(row?.passwordHash).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(JSON.stringify(await db.select().from(auditEvents))).not.toContain(PASSWORD);
  });

  it("refuses a second admin with the same email in another case", async () => {
    const { db } = handle;
    const cli = {
      actor: { type: "system" as const, label: "cli" },
      via: "cli" as const,
      firstOnly: false,
    };
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, cli);
    expect(await createAdmin(db, { email: "A@Example.com", password: PASSWORD }, cli)).toEqual({
      ok: false,
      error: "email_taken",
    });
  });

  it("signs in with the right password, creates a session, and signs out", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const result = await signIn(
      db,
      { email: "A@example.com", password: PASSWORD },
      { ...meta, sessionHours: 1, sessionIdleMinutes: 30 },
    );
    if (!result.ok) throw new Error(`sign-in failed: ${result.error}`);
    expect(await findSessionAdmin(db, result.token, policy)).toEqual(result.admin);
    expect(await findSessionAdmin(db, `${result.token}x`, policy)).toBeNull();
    const [stored] = await db.select().from(adminSessions);
    expect(stored?.tokenHash).not.toBe(result.token);

    await signOut(db, result.admin, result.token, meta);
    expect(await findSessionAdmin(db, result.token, policy)).toBeNull();
    const actions = (await db.select().from(auditEvents)).map((event) => event.action);
    expect(actions).toEqual(["admin.created", "admin.signed_in", "admin.signed_out"]);
  });

  it("does not accept an expired session", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const result = await signIn(
      db,
      { email: "a@example.com", password: PASSWORD },
      { ...meta, sessionHours: 1, sessionIdleMinutes: 30 },
    );
    if (!result.ok) throw new Error("sign-in failed");
    // Expiry is the database's clock's business: a session ending a second from now (there) is
    // still valid, one that ended a second ago is not, whatever this process's clock says.
    await db.update(adminSessions).set({ expiresAt: sql`now() + interval '1 second'` });
    expect(await findSessionAdmin(db, result.token, policy)).toEqual(result.admin);
    await db.update(adminSessions).set({ expiresAt: sql`now() - interval '1 second'` });
    expect(await findSessionAdmin(db, result.token, policy)).toBeNull();
  });

  it("sets the absolute expiry on the database's clock, and tells the cookie the same", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const result = await signIn(
      db,
      { email: "a@example.com", password: PASSWORD },
      { ...meta, sessionHours: 2, sessionIdleMinutes: 30 },
    );
    if (!result.ok) throw new Error("sign-in failed");
    const [row] = await queryRows<{ lifetime: number; matches: boolean }>(
      db,
      sql`select extract(epoch from expires_at - created_at)::int as lifetime,
        abs(extract(epoch from expires_at - ${result.expiresAt.toISOString()}::timestamptz)) < 0.001 as matches
        from admin_sessions`,
    );
    expect(row).toEqual({ lifetime: 7200, matches: true });
  });

  it("ends a session left idle longer than the idle timeout, and keeps a used one alive", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const signInContext = { ...meta, sessionHours: 12, sessionIdleMinutes: 30 };
    const idle = await signIn(db, { email: "a@example.com", password: PASSWORD }, signInContext);
    const used = await signIn(db, { email: "a@example.com", password: PASSWORD }, signInContext);
    if (!idle.ok || !used.ok) throw new Error("sign-in failed");
    const lastSeen = (minutesAgo: number) =>
      db.update(adminSessions).set({
        lastSeenAt: sql`now() - make_interval(mins => ${minutesAgo})`,
      });

    // Seen 29 minutes ago: still signed in, and that request counts as activity.
    await lastSeen(29);
    expect(await findSessionAdmin(db, used.token, policy)).toEqual(used.admin);
    expect(await findSessionAdmin(db, idle.token, policy)).toEqual(idle.admin);
    const [touched] = await queryRows<{ fresh: number }>(
      db,
      sql`select count(*)::int as fresh from admin_sessions where last_seen_at > now() - interval '1 minute'`,
    );
    expect(touched?.fresh).toBe(2);

    await lastSeen(31);
    expect(await findSessionAdmin(db, idle.token, policy)).toBeNull();
    // A longer idle timeout would still accept it: the policy decides, not a constant.
    expect(await findSessionAdmin(db, used.token, { idleMinutes: 60 })).toEqual(used.admin);

    // The next sign-in sweeps sessions that went idle.
    await lastSeen(31);
    const next = await signIn(db, { email: "a@example.com", password: PASSWORD }, signInContext);
    if (!next.ok) throw new Error("sign-in failed");
    expect(await db.select().from(adminSessions)).toHaveLength(1);
  });

  it("gives the same answer for an unknown email and a wrong password, and audits both", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const context = { ...meta, sessionHours: 1, sessionIdleMinutes: 30 };
    const wrong = await signIn(db, { email: "a@example.com", password: "not it at all" }, context);
    const unknown = await signIn(db, { email: "nobody@example.com", password: PASSWORD }, context);
    expect(wrong).toEqual({ ok: false, error: "invalid_credentials" });
    expect(unknown).toEqual(wrong);
    const failures = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "admin.sign_in_failed"))
      .orderBy(auditEvents.id);
    expect(failures.map((event) => event.details)).toEqual([
      { reason: "wrong_password" },
      { reason: "unknown_email" },
    ]);
    expect(failures.every((event) => event.clientAddress === meta.clientAddress)).toBe(true);
  });

  it("throttles an account after repeated failures, even with the right password", async () => {
    const { db } = handle;
    await createAdmin(db, { email: "a@example.com", password: PASSWORD }, setupContext);
    const context = { ...meta, sessionHours: 1, sessionIdleMinutes: 30 };
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_ACCOUNT; attempt++) {
      await signIn(db, { email: "a@example.com", password: "wrong password" }, context);
    }
    const blocked = await signIn(db, { email: "a@example.com", password: PASSWORD }, context);
    expect(blocked).toMatchObject({ ok: false, error: "throttled" });
    if (blocked.ok || blocked.error !== "throttled") return;
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);

    // Another address is throttled too: the account's counter is shared.
    const elsewhere = await signIn(
      db,
      { email: "a@example.com", password: PASSWORD },
      { ...context, clientAddress: "198.51.100.1" },
    );
    expect(elsewhere).toMatchObject({ error: "throttled" });

    // Once the window has passed the account can sign in again.
    await db.update(rateLimitCounters).set({ windowEndsAt: new Date(Date.now() - 1000) });
    expect(await signIn(db, { email: "a@example.com", password: PASSWORD }, context)).toMatchObject(
      { ok: true },
    );
  });

  it("throttles one address guessing across many accounts, counted atomically", async () => {
    const { db } = handle;
    const context = { ...meta, sessionHours: 1, sessionIdleMinutes: 30 };
    const guesses = Array.from({ length: MAX_ATTEMPTS_PER_ADDRESS }, (_, index) =>
      signIn(db, { email: `user${index}@example.com`, password: "guess" }, context),
    );
    await Promise.all(guesses);
    const next = await signIn(db, { email: "fresh@example.com", password: "guess" }, context);
    expect(next).toMatchObject({ error: "throttled" });
    const other = await signIn(
      db,
      { email: "fresh@example.com", password: "guess" },
      { ...context, clientAddress: "198.51.100.9" },
    );
    expect(other).toEqual({ ok: false, error: "invalid_credentials" });
  });
});
