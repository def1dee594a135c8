import { z } from "zod";
import { newPasswordSchema } from "./schema";

/*
 * The inputs of the "Your account" page, shared by its forms and its server actions
 * (app/(console)/account/actions.ts).
 */

/** Passwords compare as scrypt hashes them (NFKC), so "the same password" means the same hash. */
function samePassword(a: string, b: string): boolean {
  return a.normalize("NFKC") === b.normalize("NFKC");
}

export const changePasswordSchema = z
  .object({
    // Not trimmed: every character of a password counts, spaces included.
    currentPassword: z
      .string({ message: "Enter your current password" })
      .min(1, "Enter your current password")
      .max(128, "Use at most 128 characters"),
    newPassword: z.string({ message: "Enter a new password" }).pipe(newPasswordSchema),
    confirmPassword: z.string({ message: "Repeat the new password" }),
  })
  .strict()
  .refine((input) => input.newPassword === input.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
  })
  .refine((input) => !samePassword(input.newPassword, input.currentPassword), {
    path: ["newPassword"],
    message: "Choose a password other than your current one",
  });

export type ChangePasswordInput = z.input<typeof changePasswordSchema>;
export type ChangePasswordFields = keyof ChangePasswordInput;

/** A session's public id (`ses_…`), never its token. */
export const sessionIdSchema = z
  .string()
  .max(64)
  .regex(/^ses_[A-Za-z0-9_-]+$/);

export const revokeSessionSchema = z.object({ id: sessionIdSchema }).strict();
export type RevokeSessionInput = z.input<typeof revokeSessionSchema>;

/**
 * "Sign out everywhere" ends the caller's own session too, so the call has to say so: a request
 * without the confirmation (a stray or crafted call) changes nothing.
 */
export const signOutEverywhereSchema = z.object({ confirmed: z.literal(true) }).strict();
export type SignOutEverywhereInput = z.input<typeof signOutEverywhereSchema>;
