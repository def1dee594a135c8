import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import { adminSessions, admins, auditEvents, rateLimitCounters } from "@/db/schema";
import { searchAuditActors } from "@/lib/audit/service";
import { addToCounters } from "@/lib/rate-limit/counter";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import {
  createAdmin,
  hasAnyAdmin,
  LOGGED_FAILURES_PER_ADDRESS,
  LOGGED_FAILURES_PER_WINDOW,
  signIn,
  signOut,
  UNVERIFIED_SIGN_IN,
} from "./service";
import { findSessionAdmin } from "./sessions";
import {
  ACCOUNT_UNDER_ATTACK_AFTER,
  MAX_ATTEMPTS_PER_ADDRESS,
  MAX_ATTEMPTS_PER_PAIR,
  THROTTLE_WINDOW_SECONDS,
  TRIES_BELIEVED_UNDER_ATTACK,
} from "./throttle";

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
      createAdmin(db, { email: "a@example.com", password: PASSWORD, role: "owner" }, setupContext),
      createAdmin(db, { email: "b@example.com", password: PASSWORD, role: "owner" }, setupContext),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toEqual({ ok: false, error: "setup_closed" });
    expect(await db.select().from(admins)).toHaveLength(1);
    const events = await db.select().from(auditEvents);
    expect(events.map((event) => event.action)).toEqual(["admin.created"]);
  });

  it("stores a scrypt hash, never the password", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    const [row] = await db.select().from(admins);
    expect(row?.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(JSON.stringify(await db.select().from(auditEvents))).not.toContain(PASSWORD);
  });

  it("refuses a second admin with the same email in another case", async () => {
    const { db } = handle;
    const cli = {
      actor: { type: "system" as const, label: "cli" },
      via: "cli" as const,
      firstOnly: false,
    };
    await createAdmin(db, { email: "a@example.com", password: PASSWORD, role: "owner" }, cli);
    expect(
      await createAdmin(db, { email: "A@Example.com", password: PASSWORD, role: "owner" }, cli),
    ).toEqual({
      ok: false,
      error: "email_taken",
    });
  });

  it("signs in with the right password, creates a session, and signs out", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    const result = await signIn(
      db,
      { email: "A@example.com", password: PASSWORD },
      { ...meta, sessionHours: 1, sessionIdleMinutes: 30 },
    );
    if (!result.ok) throw new Error(`sign-in failed: ${result.error}`);
    expect(await findSessionAdmin(db, result.token, policy)).toMatchObject({
      ...result.admin,
      role: "owner",
      twoFactorEnabled: false,
      twoFactorRequired: false,
      sessionId: expect.stringMatching(/^ses_/),
    });
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
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    const result = await signIn(
      db,
      { email: "a@example.com", password: PASSWORD },
      { ...meta, sessionHours: 1, sessionIdleMinutes: 30 },
    );
    if (!result.ok) throw new Error("sign-in failed");
    // Expiry is the database's clock's business: a session ending a second from now (there) is
    // still valid, one that ended a second ago is not, whatever this process's clock says.
    await db.update(adminSessions).set({ expiresAt: sql`now() + interval '1 second'` });
    expect(await findSessionAdmin(db, result.token, policy)).toMatchObject(result.admin);
    await db.update(adminSessions).set({ expiresAt: sql`now() - interval '1 second'` });
    expect(await findSessionAdmin(db, result.token, policy)).toBeNull();
  });

  it("sets the absolute expiry on the database's clock, and tells the cookie the same", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
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
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
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
    expect(await findSessionAdmin(db, used.token, policy)).toMatchObject(used.admin);
    expect(await findSessionAdmin(db, idle.token, policy)).toMatchObject(idle.admin);
    const [touched] = await queryRows<{ fresh: number }>(
      db,
      sql`select count(*)::int as fresh from admin_sessions where last_seen_at > now() - interval '1 minute'`,
    );
    expect(touched?.fresh).toBe(2);

    await lastSeen(31);
    expect(await findSessionAdmin(db, idle.token, policy)).toBeNull();
    // A longer idle timeout would still accept it: the policy decides, not a constant.
    expect(await findSessionAdmin(db, used.token, { idleMinutes: 60 })).toMatchObject(used.admin);

    // The next sign-in sweeps sessions that went idle.
    await lastSeen(31);
    const next = await signIn(db, { email: "a@example.com", password: PASSWORD }, signInContext);
    if (!next.ok) throw new Error("sign-in failed");
    expect(await db.select().from(adminSessions)).toHaveLength(1);
  });

  it("gives the same answer for an unknown email and a wrong password, and audits both", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    const [admin] = await db.select().from(admins);
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
    expect(
      failures.map(({ actorType, actorLabel, targetId, details }) => ({
        actorType,
        actorLabel,
        targetId,
        details,
      })),
    ).toEqual([
      {
        actorType: "anonymous",
        actorLabel: UNVERIFIED_SIGN_IN,
        targetId: admin?.id,
        details: { reason: "wrong_password", typedEmail: "a@example.com", attemptFromAddress: 1 },
      },
      {
        actorType: "anonymous",
        actorLabel: UNVERIFIED_SIGN_IN,
        targetId: null,
        details: {
          reason: "unknown_email",
          typedEmail: "nobody@example.com",
          attemptFromAddress: 2,
        },
      },
    ]);
    expect(failures.every((event) => event.clientAddress === meta.clientAddress)).toBe(true);
  });

  const signInFrom = (clientAddress: string, password: string, email = "a@example.com") =>
    signIn(
      handle.db,
      { email, password },
      { ...meta, clientAddress, sessionHours: 1, sessionIdleMinutes: 30 },
    );

  it("throttles an address on an account after repeated failures, even with the right password", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_PAIR; attempt++) {
      expect(await signInFrom(meta.clientAddress, "wrong password")).toMatchObject({
        error: "invalid_credentials",
      });
    }
    const blocked = await signInFrom(meta.clientAddress, PASSWORD);
    expect(blocked).toMatchObject({ ok: false, error: "throttled" });
    if (blocked.ok || blocked.error !== "throttled") return;
    expect(blocked.retryAfterSeconds).toBeGreaterThan(0);
    expect(blocked.retryAfterSeconds).toBeLessThanOrEqual(THROTTLE_WINDOW_SECONDS);

    // The account itself is not locked: its owner signs in from another address.
    expect(await signInFrom("198.51.100.1", PASSWORD)).toMatchObject({ ok: true });

    // Once the window has passed the first address can sign in again.
    await db.update(rateLimitCounters).set({ windowEndsAt: new Date(Date.now() - 1000) });
    expect(await signInFrom(meta.clientAddress, PASSWORD)).toMatchObject({ ok: true });
  });

  it("signs the owner in while a stranger's attack on the same account runs", async () => {
    const { db } = handle;
    await createAdmin(
      db,
      { email: "a@example.com", password: PASSWORD, role: "owner" },
      setupContext,
    );
    // One stranger hammers the account (in parallel), then others spread guesses over many
    // addresses, one each.
    const hammering = await Promise.all(
      Array.from({ length: 30 }, (_, index) => signInFrom("203.0.113.66", `guess ${index}`)),
    );
    expect(hammering.filter((result) => !result.ok && result.error === "throttled")).toHaveLength(
      30 - MAX_ATTEMPTS_PER_PAIR,
    );
    const spread = await Promise.all(
      Array.from({ length: ACCOUNT_UNDER_ATTACK_AFTER }, (_, index) =>
        signInFrom(`10.0.0.${index + 1}`, `guess ${index}`),
      ),
    );
    expect(spread.every((result) => !result.ok && result.error === "invalid_credentials")).toBe(
      true,
    );
    // One of them keeps guessing, past what an owner's typos would be.
    for (let guess = 1; guess <= TRIES_BELIEVED_UNDER_ATTACK; guess++) {
      expect(await signInFrom("10.0.0.1", `more ${guess}`)).toMatchObject({
        error: "invalid_credentials",
      });
    }

    // The account is under attack: an address that has guessed more than an owner's typos is
    // refused even the right password, since it cannot tell the owner from the stranger there…
    expect(await signInFrom("10.0.0.1", PASSWORD)).toMatchObject({ error: "throttled" });
    // …an address with a typo or two of its own is still believed…
    expect(await signInFrom("10.0.0.2", PASSWORD)).toMatchObject({ ok: true });
    expect(await signInFrom("203.0.113.66", PASSWORD)).toMatchObject({ error: "throttled" });
    // …while the owner, from an address that did not, signs in, during the attack and after it.
    const owner = await Promise.all([
      signInFrom("198.51.100.1", PASSWORD),
      signInFrom("203.0.113.66", "more guessing"),
    ]);
    expect(owner[0]).toMatchObject({ ok: true });
    expect(owner[1]).toMatchObject({ error: "throttled" });
  });

  it("doubles the wait of an address that keeps trying while throttled, up to an hour", async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_PAIR; attempt++) {
      await signInFrom(meta.clientAddress, "wrong password");
    }
    const waits: number[] = [];
    for (let refused = 0; refused < 4; refused++) {
      const result = await signInFrom(meta.clientAddress, "wrong password");
      if (result.ok || result.error !== "throttled") throw new Error("expected a refusal");
      waits.push(result.retryAfterSeconds);
    }
    // 15, 30, 60 minutes, then the cap; give or take a second of the database's clock.
    const expected = [900, 1800, 3600, 3600];
    for (const [index, wait] of waits.entries()) {
      expect(wait).toBeGreaterThan((expected[index] ?? 0) - 2);
      expect(wait).toBeLessThanOrEqual(expected[index] ?? 0);
    }
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

  it("logs a bounded number of failures per address, none of them under a typed name", async () => {
    const { db } = handle;
    for (let index = 0; index < MAX_ATTEMPTS_PER_ADDRESS + 5; index++) {
      await signInFrom(meta.clientAddress, "guess", `Look at me ${index}@example.com`);
    }
    await signInFrom("198.51.100.2", "guess", "someone@example.com");
    const logged = await db.select().from(auditEvents).orderBy(auditEvents.id);
    const fromAttacker = logged.filter((event) => event.clientAddress === meta.clientAddress);
    expect(fromAttacker).toHaveLength(LOGGED_FAILURES_PER_ADDRESS);
    expect(fromAttacker.at(-1)?.details).toMatchObject({
      attemptFromAddress: LOGGED_FAILURES_PER_ADDRESS,
      furtherAttempts: expect.stringContaining("not logged"),
    });
    expect(logged.filter((event) => event.clientAddress === "198.51.100.2")).toHaveLength(1);
    // The actor filter offers one name for all of them, not what strangers typed.
    expect(await searchAuditActors(db, "", 50)).toEqual([UNVERIFIED_SIGN_IN]);
    expect(await searchAuditActors(db, "look", 50)).toEqual([]);
  });

  it("logs a bounded number of failures from all addresses together", async () => {
    const { db } = handle;
    // As if many addresses had already failed in this window, each within its own bound.
    await addToCounters(db, [
      {
        key: "sign-in:audit:all",
        amount: LOGGED_FAILURES_PER_WINDOW - 1,
        windowSeconds: THROTTLE_WINDOW_SECONDS,
      },
    ]);
    await signInFrom("198.51.100.31", "guess");
    await signInFrom("198.51.100.32", "guess");
    const logged = await db.select().from(auditEvents).orderBy(auditEvents.id);
    expect(logged.map((event) => [event.clientAddress, event.details])).toEqual([
      [
        "198.51.100.31",
        expect.objectContaining({
          furtherFailuresFromAnyAddress: expect.stringContaining("not logged"),
        }),
      ],
    ]);
  });
});
