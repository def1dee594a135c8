import "server-only";
import { count, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { admins } from "@/db/schema";
import { type AuditActor, recordAudit } from "@/lib/audit/service";
import { newId } from "@/lib/ids";
import { addToCounters } from "@/lib/rate-limit/counter";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./password";
import type { Role } from "./roles";
import { type AdminIdentity, createSession, deleteSession } from "./sessions";
import { createSignInChallenge } from "./sign-in-challenges";
import { releaseSignInAttempt, reserveSignInAttempt, THROTTLE_WINDOW_SECONDS } from "./throttle";

/** The actor of every failed sign-in: whoever it was, they did not prove who they are. */
export const UNVERIFIED_SIGN_IN = "unverified sign-in";

export interface RequestMeta {
  clientAddress: string | null;
  userAgent: string | null;
}

export async function hasAnyAdmin(executor: Executor): Promise<boolean> {
  const [row] = await executor.select({ total: count() }).from(admins);
  return (row?.total ?? 0) > 0;
}

export type CreateAdminResult =
  | { ok: true; admin: AdminIdentity & { role: Role } }
  | { ok: false; error: "email_taken" | "setup_closed" };

/**
 * Creates an admin and its audit event in one transaction. With `firstOnly` (the /setup page)
 * the table is locked while it checks that no admin exists, so two racing set-ups give one admin.
 */
export async function createAdmin(
  db: Database,
  input: { email: string; password: string; role: Role },
  context: {
    actor: AuditActor;
    via: "setup" | "cli" | "invitation";
    firstOnly: boolean;
    meta?: RequestMeta;
  },
): Promise<CreateAdminResult> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    if (context.firstOnly) {
      await tx.execute(sql`lock table ${admins} in share row exclusive mode`);
      if (await hasAnyAdmin(tx)) return { ok: false, error: "setup_closed" } as const;
    }
    return insertAdmin(tx, { email: input.email, passwordHash, role: input.role }, context);
  });
}

/**
 * The admin row and its `admin.created` event, inside the caller's transaction: createAdmin's
 * core, shared with accepting an invitation (lib/admins/service.ts), which must create the admin
 * and use up the invitation together. The password is hashed by the caller, outside any lock.
 */
export async function insertAdmin(
  tx: Executor,
  input: { email: string; passwordHash: string; role: Role },
  context: { actor: AuditActor; via: "setup" | "cli" | "invitation"; meta?: RequestMeta },
): Promise<CreateAdminResult> {
  const [taken] = await tx
    .select({ id: admins.id })
    .from(admins)
    .where(eq(sql`lower(${admins.email})`, input.email.toLowerCase()));
  if (taken) return { ok: false, error: "email_taken" };
  const admin = { id: newId("adm"), email: input.email, role: input.role };
  await tx.insert(admins).values({ ...admin, passwordHash: input.passwordHash });
  await recordAudit(tx, {
    actor: context.actor,
    action: "admin.created",
    target: { type: "admin", id: admin.id },
    clientAddress: context.meta?.clientAddress,
    details: { email: admin.email, role: admin.role, via: context.via },
  });
  return { ok: true, admin };
}

/** How long sessions last (lib/auth/sessions.ts), as the sign-in calls pass them. */
export interface SessionLifetimes {
  sessionHours: number;
  sessionIdleMinutes: number;
}

export type SignInResult =
  | { ok: true; admin: AdminIdentity; token: string; expiresAt: Date }
  | { ok: false; error: "invalid_credentials" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number }
  /**
   * The password was right and the account has two-factor sign-in: no session yet, only a
   * challenge (lib/auth/two-factor.ts) its token answers. Not `ok`, so a caller that only
   * knows the password step can never turn it into a session by mistake.
   */
  | { ok: false; error: "second_factor_required"; challengeToken: string; expiresAt: Date };

export async function signIn(
  db: Database,
  input: { email: string; password: string },
  context: RequestMeta & SessionLifetimes,
): Promise<SignInResult> {
  const email = input.email.toLowerCase();
  const attempt = await reserveSignInAttempt(db, { email, clientAddress: context.clientAddress });
  if (!attempt.allowed) {
    await recordSignInFailure(db, { email, attempt, reason: "throttled" }, context);
    return { ok: false, error: "throttled", retryAfterSeconds: attempt.retryAfterSeconds };
  }
  const [account] = await db
    .select()
    .from(admins)
    .where(eq(sql`lower(${admins.email})`, email));
  // Unknown emails still pay for a hash check, so response time does not reveal which exist.
  const passwordMatches = await verifyPassword(
    input.password,
    account?.passwordHash ?? (await decoyPasswordHash()),
  );
  if (!account || !passwordMatches) {
    const reason = account ? "wrong_password" : "unknown_email";
    await recordSignInFailure(db, { email, attempt, reason, adminId: account?.id }, context);
    return { ok: false, error: "invalid_credentials" };
  }
  const admin = { id: account.id, email: account.email };
  if (account.totpEnabledAt) {
    const challenge = await db.transaction(async (tx) => {
      await releaseSignInAttempt(tx, attempt.keys);
      return createSignInChallenge(tx, admin.id);
    });
    return {
      ok: false,
      error: "second_factor_required",
      challengeToken: challenge.token,
      expiresAt: challenge.expiresAt,
    };
  }
  const session = await db.transaction(async (tx) => {
    await releaseSignInAttempt(tx, attempt.keys);
    return startSignedInSession(tx, admin, context);
  });
  return { ok: true, admin, ...session };
}

/**
 * The end of every successful sign-in, with or without a second factor: the session, the
 * admin's last sign-in time and the audit event, in the caller's transaction.
 */
export async function startSignedInSession(
  executor: Executor,
  admin: AdminIdentity,
  context: RequestMeta & SessionLifetimes,
  details?: { secondFactor: "totp" | "recovery_code" },
): Promise<{ token: string; expiresAt: Date }> {
  await executor.update(admins).set({ lastSignedInAt: sql`now()` }).where(eq(admins.id, admin.id));
  await recordAudit(executor, {
    actor: { type: "admin", id: admin.id, label: admin.email },
    action: "admin.signed_in",
    target: { type: "admin", id: admin.id },
    clientAddress: context.clientAddress,
    details,
  });
  return createSession(executor, admin.id, {
    lifetimeHours: context.sessionHours,
    idleMinutes: context.sessionIdleMinutes,
    clientAddress: context.clientAddress,
    userAgent: context.userAgent,
  });
}

/**
 * Failed sign-ins logged per client address in one throttle window; later ones are counted by
 * the throttle but not logged, so unauthenticated traffic cannot flood the audit log.
 */
export const LOGGED_FAILURES_PER_ADDRESS = 10;
/**
 * Failed sign-ins logged in one throttle window from all addresses together: many addresses (a
 * botnet, or the /64s of one IPv6 /48) must not flood the log either.
 */
export const LOGGED_FAILURES_PER_WINDOW = 500;
const TYPED_EMAIL_MAX = 100;
const NOT_LOGGED = "counted by the throttle, not logged, until the window ends";

/**
 * A failed sign-in is the anonymous "unverified sign-in", never the typed email: the actor is
 * what the log's actor filter offers, and a stranger must not choose it. The email goes in the
 * details, named for what it is, and the account it names, if any, is the target.
 */
async function recordSignInFailure(
  db: Database,
  failure: {
    email: string;
    attempt: { attemptsFromAddress: number };
    reason: "throttled" | "wrong_password" | "unknown_email";
    adminId?: string;
  },
  meta: RequestMeta,
): Promise<void> {
  const attemptFromAddress = failure.attempt.attemptsFromAddress;
  if (attemptFromAddress > LOGGED_FAILURES_PER_ADDRESS) return;
  const [logged] = await addToCounters(db, [
    { key: "sign-in:audit:all", amount: 1, windowSeconds: THROTTLE_WINDOW_SECONDS },
  ]);
  const loggedInWindow = logged?.count ?? 1;
  if (loggedInWindow > LOGGED_FAILURES_PER_WINDOW) return;
  await recordAudit(db, {
    actor: { type: "anonymous", label: UNVERIFIED_SIGN_IN },
    action: "admin.sign_in_failed",
    target: failure.adminId ? { type: "admin", id: failure.adminId } : undefined,
    clientAddress: meta.clientAddress,
    details: {
      reason: failure.reason,
      typedEmail: failure.email.slice(0, TYPED_EMAIL_MAX),
      attemptFromAddress,
      ...(attemptFromAddress === LOGGED_FAILURES_PER_ADDRESS
        ? { furtherAttempts: NOT_LOGGED }
        : {}),
      ...(loggedInWindow === LOGGED_FAILURES_PER_WINDOW
        ? { furtherFailuresFromAnyAddress: NOT_LOGGED }
        : {}),
    },
  });
}

export async function signOut(
  db: Database,
  admin: AdminIdentity,
  token: string,
  meta: RequestMeta,
) {
  await db.transaction(async (tx) => {
    await deleteSession(tx, token);
    await recordAudit(tx, {
      actor: { type: "admin", id: admin.id, label: admin.email },
      action: "admin.signed_out",
      target: { type: "admin", id: admin.id },
      clientAddress: meta.clientAddress,
    });
  });
}
