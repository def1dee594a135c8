import { z } from "zod";
import { ADMIN_ROLES, type RoleRefusal } from "@/lib/auth/roles";
import type { ActionFailure } from "@/lib/forms/action-result";
import type { InviteAdminFields } from "./schema";

/**
 * What the console receives about admins and invitations. The output schemas are allowlists:
 * the server parses what it sends through them, so a column the service reads later (a password
 * hash, a TOTP secret, an invitation's token hash) is dropped instead of shipped.
 */
export const adminOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ADMIN_ROLES),
  lastSignedInAt: z.date().nullable(),
  twoFactorEnabled: z.boolean(),
  createdAt: z.date(),
});
export type AdminSummary = z.output<typeof adminOutput>;

export const invitationOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(ADMIN_ROLES),
  /** The inviting admin's email; null once that admin was removed. */
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type PendingInvitation = z.output<typeof invitationOutput>;

export const adminsOverviewOutput = z.object({
  admins: z.array(adminOutput),
  invitations: z.array(invitationOutput),
});
export type AdminsOverview = z.output<typeof adminsOverviewOutput>;

/** Why an invitation link does not work; each gets its own sentence on the accept page. */
export type InvitationProblem = "unknown" | "expired" | "revoked" | "used" | "already_admin";

export type ListAdminsResult = { ok: true; overview: AdminsOverview } | ActionFailure;

/** Whether the invitation email went out: only when SMTP is configured (lib/admins/mail.ts). */
export type InvitationEmail = "not_configured" | "sent" | "failed";

export type InviteAdminResult =
  | {
      ok: true;
      invitation: PendingInvitation;
      /** The only time the link exists outside the invitee's hands: shown once, never stored. */
      link: string;
      email: InvitationEmail;
    }
  | { ok: false; fieldErrors: Partial<Record<InviteAdminFields, string>> }
  | RoleRefusal
  | ActionFailure;

export type RevokeInvitationResult =
  | { ok: true }
  | RoleRefusal
  | (ActionFailure & { notFound?: boolean });

export type ChangeRoleResult =
  | { ok: true; admin: AdminSummary }
  | RoleRefusal
  | (ActionFailure & { notFound?: boolean; lastOwner?: boolean });

export type RemoveAdminResult =
  | { ok: true; removed: { id: string; email: string } }
  | RoleRefusal
  | (ActionFailure & { notFound?: boolean; lastOwner?: boolean; self?: boolean });
