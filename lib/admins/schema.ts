import { z } from "zod";
import { ADMIN_ROLES } from "@/lib/auth/roles";
import { emailSchema, newPasswordSchema } from "@/lib/auth/schema";

/* The Admins page's inputs, shared by its forms, its server actions and the accept page. */

const roleSchema = z.enum(ADMIN_ROLES, { message: "Choose a role" });
const idSchema = z.string().trim().min(1).max(64);

export const inviteAdminSchema = z.object({ email: emailSchema, role: roleSchema }).strict();
export type InviteAdminInput = z.output<typeof inviteAdminSchema>;
export type InviteAdminFields = keyof InviteAdminInput;

export const revokeInvitationSchema = z.object({ id: idSchema }).strict();
export type RevokeInvitationInput = z.output<typeof revokeInvitationSchema>;

export const changeRoleSchema = z.object({ adminId: idSchema, role: roleSchema }).strict();
export type ChangeRoleInput = z.output<typeof changeRoleSchema>;

export const removeAdminSchema = z.object({ adminId: idSchema }).strict();
export type RemoveAdminInput = z.output<typeof removeAdminSchema>;

/** 32 random bytes in base64url: 43 characters. Anything else cannot be one of our links. */
export const invitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const acceptInvitationSchema = z
  .object({
    token: invitationTokenSchema,
    password: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .strict()
  .refine((input) => input.password === input.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
  });
export type AcceptInvitationInput = z.output<typeof acceptInvitationSchema>;

/** The accept form as the browser checks it first (the token is not the invitee's to fix). */
export const acceptInvitationFormSchema = z
  .object({ password: newPasswordSchema, confirmPassword: z.string() })
  .strict()
  .refine((input) => input.password === input.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
  });
