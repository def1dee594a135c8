import { z } from "zod";
import { groupPermissionsSchema, knownGroupsCheck } from "@/lib/api-groups/schema";

/**
 * A till's code is the user name of HTTP Basic authentication, so it cannot contain `:` (the
 * separator) or spaces; the same characters as auth-config identifiers keep it easy to type.
 */
export const TILL_CODE_MAX = 32;
export const TILL_PASSWORD_MIN = 12;
export const TILL_PASSWORD_MAX = 128;

export const createTillSchema = z
  .object({
    code: z
      .string({ message: "Enter a till code" })
      .trim()
      .min(1, "Enter a till code")
      .max(TILL_CODE_MAX, `Use at most ${TILL_CODE_MAX} characters`)
      .regex(
        /^[A-Za-z0-9._-]+$/,
        "Use only letters, digits, dots, underscores and hyphens (no spaces)",
      ),
    name: z
      .string({ message: "Enter a name" })
      .trim()
      .min(1, "Enter a name")
      .max(100, "Use at most 100 characters"),
    // Not trimmed: every character of a password counts, spaces included.
    password: z
      .string({ message: "Enter a password" })
      .min(TILL_PASSWORD_MIN, `Use at least ${TILL_PASSWORD_MIN} characters`)
      .max(TILL_PASSWORD_MAX, `Use at most ${TILL_PASSWORD_MAX} characters`),
    /**
     * What Basic requests as this till may do, per API group, as for an API client. Left out, a
     * group is None: a till added without choices reaches nothing.
     */
    permissions: groupPermissionsSchema,
  })
  .strict();

export type CreateTillInput = z.output<typeof createTillSchema>;
export type CreateTillFields = keyof CreateTillInput;

/** The add-till schema that also knows which API groups the form listed (see knownGroupsCheck). */
export function createTillSchemaFor(groups: readonly { id: string }[]) {
  return createTillSchema.superRefine(knownGroupsCheck(groups));
}

export const deleteTillSchema = z
  .object({ id: z.string().trim().min(1, "Choose a till").max(64, "Unknown till") })
  .strict();

export type DeleteTillInput = z.output<typeof deleteTillSchema>;
