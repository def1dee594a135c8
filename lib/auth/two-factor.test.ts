import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, queryRows } from "@/db/client";
import {
  adminRecoveryCodes,
  adminSessions,
  adminSignInChallenges,
  admins,
  auditEvents,
  organizationSettings,
  rateLimitCounters,
} from "@/db/schema";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto/keyring";
import { adminTotpSecretSealedColumn } from "@/lib/crypto/registry";
import { rotateSealedColumns } from "@/lib/crypto/rotate";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createAdmin, signIn } from "./service";
import { findSessionAdmin } from "./sessions";
import { MAX_CHALLENGE_FAILURES } from "./sign-in-challenges";
import {
  MAX_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT,
  MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR,
} from "./throttle";
import {
  beginTwoFactorEnrolment,
  completeSignInChallenge,
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  getTwoFactorStatus,
  regenerateRecoveryCodes,
  resetTwoFactor,
  type SecondFactorAnswer,
  setTwoFactorRequirement,
} from "./two-factor";

const PASSWORD = "correct horse battery staple";
const keyringV1 = parseKeyring(generateKeyEntry(1));
const meta = { clientAddress: "203.0.113.7", userAgent: "vitest" };
const signInContext = { ...meta, sessionHours: 8, sessionIdleMinutes: 30 };
const confirmContext = { clientAddress: meta.clientAddress, idleMinutes: 30 };
/** The session that opened the set-up page; confirming must come from the same one. */
const SETUP_SESSION = "ses_setup";
const PERIOD_MS = 30_000;

/** The code an authenticator app shows `offset` steps from now (as the test's clock says). */
function codeAt(secret: string, offset = 0): string {
  const step = Math.floor(Date.now() / PERIOD_MS) + offset;
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    timestamp: step * PERIOD_MS + PERIOD_MS / 2,
  });
}

/**
 * Steps are counted on the database's clock, codes here on the test's: when a step is about to
 * end, wait for the next one, so both agree on which step is "now" for the rest of the test.
 */
async function awayFromStepBoundary(): Promise<void> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

describe.each(testDrivers)("two-factor sign-in on %s", (driver) => {
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
    await db.update(organizationSettings).set({ requireTwoFactor: false });
  });

  async function newOwner(email = "owner@example.com") {
    const created = await createAdmin(
      handle.db,
      { email, password: PASSWORD, role: "owner" },
      { actor: { type: "system", label: "test" }, via: "cli", firstOnly: false },
    );
    if (!created.ok) throw new Error(created.error);
    return { id: created.admin.id, email: created.admin.email, sessionId: SETUP_SESSION };
  }

  /** An owner with TOTP on; its secret and recovery codes, as the set-up pages showed them. */
  async function enrolledOwner(email = "owner@example.com", keyring = keyringV1) {
    const admin = await newOwner(email);
    const begun = await beginTwoFactorEnrolment(handle.db, keyring, admin);
    if (!begun.ok) throw new Error(begun.error);
    await awayFromStepBoundary();
    const secret = begun.enrolment.secret;
    const confirmed = await confirmTwoFactorEnrolment(
      handle.db,
      keyring,
      admin,
      { code: codeAt(secret), password: PASSWORD },
      confirmContext,
    );
    if (!confirmed.ok) throw new Error(confirmed.error);
    // As if enrolled long ago: the enrolment's own code does not block this test's codes.
    await handle.db.update(admins).set({ totpLastStep: null }).where(eq(admins.id, admin.id));
    return { admin, secret, recoveryCodes: confirmed.recoveryCodes };
  }

  async function challengeFor(email = "owner@example.com", clientAddress = meta.clientAddress) {
    const result = await signIn(
      handle.db,
      { email, password: PASSWORD },
      { ...signInContext, clientAddress },
    );
    if (result.ok || result.error !== "second_factor_required") {
      throw new Error(`Expected a challenge, got ${JSON.stringify(result)}`);
    }
    return result.challengeToken;
  }

  function answer(
    challengeToken: string,
    given: SecondFactorAnswer,
    keyring = keyringV1,
    clientAddress = meta.clientAddress,
  ) {
    return completeSignInChallenge(
      handle.db,
      keyring,
      { challengeToken, answer: given },
      { ...signInContext, clientAddress },
    );
  }

  async function auditActions(): Promise<string[]> {
    const rows = await handle.db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .orderBy(auditEvents.occurredAt);
    return rows.map((row) => row.action);
  }

  it("enrols: a pending secret signs nobody in, a wrong code is refused, the right one enables it", async () => {
    const { db } = handle;
    const admin = await newOwner();
    const begun = await beginTwoFactorEnrolment(db, keyringV1, admin);
    if (!begun.ok) throw new Error(begun.error);
    const { uri, secret, qrCodeSvg } = begun.enrolment;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes in base32
    expect(uri).toMatch(/^otpauth:\/\/totp\/Authdesk:owner%40example\.com\?/);
    expect(new URL(uri).searchParams.get("issuer")).toBe("Authdesk");
    expect(new URL(uri).searchParams.get("secret")).toBe(secret);
    expect(qrCodeSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    const [pending] = await db.select().from(admins).where(eq(admins.id, admin.id));
    expect(pending?.totpEnabledAt).toBeNull();
    expect(pending?.totpSecretSealed).toMatch(/^ad1\.1\./);
    expect(pending?.totpSecretSealed).not.toContain(secret);
    // A reload of the set-up page shows the same secret, so a scanned QR code stays valid.
    const again = await beginTwoFactorEnrolment(db, keyringV1, admin);
    expect(again.ok && again.enrolment.secret).toBe(secret);
    // While pending, the password alone still signs in: two-factor is not on yet.
    const beforeConfirming = await signIn(
      db,
      { email: admin.email, password: PASSWORD },
      signInContext,
    );
    expect(beforeConfirming.ok).toBe(true);

    await awayFromStepBoundary();
    const wrongCode = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, "0");
    expect(
      await confirmTwoFactorEnrolment(
        db,
        keyringV1,
        admin,
        { code: wrongCode, password: PASSWORD },
        confirmContext,
      ),
    ).toEqual({
      ok: false,
      error: "wrong_code",
    });
    expect((await getTwoFactorStatus(db, admin.id)).enabled).toBe(false);

    const confirmed = await confirmTwoFactorEnrolment(
      db,
      keyringV1,
      admin,
      { code: codeAt(secret), password: PASSWORD },
      confirmContext,
    );
    if (!confirmed.ok) throw new Error(confirmed.error);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    for (const code of confirmed.recoveryCodes) {
      // 16 characters of base32: 80 bits, in four groups of four for reading.
      expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    }
    const status = await getTwoFactorStatus(db, admin.id);
    expect(status).toMatchObject({ enabled: true, recoveryCodesLeft: 10, required: false });
    expect(status.enabledAt).toBeInstanceOf(Date);

    // Stored hashed: the SHA-256 of each code, and nowhere the code itself.
    const stored = await db.select().from(adminRecoveryCodes);
    const expectedHashes = confirmed.recoveryCodes.map((code) =>
      createHash("sha256").update(code.replaceAll("-", "")).digest("hex"),
    );
    expect(stored.map((row) => row.codeHash).sort()).toEqual(expectedHashes.sort());
    const table = JSON.stringify(stored);
    for (const code of confirmed.recoveryCodes) {
      expect(table).not.toContain(code);
      expect(table).not.toContain(code.replaceAll("-", ""));
    }

    // The codes are returned once: enrolling again is refused instead of showing new ones.
    expect(
      await confirmTwoFactorEnrolment(
        db,
        keyringV1,
        admin,
        { code: codeAt(secret), password: PASSWORD },
        confirmContext,
      ),
    ).toEqual({
      ok: false,
      error: "already_enabled",
    });
    expect(await beginTwoFactorEnrolment(db, keyringV1, admin)).toEqual({
      ok: false,
      error: "already_enabled",
    });
    expect(await auditActions()).toEqual([
      "admin.created",
      "admin.signed_in",
      "admin.two_factor_enabled",
    ]);
  });

  it("turns on only with the password, from the session that began, and ends every other session", async () => {
    const { db } = handle;
    const admin = await newOwner();
    const elsewhere = await signIn(db, { email: admin.email, password: PASSWORD }, signInContext);
    if (!elsewhere.ok) throw new Error(elsewhere.error);
    const begun = await beginTwoFactorEnrolment(db, keyringV1, admin);
    if (!begun.ok) throw new Error(begun.error);
    const { secret } = begun.enrolment;
    await awayFromStepBoundary();

    // A session that only borrowed the cookie cannot enrol an app of its own.
    expect(
      await confirmTwoFactorEnrolment(
        db,
        keyringV1,
        admin,
        { code: codeAt(secret), password: "not the password at all" },
        confirmContext,
      ),
    ).toEqual({ ok: false, error: "wrong_password" });
    // Another session that starts set-up gets a new secret, and the first one is void.
    const other = { ...admin, sessionId: "ses_other" };
    const begunElsewhere = await beginTwoFactorEnrolment(db, keyringV1, other);
    expect(begunElsewhere.ok && begunElsewhere.enrolment.secret).not.toBe(secret);
    expect(
      await confirmTwoFactorEnrolment(
        db,
        keyringV1,
        admin,
        { code: codeAt(secret), password: PASSWORD },
        confirmContext,
      ),
    ).toEqual({ ok: false, error: "not_started" });
    expect((await getTwoFactorStatus(db, admin.id)).enabled).toBe(false);

    // Back in the first session: a new secret, confirmed with the password.
    const again = await beginTwoFactorEnrolment(db, keyringV1, admin);
    if (!again.ok) throw new Error(again.error);
    await awayFromStepBoundary();
    const confirmed = await confirmTwoFactorEnrolment(
      db,
      keyringV1,
      admin,
      { code: codeAt(again.enrolment.secret), password: PASSWORD },
      confirmContext,
    );
    expect(confirmed).toMatchObject({ ok: true, otherSessionsEnded: 1 });
    // The session opened with the password alone is over.
    expect(await findSessionAdmin(db, elsewhere.token, { idleMinutes: 30 })).toBeNull();
  });

  it("gives no session for the password alone; the right code then signs in", async () => {
    const { db } = handle;
    const { admin, secret } = await enrolledOwner();
    const sessionsBefore = await db.select().from(adminSessions);
    const result = await signIn(db, { email: admin.email, password: PASSWORD }, signInContext);
    expect(result).toMatchObject({ ok: false, error: "second_factor_required" });
    expect(result).not.toHaveProperty("token");
    expect(await db.select().from(adminSessions)).toEqual(sessionsBefore);
    if (result.ok || result.error !== "second_factor_required") throw new Error("no challenge");

    // The table holds the SHA-256 of the cookie's token, never the token.
    const [challenge] = await db.select().from(adminSignInChallenges);
    expect(challenge?.tokenHash).toBe(
      createHash("sha256").update(result.challengeToken).digest("hex"),
    );
    const [lifetime] = await queryRows<{ seconds: number }>(
      db,
      sql`select extract(epoch from expires_at - now())::int as seconds from admin_sign_in_challenges`,
    );
    const seconds = lifetime?.seconds;
    expect(seconds).toBeGreaterThan(290);
    expect(seconds).toBeLessThanOrEqual(300);

    await awayFromStepBoundary();
    const signedIn = await answer(result.challengeToken, { type: "totp", code: codeAt(secret) });
    if (!signedIn.ok) throw new Error(signedIn.error);
    expect(await findSessionAdmin(db, signedIn.token, { idleMinutes: 30 })).toMatchObject({
      id: admin.id,
      twoFactorEnabled: true,
    });
    expect(await db.select().from(adminSignInChallenges)).toEqual([]);
    const [row] = await db.select().from(admins).where(eq(admins.id, admin.id));
    expect(row?.lastSignedInAt).toBeInstanceOf(Date);
    const [signedInEvent] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "admin.signed_in"));
    expect(signedInEvent?.details).toEqual({ secondFactor: "totp" });
  });

  it("refuses the same code a second time, and any code of an earlier step", async () => {
    const { admin, secret } = await enrolledOwner();
    await awayFromStepBoundary();
    const code = codeAt(secret);
    const first = await answer(await challengeFor(admin.email), { type: "totp", code });
    expect(first.ok).toBe(true);
    const replay = await answer(await challengeFor(admin.email), { type: "totp", code });
    expect(replay).toEqual({ ok: false, error: "wrong_answer", attemptsLeft: 4 });
    const earlier = await answer(await challengeFor(admin.email), {
      type: "totp",
      code: codeAt(secret, -1),
    });
    expect(earlier).toMatchObject({ ok: false, error: "wrong_answer" });
  });

  it("accepts codes one step either side of now, and none further", async () => {
    const { admin, secret } = await enrolledOwner();
    await awayFromStepBoundary();
    const token = await challengeFor(admin.email);
    expect(await answer(token, { type: "totp", code: codeAt(secret, -2) })).toMatchObject({
      error: "wrong_answer",
    });
    expect(await answer(token, { type: "totp", code: codeAt(secret, 2) })).toMatchObject({
      error: "wrong_answer",
    });
    expect((await answer(token, { type: "totp", code: codeAt(secret, -1) })).ok).toBe(true);
    // The step after now is in the window too (and later than the one just accepted).
    const later = await answer(await challengeFor(admin.email), {
      type: "totp",
      code: codeAt(secret, 1),
    });
    expect(later.ok).toBe(true);
  });

  it("accepts a recovery code once, however it is typed, and says how many are left", async () => {
    const { db } = handle;
    const { admin, recoveryCodes } = await enrolledOwner();
    const code = recoveryCodes[3] as string;
    const typed = ` ${code.toUpperCase().replaceAll("-", " ")} `;
    const first = await answer(await challengeFor(admin.email), {
      type: "recovery_code",
      code: typed,
    });
    expect(first.ok).toBe(true);
    const again = await answer(await challengeFor(admin.email), { type: "recovery_code", code });
    expect(again).toMatchObject({ ok: false, error: "wrong_answer" });
    expect((await getTwoFactorStatus(db, admin.id)).recoveryCodesLeft).toBe(9);
    const events = await db.select().from(auditEvents);
    expect(events.find((event) => event.action === "admin.recovery_code_used")?.details).toEqual({
      remaining: 9,
    });
    expect(events.find((event) => event.action === "admin.signed_in")?.details).toEqual({
      secondFactor: "recovery_code",
    });
  });

  it("accepts a recovery code once even when two sign-ins use it at the same time", async () => {
    const { admin, recoveryCodes } = await enrolledOwner();
    const code = recoveryCodes[0] as string;
    const tokens = [
      await challengeFor(admin.email, "203.0.113.8"),
      await challengeFor(admin.email, "203.0.113.9"),
    ];
    const results = await Promise.all([
      answer(tokens[0] as string, { type: "recovery_code", code }, keyringV1, "203.0.113.8"),
      answer(tokens[1] as string, { type: "recovery_code", code }, keyringV1, "203.0.113.9"),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.find((result) => !result.ok)).toMatchObject({ error: "wrong_answer" });
    expect((await getTwoFactorStatus(handle.db, admin.id)).recoveryCodesLeft).toBe(9);
  });

  it("ends the challenge after 5 wrong answers, and throttles the account and address", async () => {
    const { db } = handle;
    const { admin, secret } = await enrolledOwner();
    await awayFromStepBoundary();
    const wrong = String((Number(codeAt(secret)) + 500_000) % 1_000_000).padStart(6, "0");
    const token = await challengeFor(admin.email);
    for (let attempt = 1; attempt < MAX_CHALLENGE_FAILURES; attempt++) {
      expect(await answer(token, { type: "totp", code: wrong })).toEqual({
        ok: false,
        error: "wrong_answer",
        attemptsLeft: MAX_CHALLENGE_FAILURES - attempt,
      });
    }
    expect(await answer(token, { type: "totp", code: wrong })).toEqual({
      ok: false,
      error: "challenge_ended",
    });
    expect(await db.select().from(adminSignInChallenges)).toEqual([]);
    // The right code cannot revive it: back to the password.
    expect(await answer(token, { type: "totp", code: codeAt(secret) })).toEqual({
      ok: false,
      error: "challenge_ended",
    });
    const failures = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "admin.second_factor_failed"));
    expect(failures).toHaveLength(MAX_CHALLENGE_FAILURES);
    expect(failures.map((event) => event.details)).toContainEqual({
      factor: "totp",
      attempt: MAX_CHALLENGE_FAILURES,
      challengeEnded: true,
    });
    // A new challenge from the same address is throttled; another address may still answer.
    const fresh = await challengeFor(admin.email);
    expect(await answer(fresh, { type: "totp", code: codeAt(secret) })).toMatchObject({
      ok: false,
      error: "throttled",
    });
    const elsewhere = await challengeFor(admin.email, "198.51.100.4");
    const signedIn = await answer(
      elsewhere,
      { type: "totp", code: codeAt(secret) },
      keyringV1,
      "198.51.100.4",
    );
    expect(signedIn.ok).toBe(true);
  });

  it("caps wrong answers per account across addresses: the password and many addresses do not make a code guessable", async () => {
    const { admin, secret } = await enrolledOwner();
    await awayFromStepBoundary();
    const wrong = String((Number(codeAt(secret)) + 500_000) % 1_000_000).padStart(6, "0");
    const addresses = MAX_SECOND_FACTOR_ATTEMPTS_PER_ACCOUNT / MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR;
    for (let index = 0; index < addresses; index++) {
      const address = `198.51.100.${10 + index}`;
      const token = await challengeFor(admin.email, address);
      for (let attempt = 0; attempt < MAX_SECOND_FACTOR_ATTEMPTS_PER_PAIR; attempt++) {
        const result = await answer(token, { type: "totp", code: wrong }, keyringV1, address);
        expect(result).toMatchObject({ ok: false });
        expect(result).not.toMatchObject({ error: "throttled" });
      }
    }
    // A fresh address, the right code: the account has had its share of guesses this window.
    const fresh = await challengeFor(admin.email, "203.0.113.77");
    expect(
      await answer(fresh, { type: "totp", code: codeAt(secret) }, keyringV1, "203.0.113.77"),
    ).toMatchObject({ ok: false, error: "throttled" });
  });

  it("refuses an expired challenge, as the database's clock says", async () => {
    const { db } = handle;
    const { admin, secret } = await enrolledOwner();
    const token = await challengeFor(admin.email);
    await db
      .update(adminSignInChallenges)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(adminSignInChallenges.adminId, admin.id));
    await awayFromStepBoundary();
    expect(await answer(token, { type: "totp", code: codeAt(secret) })).toEqual({
      ok: false,
      error: "challenge_ended",
    });
    expect(await db.select().from(adminSessions)).toEqual([]);
  });

  it("turns two-factor off only with the password, and not while the organisation requires it", async () => {
    const { db } = handle;
    const { admin } = await enrolledOwner();
    expect(await disableTwoFactor(db, admin, "not the password", meta)).toEqual({
      ok: false,
      error: "wrong_password",
    });
    expect((await getTwoFactorStatus(db, admin.id)).enabled).toBe(true);

    const owner = { actor: { type: "admin" as const, ...admin, label: admin.email }, ...meta };
    expect(await setTwoFactorRequirement(db, true, owner)).toMatchObject({ ok: true });
    expect(await disableTwoFactor(db, admin, PASSWORD, meta)).toEqual({
      ok: false,
      error: "required_by_organisation",
    });
    expect(await setTwoFactorRequirement(db, false, owner)).toMatchObject({ ok: true });

    expect(await disableTwoFactor(db, admin, PASSWORD, meta)).toEqual({ ok: true });
    const [row] = await db.select().from(admins).where(eq(admins.id, admin.id));
    expect(row).toMatchObject({ totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null });
    expect(await db.select().from(adminRecoveryCodes)).toEqual([]);
    // Back to one factor: the password signs in again.
    const result = await signIn(db, { email: admin.email, password: PASSWORD }, signInContext);
    expect(result.ok).toBe(true);
    expect(await auditActions()).toContain("admin.two_factor_disabled");
  });

  it("regenerates recovery codes only with the password; the old ones stop working", async () => {
    const { db } = handle;
    const { admin, recoveryCodes } = await enrolledOwner();
    expect(await regenerateRecoveryCodes(db, admin, "not the password", meta)).toEqual({
      ok: false,
      error: "wrong_password",
    });
    const regenerated = await regenerateRecoveryCodes(db, admin, PASSWORD, meta);
    if (!regenerated.ok) throw new Error(regenerated.error);
    expect(regenerated.recoveryCodes).toHaveLength(10);
    expect(regenerated.recoveryCodes).not.toContain(recoveryCodes[0]);
    const old = await answer(await challengeFor(admin.email), {
      type: "recovery_code",
      code: recoveryCodes[0] as string,
    });
    expect(old).toMatchObject({ ok: false, error: "wrong_answer" });
    const fresh = await answer(await challengeFor(admin.email), {
      type: "recovery_code",
      code: regenerated.recoveryCodes[0] as string,
    });
    expect(fresh.ok).toBe(true);
    expect(await auditActions()).toContain("admin.recovery_codes_regenerated");
  });

  it("lets an owner require two-factor only once their own is on", async () => {
    const { db } = handle;
    const admin = await newOwner();
    const context = {
      actor: { type: "admin" as const, id: admin.id, label: admin.email },
      ...meta,
    };
    expect(await setTwoFactorRequirement(db, true, context)).toEqual({
      ok: false,
      error: "own_two_factor_missing",
    });
    expect((await getTwoFactorStatus(db, admin.id)).required).toBe(false);

    const { admin: enrolled } = await enrolledOwner("second@example.com");
    const enrolledContext = { ...context, actor: { ...context.actor, ...enrolled } };
    expect(await setTwoFactorRequirement(db, true, enrolledContext)).toEqual({
      ok: true,
      changed: true,
      required: true,
    });
    expect(await setTwoFactorRequirement(db, true, enrolledContext)).toMatchObject({
      changed: false,
    });
    expect((await getTwoFactorStatus(db, admin.id)).required).toBe(true);
    const changes = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "settings.two_factor_requirement_changed"));
    expect(changes.map((event) => event.details)).toEqual([{ required: true }]);
  });

  it("resets an admin's two-factor from the server and ends their sessions", async () => {
    const { db } = handle;
    const { admin, secret } = await enrolledOwner();
    await awayFromStepBoundary();
    const signedIn = await answer(await challengeFor(admin.email), {
      type: "totp",
      code: codeAt(secret),
    });
    expect(signedIn.ok).toBe(true);
    const pending = await challengeFor(admin.email);
    const actor = { type: "system" as const, label: "admin:create" };

    expect(await resetTwoFactor(db, "nobody@example.com", actor)).toEqual({
      ok: false,
      error: "admin_not_found",
    });
    const reset = await resetTwoFactor(db, "OWNER@example.com", actor);
    expect(reset).toEqual({
      ok: true,
      admin: { id: admin.id, email: admin.email },
      sessionsEnded: 1,
    });
    expect(await db.select().from(adminSessions)).toEqual([]);
    expect(await db.select().from(adminRecoveryCodes)).toEqual([]);
    expect(await answer(pending, { type: "totp", code: codeAt(secret, 1) })).toEqual({
      ok: false,
      error: "challenge_ended",
    });
    expect(await resetTwoFactor(db, admin.email, actor)).toEqual({
      ok: false,
      error: "not_enabled",
    });
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "admin.two_factor_reset"));
    expect(event).toMatchObject({ actorType: "system", actorLabel: "admin:create" });
  });

  it("still verifies an enrolled secret after keys:rotate re-seals it under a new key", async () => {
    const { db } = handle;
    const v1 = generateKeyEntry(1);
    const v2 = generateKeyEntry(2);
    const { admin, secret } = await enrolledOwner("rotated@example.com", parseKeyring(v1));
    const rotated = await rotateSealedColumns(db, parseKeyring(`${v1}\n${v2}`), [
      adminTotpSecretSealedColumn,
    ]);
    expect(rotated).toEqual([{ table: "admins", column: "totp_secret_sealed", reencrypted: 1 }]);
    const [row] = await db.select().from(admins).where(eq(admins.id, admin.id));
    expect(row?.totpSecretSealed).toMatch(/^ad1\.2\./);
    await awayFromStepBoundary();
    // Only the new key is left: the re-sealed secret still opens, bound to the same row.
    const signedIn = await answer(
      await challengeFor(admin.email),
      { type: "totp", code: codeAt(secret) },
      parseKeyring(v2),
    );
    expect(signedIn.ok).toBe(true);
  });

  it("never writes the secret or a recovery code into the audit log", async () => {
    const { db } = handle;
    const { admin, secret, recoveryCodes } = await enrolledOwner();
    await awayFromStepBoundary();
    const code = codeAt(secret);
    await answer(await challengeFor(admin.email), { type: "totp", code: "000000" });
    await answer(await challengeFor(admin.email), { type: "totp", code });
    await answer(await challengeFor(admin.email), {
      type: "recovery_code",
      code: recoveryCodes[1] as string,
    });
    await answer(await challengeFor(admin.email), { type: "recovery_code", code: "zzzz-zzzz" });
    const regenerated = await regenerateRecoveryCodes(db, admin, PASSWORD, meta);
    if (!regenerated.ok) throw new Error(regenerated.error);
    await disableTwoFactor(db, admin, PASSWORD, meta);

    const log = JSON.stringify(await db.select().from(auditEvents));
    expect(log).toContain("admin.two_factor_enabled");
    expect(log).toContain("admin.recovery_code_used");
    expect(log).toContain("admin.second_factor_failed");
    for (const value of [secret, secret.toLowerCase(), code, PASSWORD]) {
      expect(log).not.toContain(value);
    }
    for (const recovery of [...recoveryCodes, ...regenerated.recoveryCodes]) {
      expect(log).not.toContain(recovery);
      expect(log).not.toContain(recovery.replaceAll("-", ""));
    }
  });
});
