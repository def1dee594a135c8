import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Database, type Executor, queryRows, type Transaction } from "@/db/client";
import { adminInvitations, adminSessions, admins } from "@/db/schema";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import { hashPassword } from "@/lib/auth/password";
import type { Role } from "@/lib/auth/roles";
import { insertAdmin, type RequestMeta } from "@/lib/auth/service";
import { createSession, type SessionPolicy } from "@/lib/auth/sessions";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { newId } from "@/lib/ids";
import type {
  AdminSummary,
  AdminsOverview,
  InvitationProblem,
  PendingInvitation,
} from "./contract";

/** How long an invitation link works, counted on the database's clock like sessions. */
export const INVITATION_LIFETIME_DAYS = 7;

export const INVITE_PATH = "/invite/";

/** Only pending invitations: neither accepted nor revoked, and not yet expired. */
const pending = sql`${adminInvitations.acceptedAt} is null and ${adminInvitations.revokedAt} is null
  and ${adminInvitations.expiresAt} > now()`;

const summaryColumns = {
  id: admins.id,
  email: admins.email,
  role: admins.role,
  lastSignedInAt: admins.lastSignedInAt,
  twoFactorEnabled: sql<boolean>`${admins.totpEnabledAt} is not null`,
  createdAt: admins.createdAt,
};

/** Everyone with access, owners first, and the invitations still waiting for an answer. */
export async function listAdmins(executor: Executor): Promise<AdminsOverview> {
  const inviter = alias(admins, "inviter");
  const [team, invitations] = await Promise.all([
    executor
      .select(summaryColumns)
      .from(admins)
      .orderBy(
        sql`case ${admins.role} when 'owner' then 0 when 'admin' then 1 else 2 end`,
        asc(admins.email),
      ),
    executor
      .select({
        id: adminInvitations.id,
        email: adminInvitations.email,
        role: adminInvitations.role,
        invitedBy: inviter.email,
        createdAt: adminInvitations.createdAt,
        expiresAt: adminInvitations.expiresAt,
      })
      .from(adminInvitations)
      .leftJoin(inviter, eq(inviter.id, adminInvitations.invitedById))
      .where(pending)
      .orderBy(asc(adminInvitations.expiresAt)),
  ]);
  return { admins: team, invitations };
}

export type InviteAdminServiceResult =
  | { ok: true; invitation: PendingInvitation; link: string }
  | { ok: false; error: "already_admin" | "actor_not_owner" };

/**
 * Makes a single-use link for `email` to join with `role`. Only the token's SHA-256 is stored;
 * the link is returned here once. A pending invitation to the same email is revoked, so at most
 * one link per person works at a time and the newest role is the one offered.
 */
export async function inviteAdmin(
  db: Database,
  input: { email: string; role: Role },
  context: ChangeContext & { origin: string },
): Promise<InviteAdminServiceResult> {
  const token = newToken();
  return db.transaction(async (tx) => {
    // Under the lock demotion and removal take: an owner demoted or removed a moment ago must
    // not leave a working link behind (those revoke what the admin sent, but only what exists).
    if (!(await lockAdminsAsOwner(tx, context))) {
      return { ok: false, error: "actor_not_owner" } as const;
    }
    if (await adminWithEmail(tx, input.email))
      return { ok: false, error: "already_admin" } as const;
    const replaced = await tx
      .update(adminInvitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(sql`lower(${adminInvitations.email})`, input.email.toLowerCase()), pending))
      .returning({ id: adminInvitations.id });
    for (const { id } of replaced) {
      await recordAudit(tx, {
        ...auditFrom(context),
        action: "admin.invitation_revoked",
        target: { type: "admin_invitation", id },
        details: { email: input.email, reason: "replaced by a new invitation" },
      });
    }
    const [created] = await tx
      .insert(adminInvitations)
      .values({
        id: newId("inv"),
        tokenHash: hashToken(token),
        email: input.email,
        role: input.role,
        invitedById: context.actor.id,
        expiresAt: sql`now() + make_interval(days => ${INVITATION_LIFETIME_DAYS})`,
      })
      .returning();
    if (!created) throw new Error("The invitation was not written");
    await recordAudit(tx, {
      ...auditFrom(context),
      action: "admin.invited",
      target: { type: "admin_invitation", id: created.id },
      // Never the token or its hash: the log is readable by every admin.
      details: { email: created.email, role: created.role },
    });
    const invitation: PendingInvitation = {
      id: created.id,
      email: created.email,
      role: created.role,
      invitedBy: context.actor.label,
      createdAt: created.createdAt,
      expiresAt: created.expiresAt,
    };
    return { ok: true, invitation, link: `${context.origin}${INVITE_PATH}${token}` } as const;
  });
}

export async function revokeInvitation(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<{ ok: true } | { ok: false; error: "not_found" }> {
  return db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(adminInvitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(adminInvitations.id, id), pending))
      .returning({ id: adminInvitations.id, email: adminInvitations.email });
    if (!revoked) return { ok: false, error: "not_found" } as const;
    await recordAudit(tx, {
      ...auditFrom(context),
      action: "admin.invitation_revoked",
      target: { type: "admin_invitation", id },
      details: { email: revoked.email },
    });
    return { ok: true } as const;
  });
}

export type InvitationLookup =
  | {
      ok: true;
      invitation: { email: string; role: Role; invitedBy: string | null; expiresAt: Date };
    }
  | { ok: false; error: InvitationProblem };

/** What the accept page shows for a link, before anyone submits a password. */
export async function describeInvitation(
  executor: Executor,
  token: string,
): Promise<InvitationLookup> {
  const inviter = alias(admins, "inviter");
  const [row] = await executor
    .select({
      ...invitationState,
      invitedBy: inviter.email,
    })
    .from(adminInvitations)
    .leftJoin(inviter, eq(inviter.id, adminInvitations.invitedById))
    .where(eq(adminInvitations.tokenHash, hashToken(token)));
  const problem = await invitationProblem(executor, row);
  if (problem || !row) return { ok: false, error: problem ?? "unknown" };
  const { email, role, invitedBy, expiresAt } = row;
  return { ok: true, invitation: { email, role, invitedBy, expiresAt } };
}

const invitationState = {
  id: adminInvitations.id,
  email: adminInvitations.email,
  role: adminInvitations.role,
  expiresAt: adminInvitations.expiresAt,
  used: sql<boolean>`${adminInvitations.acceptedAt} is not null`,
  revoked: sql<boolean>`${adminInvitations.revokedAt} is not null`,
  expired: sql<boolean>`${adminInvitations.expiresAt} <= now()`,
};

type InvitationState = {
  email: string;
  used: boolean;
  revoked: boolean;
  expired: boolean;
};

/** Used before revoked before expired: the most useful thing to tell the person holding it. */
async function invitationProblem(
  executor: Executor,
  row: InvitationState | undefined,
): Promise<InvitationProblem | null> {
  if (!row) return "unknown";
  if (row.used) return "used";
  if (row.revoked) return "revoked";
  if (row.expired) return "expired";
  if (await adminWithEmail(executor, row.email)) return "already_admin";
  return null;
}

export type AcceptInvitationResult =
  | { ok: true; admin: { id: string; email: string; role: Role }; token: string; expiresAt: Date }
  | { ok: false; error: InvitationProblem };

/**
 * Turns an invitation into an admin with the invited role and signs them in. The invitation row
 * is locked (`for update`) and checked again inside the transaction, so of two accepts racing
 * with the same link exactly one creates an admin; the other waits, then finds it used.
 */
export async function acceptInvitation(
  db: Database,
  input: { token: string; password: string },
  context: RequestMeta & SessionPolicy,
): Promise<AcceptInvitationResult> {
  // A cheap look first, so an unknown or dead link costs no password hash (scrypt is slow on
  // purpose); the hash is made before the lock, so the row stays locked only briefly.
  const before = await describeInvitation(db, input.token);
  if (!before.ok) return before;
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      // The admins table first, as removal and role changes take it, then the invitation: the
      // same order everywhere, so accepting while the inviter is removed cannot deadlock.
      await lockAdmins(tx);
      const [row] = await tx
        .select(invitationState)
        .from(adminInvitations)
        .where(eq(adminInvitations.tokenHash, hashToken(input.token)))
        .for("update");
      const problem = await invitationProblem(tx, row);
      if (problem || !row) return { ok: false, error: problem ?? "unknown" } as const;
      const actor = { type: "anonymous" as const, label: row.email };
      const created = await insertAdmin(
        tx,
        { email: row.email, passwordHash, role: row.role },
        { actor, via: "invitation", meta: context },
      );
      if (!created.ok) return { ok: false, error: "already_admin" } as const;
      const admin = created.admin;
      await tx
        .update(adminInvitations)
        .set({ acceptedAt: sql`now()`, acceptedAdminId: admin.id })
        .where(eq(adminInvitations.id, row.id));
      await tx.update(admins).set({ lastSignedInAt: sql`now()` }).where(eq(admins.id, admin.id));
      await recordAudit(tx, {
        actor: { type: "admin", id: admin.id, label: admin.email },
        action: "admin.invitation_accepted",
        target: { type: "admin_invitation", id: row.id },
        clientAddress: context.clientAddress,
        details: { email: admin.email, role: admin.role, adminId: admin.id },
      });
      const session = await createSession(tx, admin.id, context);
      return { ok: true, admin, ...session } as const;
    });
  } catch (error) {
    // Two different invitations for one email accepted at once: the unique index on the email
    // stops the second admin; that invitee is told they already have an account.
    if (isUniqueViolation(error)) return { ok: false, error: "already_admin" };
    throw error;
  }
}

export type ChangeRoleServiceResult =
  | { ok: true; admin: AdminSummary; changed: boolean }
  | { ok: false; error: "not_found" | "last_owner" | "actor_not_owner" };

/**
 * Gives an admin another role. The organisation keeps at least one owner: see lockForOwnerCount
 * for why two owners demoting each other at the same moment still leave one.
 */
export async function changeRole(
  db: Database,
  input: { adminId: string; role: Role },
  context: ChangeContext,
): Promise<ChangeRoleServiceResult> {
  return db.transaction(async (tx) => {
    const checked = await lockForOwnerCount(tx, input.adminId, context);
    if (!checked.ok) return checked;
    const { target, owners } = checked;
    if (target.role === input.role) return { ok: true, admin: target, changed: false } as const;
    if (target.role === "owner" && owners <= 1) return { ok: false, error: "last_owner" } as const;
    await tx.update(admins).set({ role: input.role }).where(eq(admins.id, target.id));
    // Only owners invite: a former owner's pending links must not bring them (or a friend) back.
    const invitationsRevoked =
      target.role === "owner" ? await revokeInvitationsSentBy(tx, target.id) : 0;
    await recordAudit(tx, {
      ...auditFrom(context),
      action: "admin.role_changed",
      target: { type: "admin", id: target.id },
      details: { email: target.email, from: target.role, to: input.role, invitationsRevoked },
    });
    return { ok: true, admin: { ...target, role: input.role }, changed: true } as const;
  });
}

export type RemoveAdminServiceResult =
  | { ok: true; removed: { id: string; email: string } }
  | { ok: false; error: "not_found" | "last_owner" | "actor_not_owner" | "self" };

/**
 * Takes an admin's access away: the row goes, and with it every session, so each instance (which
 * reads sessions from the database on every request) refuses the next request. Invitations the
 * admin sent and nobody accepted yet are revoked too, so they cannot bring them back.
 *
 * An owner cannot remove themselves here: another owner does it. It keeps someone from locking
 * themselves out by mistake, and keeps "who took this access away" a second person.
 */
export async function removeAdmin(
  db: Database,
  adminId: string,
  context: ChangeContext,
): Promise<RemoveAdminServiceResult> {
  if (adminId === context.actor.id) return { ok: false, error: "self" };
  return db.transaction(async (tx) => {
    const checked = await lockForOwnerCount(tx, adminId, context);
    if (!checked.ok) return checked;
    const { target, owners } = checked;
    if (target.role === "owner" && owners <= 1) return { ok: false, error: "last_owner" } as const;
    const sessions = await tx
      .delete(adminSessions)
      .where(eq(adminSessions.adminId, target.id))
      .returning({ id: adminSessions.id });
    const invitationsRevoked = await revokeInvitationsSentBy(tx, target.id);
    await tx.delete(admins).where(eq(admins.id, target.id));
    await recordAudit(tx, {
      ...auditFrom(context),
      action: "admin.removed",
      target: { type: "admin", id: target.id },
      details: {
        email: target.email,
        role: target.role,
        sessionsEnded: sessions.length,
        invitationsRevoked,
      },
    });
    return { ok: true, removed: { id: target.id, email: target.email } } as const;
  });
}

/**
 * The last-owner rule has to hold when two owners demote (or remove) each other at the same
 * moment: each alone sees two owners and would go ahead, leaving none. So the admins table is
 * locked in SHARE ROW EXCLUSIVE mode, which conflicts with itself and with every write to the
 * table but not with reads (sessions keep being read): the second change waits for the first to
 * commit, and its count, a new statement under READ COMMITTED, sees the first one's result.
 * The actor is checked again under the lock, since the session was read before it: an owner
 * demoted or removed a moment ago can no longer change anyone.
 */
async function lockForOwnerCount(
  tx: Transaction,
  targetId: string,
  context: ChangeContext,
): Promise<
  | { ok: true; target: AdminSummary; owners: number }
  | { ok: false; error: "not_found" | "actor_not_owner" }
> {
  if (!(await lockAdminsAsOwner(tx, context))) return { ok: false, error: "actor_not_owner" };
  const [target] = await tx.select(summaryColumns).from(admins).where(eq(admins.id, targetId));
  if (!target) return { ok: false, error: "not_found" };
  const [counted] = await queryRows<{ owners: number }>(
    tx,
    sql`select count(*)::int as owners from admins where role = 'owner'`,
  );
  return { ok: true, target, owners: counted?.owners ?? 0 };
}

async function lockAdmins(tx: Transaction): Promise<void> {
  await tx.execute(sql`lock table ${admins} in share row exclusive mode`);
}

/** Locks the admins table (see lockForOwnerCount), then says whether the actor is still an owner. */
async function lockAdminsAsOwner(tx: Transaction, context: ChangeContext): Promise<boolean> {
  await lockAdmins(tx);
  const [actor] = await tx
    .select({ role: admins.role })
    .from(admins)
    .where(eq(admins.id, context.actor.id));
  return actor?.role === "owner";
}

/** Revokes the links an admin sent that nobody has used yet; returns how many. */
async function revokeInvitationsSentBy(tx: Transaction, adminId: string): Promise<number> {
  const revoked = await tx
    .update(adminInvitations)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(adminInvitations.invitedById, adminId), pending))
    .returning({ id: adminInvitations.id });
  return revoked.length;
}

async function adminWithEmail(executor: Executor, email: string): Promise<boolean> {
  const [row] = await executor
    .select({ id: admins.id })
    .from(admins)
    .where(eq(sql`lower(${admins.email})`, email.toLowerCase()));
  return Boolean(row);
}

function auditFrom(context: ChangeContext) {
  return { actor: context.actor, clientAddress: context.clientAddress };
}

function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
