"use server";

import {
  adminOutput,
  adminsOverviewOutput,
  type ChangeRoleResult,
  type InvitationEmail,
  type InviteAdminResult,
  invitationOutput,
  type ListAdminsResult,
  type RemoveAdminResult,
  type RevokeInvitationResult,
} from "@/lib/admins/contract";
import { sendInvitationEmail, smtpSettings } from "@/lib/admins/mail";
import {
  changeRoleSchema,
  type InviteAdminFields,
  inviteAdminSchema,
  removeAdminSchema,
  revokeInvitationSchema,
} from "@/lib/admins/schema";
import {
  changeRole,
  inviteAdmin,
  listAdmins,
  removeAdmin,
  revokeInvitation,
} from "@/lib/admins/service";
import { refuseUnless } from "@/lib/auth/roles";
import { requireAdmin } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { requestPublicOrigin } from "@/lib/http/request-origin";
import { getDb } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session and the role itself
 * (reading the team is for everyone; changing it is for owners), parses its arguments with the
 * shared strict schemas, calls the service and maps the typed result.
 */

const ADMIN_GONE = "This admin no longer exists. Someone may have removed them.";
const INVITATION_GONE =
  "This invitation is no longer pending: it was accepted, revoked or has expired.";
const LAST_OWNER =
  "This is the organisation's last owner. Make another admin an owner first, so someone can still manage admins and settings.";
const NO_LONGER_OWNER = "You are no longer an owner, so you cannot change admins. Reload the page.";

export async function listAdminsAction(): Promise<ListAdminsResult> {
  const admin = await requireAdmin();
  try {
    const overview = await listAdmins(await getDb());
    return { ok: true, overview: adminsOverviewOutput.parse(overview) };
  } catch (error) {
    return unexpectedFailure("admins", "list the admins", admin, error);
  }
}

export async function inviteAdminAction(input: unknown): Promise<InviteAdminResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = inviteAdminSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf<InviteAdminFields>(parsed.error) };
  }
  try {
    const config = env();
    const result = await inviteAdmin(await getDb(), parsed.data, {
      ...(await changeContextFor(admin)),
      origin: await requestPublicOrigin(config.AUTHDESK_PUBLIC_URL),
    });
    if (!result.ok) {
      switch (result.error) {
        case "already_admin":
          return { ok: false, fieldErrors: { email: "This person is already an admin" } };
        case "actor_not_owner":
          return { ok: false, formError: NO_LONGER_OWNER };
        default:
          return assertNever(result.error);
      }
    }
    // After the commit: the invitation stands whether or not the email goes out.
    const smtp = smtpSettings(config);
    let email: InvitationEmail = "not_configured";
    if (smtp) {
      const sent = await sendInvitationEmail(smtp, {
        to: result.invitation.email,
        invitedBy: admin.email,
        role: result.invitation.role,
        link: result.link,
        expiresAt: result.invitation.expiresAt,
      });
      email = sent ? "sent" : "failed";
    }
    return {
      ok: true,
      invitation: invitationOutput.parse(result.invitation),
      link: result.link,
      email,
    };
  } catch (error) {
    return unexpectedFailure("admins", "invite an admin", admin, error);
  }
}

export async function revokeInvitationAction(input: unknown): Promise<RevokeInvitationResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = revokeInvitationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: INVITATION_GONE, notFound: true };
  try {
    const result = await revokeInvitation(
      await getDb(),
      parsed.data.id,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true };
    return { ok: false, formError: INVITATION_GONE, notFound: true };
  } catch (error) {
    return unexpectedFailure("admins", "revoke an invitation", admin, error);
  }
}

export async function changeAdminRoleAction(input: unknown): Promise<ChangeRoleResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = changeRoleSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: ADMIN_GONE, notFound: true };
  try {
    const result = await changeRole(await getDb(), parsed.data, await changeContextFor(admin));
    if (result.ok) return { ok: true, admin: adminOutput.parse(result.admin) };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: ADMIN_GONE, notFound: true };
      case "last_owner":
        return { ok: false, formError: LAST_OWNER, lastOwner: true };
      case "actor_not_owner":
        return { ok: false, formError: NO_LONGER_OWNER };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("admins", "change an admin's role", admin, error);
  }
}

export async function removeAdminAction(input: unknown): Promise<RemoveAdminResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = removeAdminSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: ADMIN_GONE, notFound: true };
  try {
    const result = await removeAdmin(
      await getDb(),
      parsed.data.adminId,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, removed: result.removed };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: ADMIN_GONE, notFound: true };
      case "last_owner":
        return { ok: false, formError: LAST_OWNER, lastOwner: true };
      case "self":
        return {
          ok: false,
          formError:
            "You cannot remove yourself. Ask another owner to remove you, so a second person confirms that access ends.",
          self: true,
        };
      case "actor_not_owner":
        return { ok: false, formError: NO_LONGER_OWNER };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("admins", "remove an admin", admin, error);
  }
}
