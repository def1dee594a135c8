import "server-only";
import Bowser from "bowser";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { adminSessions, admins } from "@/db/schema";
import { recordAudit } from "@/lib/audit/service";
import { hashPassword, verifyPassword } from "./password";
import { type AdminIdentity, endSessions, type SessionPolicy } from "./sessions";
import { releaseSignInAttempt, reserveSignInAttempt } from "./throttle";

/*
 * The signed-in admin's own account: their password and their sessions. Every function acts on
 * the admin it is given (the caller's session decides who that is), never on an id from input.
 * Sessions are read from the database on every request (lib/auth/sessions.ts), so deleting a
 * row here ends that session on every app instance at once.
 */

/** Where the request comes from, and which session makes it. */
export interface AccountContext extends Pick<SessionPolicy, "idleMinutes"> {
  /** The public id of the session making the request, which a password change keeps. */
  sessionId: string;
  clientAddress: string | null;
}

export type ChangePasswordResult =
  | { ok: true; otherSessionsEnded: number }
  | { ok: false; error: "wrong_password" | "not_found" }
  | { ok: false; error: "throttled"; retryAfterSeconds: number };

/**
 * Changes the admin's password once the current one is proved, and ends every other session of
 * theirs: whoever else held one may be why the password is changing. Wrong current passwords are
 * counted by the sign-in throttle, on the same keys as signing in to this account from this
 * address, so a stolen session cannot guess the password any faster than the sign-in page can.
 * The new password's rules (length, differs from the current one) are the schema's.
 */
export async function changePassword(
  db: Database,
  admin: AdminIdentity,
  input: { currentPassword: string; newPassword: string },
  context: AccountContext,
): Promise<ChangePasswordResult> {
  const attempt = await reserveSignInAttempt(db, {
    email: admin.email.toLowerCase(),
    clientAddress: context.clientAddress,
  });
  if (!attempt.allowed) {
    return { ok: false, error: "throttled", retryAfterSeconds: attempt.retryAfterSeconds };
  }
  const [account] = await db
    .select({ passwordHash: admins.passwordHash })
    .from(admins)
    .where(eq(admins.id, admin.id));
  if (!account) return { ok: false, error: "not_found" };
  if (!(await verifyPassword(input.currentPassword, account.passwordHash))) {
    return { ok: false, error: "wrong_password" };
  }
  const newHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    // Compare-and-set on the hash just verified: of two changes racing, the second finds the
    // password no longer the one it proved, and is refused like a wrong password.
    const changed = await tx
      .update(admins)
      .set({ passwordHash: newHash })
      .where(and(eq(admins.id, admin.id), eq(admins.passwordHash, account.passwordHash)))
      .returning({ id: admins.id });
    if (changed.length === 0) return { ok: false, error: "wrong_password" } as const;
    await releaseSignInAttempt(tx, attempt.keys);
    const otherSessionsEnded = await endSessions(tx, admin.id, {
      except: context.sessionId,
      idleMinutes: context.idleMinutes,
    });
    await recordAudit(tx, {
      actor: { type: "admin", id: admin.id, label: admin.email },
      action: "admin.password_changed",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
      details: { otherSessionsEnded },
    });
    return { ok: true, otherSessionsEnded } as const;
  });
}

export interface AdminSessionSummary {
  /** The public id (`ses_…`), never the token. */
  id: string;
  /** "Chrome on macOS", from the user agent; "Unknown device" without one. */
  device: string;
  userAgent: string | null;
  clientAddress: string | null;
  signedInAt: Date;
  lastSeenAt: Date;
  /** The session this request is made with. */
  current: boolean;
}

/**
 * The admin's live sessions, the current one first, then the most recently seen. Ended ones
 * (expired, or idle past the policy) are left out on the database's clock, by the same rules
 * as findSessionAdmin, since they can no longer be used.
 */
export async function listSessions(
  executor: Executor,
  adminId: string,
  currentSessionId: string,
  policy: Pick<SessionPolicy, "idleMinutes">,
): Promise<AdminSessionSummary[]> {
  const rows = await executor
    .select({
      id: adminSessions.id,
      userAgent: adminSessions.userAgent,
      clientAddress: adminSessions.clientAddress,
      signedInAt: adminSessions.createdAt,
      lastSeenAt: adminSessions.lastSeenAt,
    })
    .from(adminSessions)
    .where(
      and(
        eq(adminSessions.adminId, adminId),
        sql`${adminSessions.expiresAt} > now()`,
        sql`${adminSessions.lastSeenAt} > now() - make_interval(mins => ${policy.idleMinutes})`,
      ),
    )
    .orderBy(desc(adminSessions.lastSeenAt), desc(adminSessions.createdAt));
  const sessions = rows.map((row) => ({
    ...row,
    device: deviceName(row.userAgent),
    current: row.id === currentSessionId,
  }));
  return [
    ...sessions.filter((session) => session.current),
    ...sessions.filter((session) => !session.current),
  ];
}

/** "Chrome on macOS"; one half when only one is known; "Unknown device" when neither is. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return UNKNOWN_DEVICE;
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name?.trim();
  const os = parsed.os.name?.trim();
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || UNKNOWN_DEVICE;
}

const UNKNOWN_DEVICE = "Unknown device";

export type RevokeSessionResult =
  | { ok: true; revoked: { id: string; device: string } }
  | { ok: false; error: "not_found" };

/**
 * Ends one of the admin's own sessions. Another admin's session id is "not found", the same
 * answer as an id that never existed, so ids cannot be probed.
 */
export async function revokeSession(
  db: Database,
  admin: AdminIdentity,
  sessionId: string,
  context: Pick<AccountContext, "clientAddress">,
): Promise<RevokeSessionResult> {
  return db.transaction(async (tx) => {
    const [ended] = await tx
      .delete(adminSessions)
      .where(and(eq(adminSessions.id, sessionId), eq(adminSessions.adminId, admin.id)))
      .returning({ id: adminSessions.id, userAgent: adminSessions.userAgent });
    if (!ended) return { ok: false, error: "not_found" } as const;
    const revoked = { id: ended.id, device: deviceName(ended.userAgent) };
    await recordAudit(tx, {
      actor: { type: "admin", id: admin.id, label: admin.email },
      action: "admin.session_revoked",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
      details: { sessionId: revoked.id, device: revoked.device },
    });
    return { ok: true, revoked } as const;
  });
}

/** Ends every session of the admin, the one making the request included. */
export async function signOutEverywhere(
  db: Database,
  admin: AdminIdentity,
  context: Pick<AccountContext, "clientAddress" | "idleMinutes">,
): Promise<{ sessionsEnded: number }> {
  return db.transaction(async (tx) => {
    const sessionsEnded = await endSessions(tx, admin.id, {
      except: null,
      idleMinutes: context.idleMinutes,
    });
    await recordAudit(tx, {
      actor: { type: "admin", id: admin.id, label: admin.email },
      action: "admin.signed_out_everywhere",
      target: { type: "admin", id: admin.id },
      clientAddress: context.clientAddress,
      details: { sessionsEnded },
    });
    return { sessionsEnded };
  });
}
