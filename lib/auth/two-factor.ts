import "server-only";
import { randomBytes } from "node:crypto";
import { and, count, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { toString as qrCodeToString } from "qrcode";
import { type Database, type Executor, queryRows } from "@/db/client";
import {
  adminRecoveryCodes,
  adminSessions,
  adminSignInChallenges,
  admins,
  organizationSettings,
} from "@/db/schema";
import { type AuditActor, type ChangeContext, recordAudit } from "@/lib/audit/service";
import { hashToken } from "@/lib/auth/tokens";
import type { Keyring } from "@/lib/crypto/keyring";
import { adminTotpSecretSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import { open, seal } from "@/lib/crypto/seal";
import { verifyPassword } from "./password";
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from "./recovery-codes";
import {
  type RequestMeta,
  type SessionLifetimes,
  startSignedInSession,
  UNVERIFIED_SIGN_IN,
} from "./service";
import { type AdminIdentity, endSessions } from "./sessions";
import { MAX_CHALLENGE_FAILURES } from "./sign-in-challenges";
import {
  releaseSecondFactorAttempt,
  releaseSignInAttempt,
  reserveSecondFactorAttempt,
  reserveSignInAttempt,
} from "./throttle";

/*
 * Two-factor sign-in with TOTP (RFC 6238) and one-time recovery codes; docs/two-factor.md
 * explains the choices. The shared secret is sealed like every secret we must read back
 * (lib/crypto/registry.ts), so keys:rotate re-seals it. Every time is the database's clock, so
 * app instances whose clocks drift agree on which code is current.
 */

/**
 * What authenticator apps implement (Google Authenticator ignores anything else): HMAC-SHA-1,
 * 6 digits, 30-second steps. One step either side absorbs clock drift and a code typed as it
 * changes; RFC 6238 §5.2 recommends at most one.
 */
export const TOTP_PARAMETERS = {
  issuer: "Authdesk",
  algorithm: "SHA1",
  digits: 6,
  period: 30,
} as const;
export const TOTP_WINDOW = 1;
const SECRET_BYTES = 20;

const SIX_DIGITS = /^\d{6}$/;

function totpFor(secretBase32: string, label = ""): TOTP {
  return new TOTP({ ...TOTP_PARAMETERS, label, secret: Secret.fromBase32(secretBase32) });
}

function secretBinding(adminId: string) {
  return sealBindingFor(adminTotpSecretSealedColumn, adminId);
}

async function databaseNowMs(executor: Executor): Promise<number> {
  const [row] = await queryRows<{ ms: number }>(
    executor,
    sql`select (extract(epoch from now()) * 1000)::float8 as ms`,
  );
  if (!row) throw new Error("The database did not say what time it is");
  return Number(row.ms);
}

/** The time step `code` belongs to, within the window around now, or null when it matches none. */
function matchingStep(secretBase32: string, code: string, nowMs: number): number | null {
  const trimmed = code.replace(/\s/g, "");
  if (!SIX_DIGITS.test(trimmed)) return null;
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token: trimmed, timestamp: nowMs, window: TOTP_WINDOW });
  if (delta === null) return null;
  return totp.counter({ timestamp: nowMs }) + delta;
}

function actorOf(admin: AdminIdentity): Extract<AuditActor, { type: "admin" }> {
  return { type: "admin", id: admin.id, label: admin.email };
}

// ---------------------------------------------------------------------------------------------
// Status

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** Unused recovery codes; 0 when two-factor is off. */
  recoveryCodesLeft: number;
  /** Whether the organisation requires two-factor sign-in of every admin. */
  required: boolean;
}

export async function getTwoFactorStatus(
  executor: Executor,
  adminId: string,
): Promise<TwoFactorStatus> {
  const [row] = await executor
    .select({ enabledAt: admins.totpEnabledAt })
    .from(admins)
    .where(eq(admins.id, adminId));
  const [codes] = await executor
    .select({ left: count() })
    .from(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.adminId, adminId), isNull(adminRecoveryCodes.usedAt)));
  const enabledAt = row?.enabledAt ?? null;
  return {
    enabled: enabledAt !== null,
    enabledAt,
    recoveryCodesLeft: enabledAt ? (codes?.left ?? 0) : 0,
    required: await isTwoFactorRequired(executor),
  };
}

export async function isTwoFactorRequired(executor: Executor): Promise<boolean> {
  const [row] = await executor
    .select({ required: organizationSettings.requireTwoFactor })
    .from(organizationSettings)
    .where(eq(organizationSettings.id, 1));
  return row?.required ?? false;
}

// ---------------------------------------------------------------------------------------------
// Enrolment

export interface TwoFactorEnrolment {
  /** The otpauth:// URI authenticator apps read from the QR code. */
  uri: string;
  /** The same secret in base32, for typing into an app by hand. */
  secret: string;
  /** The URI as a QR code, an SVG document. */
  qrCodeSvg: string;
}

export type BeginEnrolmentResult =
  | { ok: true; enrolment: TwoFactorEnrolment }
  | { ok: false; error: "already_enabled" | "admin_not_found" };

type PendingSecret =
  | { ok: true; base32: string }
  | { ok: false; error: "already_enabled" | "admin_not_found" };

/**
 * Starts setting up TOTP: a random 20-byte secret (RFC 4226's recommended length), sealed into
 * the admin's row while `totp_enabled_at` stays null, so it signs nobody in until a code proves
 * the app has it. The same session is shown its pending secret again (reloading the set-up page
 * must not invalidate the QR code just scanned); any other session gets a new one, so a secret
 * someone else once saw on a borrowed session is never the one enrolled.
 */
export async function beginTwoFactorEnrolment(
  db: Database,
  keyring: Keyring,
  admin: AdminIdentity & { sessionId: string },
): Promise<BeginEnrolmentResult> {
  const pending = await db.transaction(async (tx): Promise<PendingSecret> => {
    const [row] = await tx
      .select({
        enabledAt: admins.totpEnabledAt,
        sealed: admins.totpSecretSealed,
        pendingSessionId: admins.totpPendingSessionId,
      })
      .from(admins)
      .where(eq(admins.id, admin.id))
      .for("update");
    if (!row) return { ok: false, error: "admin_not_found" };
    if (row.enabledAt) return { ok: false, error: "already_enabled" };
    if (row.sealed && row.pendingSessionId === admin.sessionId) {
      return { ok: true, base32: open(keyring, row.sealed, secretBinding(admin.id)) };
    }
    const base32 = new Secret({ buffer: new Uint8Array(randomBytes(SECRET_BYTES)).buffer }).base32;
    await tx
      .update(admins)
      .set({
        totpSecretSealed: seal(keyring, base32, secretBinding(admin.id)),
        totpPendingSessionId: admin.sessionId,
        totpLastStep: null,
      })
      .where(eq(admins.id, admin.id));
    return { ok: true, base32 };
  });
  if (!pending.ok) return pending;
  const uri = totpFor(pending.base32, admin.email).toString();
  const qrCodeSvg = await qrCodeToString(uri, {
    type: "svg",
    margin: 1,
    errorCorrectionLevel: "M",
  });
  return { ok: true, enrolment: { uri, secret: pending.base32, qrCodeSvg } };
}

export type ConfirmEnrolmentResult =
  | { ok: true; recoveryCodes: string[]; otherSessionsEnded: number }
  | { ok: false; error: "wrong_code" | "wrong_password" | "not_started" | "already_enabled" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

/**
 * Turns two-factor on once the password and a code from the app (for the secret this session
 * was shown) are right, and returns the recovery codes: the only time anyone sees them (the table
 * keeps their SHA-256). The password keeps a stolen session from enrolling its own app and
 * locking the admin out. Every other session ends, with any sign-in waiting for a code: they
 * were opened with the password alone, which two-factor is now there to distrust.
 */
export async function confirmTwoFactorEnrolment(
  db: Database,
  keyring: Keyring,
  admin: AdminIdentity & { sessionId: string },
  answer: { code: string; password: string },
  context: { clientAddress: string | null; idleMinutes: number },
): Promise<ConfirmEnrolmentResult> {
  const password = await checkPassword(db, admin, answer.password, context.clientAddress);
  if (!password.ok) return password;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        enabledAt: admins.totpEnabledAt,
        sealed: admins.totpSecretSealed,
        pendingSessionId: admins.totpPendingSessionId,
      })
      .from(admins)
      .where(eq(admins.id, admin.id))
      .for("update");
    if (row?.enabledAt) return { ok: false, error: "already_enabled" } as const;
    if (!row?.sealed || row.pendingSessionId !== admin.sessionId) {
      return { ok: false, error: "not_started" } as const;
    }
    const secret = open(keyring, row.sealed, secretBinding(admin.id));
    const step = matchingStep(secret, answer.code, await databaseNowMs(tx));
    if (step === null) return { ok: false, error: "wrong_code" } as const;
    await tx
      .update(admins)
      .set({ totpEnabledAt: sql`now()`, totpLastStep: step, totpPendingSessionId: null })
      .where(eq(admins.id, admin.id));
    const recoveryCodes = await replaceRecoveryCodes(tx, admin.id);
    const otherSessionsEnded = await endSessions(tx, admin.id, {
      except: admin.sessionId,
      idleMinutes: context.idleMinutes,
    });
    await recordAudit(tx, {
      actor: actorOf(admin),
      action: "admin.two_factor_enabled",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
      details: { method: "totp", recoveryCodes: recoveryCodes.length, otherSessionsEnded },
    });
    return { ok: true, recoveryCodes, otherSessionsEnded } as const;
  });
}

async function replaceRecoveryCodes(executor: Executor, adminId: string): Promise<string[]> {
  await executor.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, adminId));
  const codes = generateRecoveryCodes();
  await executor.insert(adminRecoveryCodes).values(
    codes.map((code) => ({
      adminId,
      codeHash: hashRecoveryCode(normaliseRecoveryCode(code) ?? code),
    })),
  );
  return codes;
}

// ---------------------------------------------------------------------------------------------
// Changes that need the password again

type PasswordCheck =
  | { ok: true; enabled: boolean }
  | { ok: false; error: "wrong_password" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

/**
 * A signed-in session alone must not be enough to weaken the account, so these changes ask for
 * the password again. Wrong passwords count against the sign-in throttle: a stolen session
 * cannot be used to guess it faster than the sign-in page allows.
 */
async function checkPassword(
  db: Database,
  admin: AdminIdentity,
  password: string,
  clientAddress: string | null,
): Promise<PasswordCheck> {
  const attempt = await reserveSignInAttempt(db, {
    email: admin.email.toLowerCase(),
    clientAddress,
  });
  if (!attempt.allowed) {
    return { ok: false, error: "throttled", retryAfterSeconds: attempt.retryAfterSeconds };
  }
  const [row] = await db
    .select({ passwordHash: admins.passwordHash, enabledAt: admins.totpEnabledAt })
    .from(admins)
    .where(eq(admins.id, admin.id));
  if (!row || !(await verifyPassword(password, row.passwordHash))) {
    return { ok: false, error: "wrong_password" };
  }
  await releaseSignInAttempt(db, attempt.keys);
  return { ok: true, enabled: row.enabledAt !== null };
}

export type DisableTwoFactorResult =
  | { ok: true }
  | { ok: false; error: "wrong_password" | "not_enabled" | "required_by_organisation" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

export async function disableTwoFactor(
  db: Database,
  admin: AdminIdentity,
  password: string,
  context: { clientAddress: string | null },
): Promise<DisableTwoFactorResult> {
  const checked = await checkPassword(db, admin, password, context.clientAddress);
  if (!checked.ok) return checked;
  if (!checked.enabled) return { ok: false, error: "not_enabled" };
  return db.transaction(async (tx) => {
    // Read inside the transaction that turns it off, after locking the settings row, so an owner
    // switching the requirement on at the same moment cannot be overtaken.
    const [settings] = await tx
      .select({ required: organizationSettings.requireTwoFactor })
      .from(organizationSettings)
      .where(eq(organizationSettings.id, 1))
      .for("update");
    if (settings?.required) return { ok: false, error: "required_by_organisation" } as const;
    const turnedOff = await turnOffTwoFactor(tx, admin.id);
    if (!turnedOff) return { ok: false, error: "not_enabled" } as const;
    await recordAudit(tx, {
      actor: actorOf(admin),
      action: "admin.two_factor_disabled",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
    });
    return { ok: true } as const;
  });
}

/** Clears the secret, the recovery codes and pending sign-ins; false when it was not on. */
async function turnOffTwoFactor(executor: Executor, adminId: string): Promise<boolean> {
  const [updated] = await executor
    .update(admins)
    .set({
      totpSecretSealed: null,
      totpEnabledAt: null,
      totpLastStep: null,
      totpPendingSessionId: null,
    })
    .where(and(eq(admins.id, adminId), isNotNull(admins.totpEnabledAt)))
    .returning({ id: admins.id });
  if (!updated) return false;
  await executor.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, adminId));
  await executor.delete(adminSignInChallenges).where(eq(adminSignInChallenges.adminId, adminId));
  return true;
}

export type RegenerateRecoveryCodesResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; error: "wrong_password" | "not_enabled" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

export async function regenerateRecoveryCodes(
  db: Database,
  admin: AdminIdentity,
  password: string,
  context: { clientAddress: string | null },
): Promise<RegenerateRecoveryCodesResult> {
  const checked = await checkPassword(db, admin, password, context.clientAddress);
  if (!checked.ok) return checked;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ enabledAt: admins.totpEnabledAt })
      .from(admins)
      .where(eq(admins.id, admin.id))
      .for("update");
    if (!row?.enabledAt) return { ok: false, error: "not_enabled" } as const;
    const recoveryCodes = await replaceRecoveryCodes(tx, admin.id);
    await recordAudit(tx, {
      actor: actorOf(admin),
      action: "admin.recovery_codes_regenerated",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
      details: { recoveryCodes: recoveryCodes.length },
    });
    return { ok: true, recoveryCodes } as const;
  });
}

// ---------------------------------------------------------------------------------------------
// The organisation's requirement

export type SetTwoFactorRequirementResult =
  | { ok: true; changed: boolean; required: boolean }
  | { ok: false; error: "own_two_factor_missing" };

/**
 * Owners only (the action checks the role). Turning it on needs the owner's own two-factor
 * first, so the owner who requires it is not the first one sent to the set-up page.
 */
export async function setTwoFactorRequirement(
  db: Database,
  required: boolean,
  context: ChangeContext,
): Promise<SetTwoFactorRequirementResult> {
  return db.transaction(async (tx) => {
    // Settings row first, then the owner's, in the same order as disableTwoFactor takes them.
    await tx
      .select({ id: organizationSettings.id })
      .from(organizationSettings)
      .where(eq(organizationSettings.id, 1))
      .for("update");
    if (required) {
      const [owner] = await tx
        .select({ enabledAt: admins.totpEnabledAt })
        .from(admins)
        .where(eq(admins.id, context.actor.id))
        .for("update");
      if (!owner?.enabledAt) return { ok: false, error: "own_two_factor_missing" } as const;
    }
    // The condition makes the update decide whether anything changes (one audit per change).
    const [updated] = await tx
      .update(organizationSettings)
      .set({ requireTwoFactor: required, updatedAt: sql`now()` })
      .where(
        and(
          eq(organizationSettings.id, 1),
          sql`${organizationSettings.requireTwoFactor} <> ${required}`,
        ),
      )
      .returning({ required: organizationSettings.requireTwoFactor });
    if (!updated) return { ok: true, changed: false, required } as const;
    await recordAudit(tx, {
      actor: context.actor,
      action: "settings.two_factor_requirement_changed",
      target: { type: "organization_settings", id: "1" },
      clientAddress: context.clientAddress,
      details: { required },
    });
    return { ok: true, changed: true, required } as const;
  });
}

// ---------------------------------------------------------------------------------------------
// Sign-in, second step

export type SecondFactorAnswer =
  | { type: "totp"; code: string }
  | { type: "recovery_code"; code: string };

export type CompleteSignInResult =
  | { ok: true; admin: AdminIdentity; token: string; expiresAt: Date }
  /** Expired, ended by too many wrong answers, or never existed: back to the password. */
  | { ok: false; error: "challenge_ended" }
  | { ok: false; error: "wrong_answer"; attemptsLeft: number }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

/**
 * Answers the challenge a right password created (lib/auth/service.ts `signIn`): a current
 * TOTP code, or an unused recovery code, creates the session exactly as a sign-in without
 * two-factor does. The challenge row is locked while it is answered, so parallel answers to one
 * challenge are counted one after another; a code's use is a conditional update, so a TOTP step
 * or a recovery code is accepted once even from two challenges at the same time.
 */
export async function completeSignInChallenge(
  db: Database,
  keyring: Keyring,
  input: { challengeToken: string; answer: SecondFactorAnswer },
  context: RequestMeta & SessionLifetimes,
): Promise<CompleteSignInResult> {
  const tokenHash = hashToken(input.challengeToken);
  const [challenge] = await db
    .select({ adminId: adminSignInChallenges.adminId })
    .from(adminSignInChallenges)
    .where(and(eq(adminSignInChallenges.tokenHash, tokenHash), sql`expires_at > now()`));
  if (!challenge) return { ok: false, error: "challenge_ended" };
  const attempt = await reserveSecondFactorAttempt(db, {
    adminId: challenge.adminId,
    clientAddress: context.clientAddress,
  });
  if (!attempt.allowed) {
    return { ok: false, error: "throttled", retryAfterSeconds: attempt.retryAfterSeconds };
  }
  return db.transaction(async (tx) => {
    const [live] = await tx
      .select({ failedAttempts: adminSignInChallenges.failedAttempts })
      .from(adminSignInChallenges)
      .where(and(eq(adminSignInChallenges.tokenHash, tokenHash), sql`expires_at > now()`))
      .for("update");
    const [account] = await tx
      .select({
        id: admins.id,
        email: admins.email,
        sealed: admins.totpSecretSealed,
        enabledAt: admins.totpEnabledAt,
      })
      .from(admins)
      .where(eq(admins.id, challenge.adminId));
    if (!live || !account?.enabledAt || !account.sealed) {
      return { ok: false, error: "challenge_ended" } as const;
    }
    const admin = { id: account.id, email: account.email };
    const accepted =
      input.answer.type === "totp"
        ? await acceptTotpCode(tx, keyring, { ...admin, sealed: account.sealed }, input.answer.code)
        : await spendRecoveryCode(tx, admin.id, input.answer.code);
    if (!accepted) {
      return recordWrongAnswer(tx, { tokenHash, admin, factor: input.answer.type }, context);
    }
    await tx.delete(adminSignInChallenges).where(eq(adminSignInChallenges.tokenHash, tokenHash));
    await releaseSecondFactorAttempt(tx, attempt.keys);
    if (input.answer.type === "recovery_code") {
      await recordAudit(tx, {
        actor: actorOf(admin),
        action: "admin.recovery_code_used",
        target: { type: "admin", id: admin.id },
        clientAddress: context.clientAddress,
        details: { remaining: await unusedRecoveryCodes(tx, admin.id) },
      });
    }
    const session = await startSignedInSession(tx, admin, context, {
      secondFactor: input.answer.type,
    });
    return { ok: true, admin, ...session } as const;
  });
}

/** Accepts a code for a step after the last accepted one, and moves the last step to it. */
async function acceptTotpCode(
  executor: Executor,
  keyring: Keyring,
  account: AdminIdentity & { sealed: string },
  code: string,
): Promise<boolean> {
  const secret = open(keyring, account.sealed, secretBinding(account.id));
  const step = matchingStep(secret, code, await databaseNowMs(executor));
  if (step === null) return false;
  // RFC 6238 §5.2: a code (or an older one) that has already signed someone in is refused.
  const [moved] = await executor
    .update(admins)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(admins.id, account.id),
        or(isNull(admins.totpLastStep), lt(admins.totpLastStep, step)),
      ),
    )
    .returning({ id: admins.id });
  return moved !== undefined;
}

async function spendRecoveryCode(executor: Executor, adminId: string, typed: string) {
  const normalised = normaliseRecoveryCode(typed);
  if (!normalised) return false;
  const [used] = await executor
    .update(adminRecoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(adminRecoveryCodes.adminId, adminId),
        eq(adminRecoveryCodes.codeHash, hashRecoveryCode(normalised)),
        isNull(adminRecoveryCodes.usedAt),
      ),
    )
    .returning({ adminId: adminRecoveryCodes.adminId });
  return used !== undefined;
}

async function unusedRecoveryCodes(executor: Executor, adminId: string): Promise<number> {
  const [row] = await executor
    .select({ left: count() })
    .from(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.adminId, adminId), isNull(adminRecoveryCodes.usedAt)));
  return row?.left ?? 0;
}

/**
 * Counts a wrong answer on the challenge, ending it at the limit. The actor is the anonymous
 * "unverified sign-in", as for wrong passwords: whoever it was has not proved who they are.
 */
async function recordWrongAnswer(
  executor: Executor,
  wrong: { tokenHash: string; admin: AdminIdentity; factor: SecondFactorAnswer["type"] },
  meta: RequestMeta,
): Promise<CompleteSignInResult> {
  const [counted] = await executor
    .update(adminSignInChallenges)
    .set({ failedAttempts: sql`${adminSignInChallenges.failedAttempts} + 1` })
    .where(eq(adminSignInChallenges.tokenHash, wrong.tokenHash))
    .returning({ failedAttempts: adminSignInChallenges.failedAttempts });
  const failures = counted?.failedAttempts ?? MAX_CHALLENGE_FAILURES;
  const ended = failures >= MAX_CHALLENGE_FAILURES;
  if (ended) {
    await executor
      .delete(adminSignInChallenges)
      .where(eq(adminSignInChallenges.tokenHash, wrong.tokenHash));
  }
  await recordAudit(executor, {
    actor: { type: "anonymous", label: UNVERIFIED_SIGN_IN },
    action: "admin.second_factor_failed",
    target: { type: "admin", id: wrong.admin.id },
    clientAddress: meta.clientAddress,
    details: { factor: wrong.factor, attempt: failures, challengeEnded: ended },
  });
  if (ended) return { ok: false, error: "challenge_ended" };
  return { ok: false, error: "wrong_answer", attemptsLeft: MAX_CHALLENGE_FAILURES - failures };
}

// ---------------------------------------------------------------------------------------------
// The server-side reset (npm run admin:create -- --reset-two-factor)

export type ResetTwoFactorResult =
  | { ok: true; admin: AdminIdentity; sessionsEnded: number }
  | { ok: false; error: "admin_not_found" | "not_enabled" };

/**
 * For an admin locked out of their second factor, from a terminal on the server: turns
 * two-factor off and ends the admin's sessions, so whoever might hold the lost device's
 * session is signed out too.
 */
export async function resetTwoFactor(
  db: Database,
  email: string,
  actor: Extract<AuditActor, { type: "system" }>,
): Promise<ResetTwoFactorResult> {
  return db.transaction(async (tx) => {
    const [account] = await tx
      .select({ id: admins.id, email: admins.email })
      .from(admins)
      .where(eq(sql`lower(${admins.email})`, email.toLowerCase()))
      .for("update");
    if (!account) return { ok: false, error: "admin_not_found" } as const;
    if (!(await turnOffTwoFactor(tx, account.id))) {
      return { ok: false, error: "not_enabled" } as const;
    }
    const ended = await tx
      .delete(adminSessions)
      .where(eq(adminSessions.adminId, account.id))
      .returning({ id: adminSessions.id });
    await recordAudit(tx, {
      actor,
      action: "admin.two_factor_reset",
      target: { type: "admin", id: account.id },
      details: { email: account.email, sessionsEnded: ended.length },
    });
    return { ok: true, admin: account, sessionsEnded: ended.length } as const;
  });
}
