import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email("Enter a valid email address"));

/** NIST SP 800-63B: length over composition rules; a long upper bound so passphrases fit. */
export const newPasswordSchema = z
  .string()
  .min(12, "Use at least 12 characters")
  .max(128, "Use at most 128 characters");

export const setupSchema = z
  .object({
    email: emailSchema,
    password: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .strict()
  .refine((input) => input.password === input.confirmPassword, {
    path: ["confirmPassword"],
    message: "The passwords do not match",
  });

export const signInSchema = z
  .object({
    email: emailSchema,
    password: z.string().min(1, "Enter your password").max(128, "Use at most 128 characters"),
  })
  .strict();

export type SetupInput = z.infer<typeof setupSchema>;
export type SignInInput = z.infer<typeof signInSchema>;
