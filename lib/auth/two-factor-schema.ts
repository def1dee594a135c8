import { z } from "zod";

/*
 * The inputs of two-factor sign-in and set-up, shared by the forms (checked in the browser
 * first) and the server actions. No "server-only": client components import them.
 */

/** Six digits; spaces (as some apps show "123 456") are dropped first. */
export const totpCodeSchema = z
  .string()
  .transform((code) => code.replace(/\s/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app"));

/** Checked loosely here; the service normalises and looks it up (lib/auth/recovery-codes.ts). */
export const recoveryCodeSchema = z
  .string()
  .trim()
  .min(1, "Enter one of your recovery codes")
  .max(64, "That is not a recovery code");

export const secondFactorSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("totp"), code: totpCodeSchema }).strict(),
  z.object({ method: z.literal("recovery_code"), code: recoveryCodeSchema }).strict(),
]);

/** Turning two-factor on asks for the password too: a borrowed session must not enrol its own app. */
export const confirmTwoFactorSchema = z
  .object({
    code: totpCodeSchema,
    password: z.string().min(1, "Enter your password").max(128, "Use at most 128 characters"),
  })
  .strict();

/** Turning two-factor off or replacing the recovery codes asks for the password again. */
export const currentPasswordSchema = z
  .object({
    password: z.string().min(1, "Enter your password").max(128, "Use at most 128 characters"),
  })
  .strict();

export const twoFactorRequirementSchema = z.object({ required: z.boolean() }).strict();

export type ConfirmTwoFactorInput = z.input<typeof confirmTwoFactorSchema>;
export type CurrentPasswordInput = z.input<typeof currentPasswordSchema>;
export type TwoFactorRequirementInput = z.input<typeof twoFactorRequirementSchema>;

/** What the account pages show about the signed-in admin's two-factor sign-in. */
export interface TwoFactorStatusView {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
}
