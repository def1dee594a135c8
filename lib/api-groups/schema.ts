import { z } from "zod";

/**
 * A group's slug names its scopes (`<slug>:read`, `<slug>:write`). These words are refused as
 * slugs because OAuth clients and libraries give them meaning of their own: OpenID Connect's
 * standard scopes, the access levels themselves, and a look-alike of the INTEGRATION_API scope.
 */
export const RESERVED_GROUP_SLUGS = [
  "openid",
  "profile",
  "email",
  "address",
  "phone",
  "offline-access",
  "read",
  "write",
  "integration-api",
] as const;

export const createApiGroupSchema = z
  .object({
    name: z
      .string({ message: "Enter a name" })
      .trim()
      .min(1, "Enter a name")
      .max(60, "Use at most 60 characters"),
    slug: z
      .string({ message: "Enter a slug" })
      .trim()
      .min(1, "Enter a slug")
      .max(40, "Use at most 40 characters")
      .regex(/^[a-z0-9-]+$/, "Use only lowercase letters, digits and hyphens")
      .refine(
        (slug) => !(RESERVED_GROUP_SLUGS as readonly string[]).includes(slug),
        "This word is reserved for OAuth scopes; choose another slug",
      ),
  })
  .strict();

export type CreateApiGroupInput = z.output<typeof createApiGroupSchema>;
export type CreateApiGroupFields = keyof CreateApiGroupInput;

export const deleteApiGroupSchema = z
  .object({ id: z.string().trim().min(1, "Choose an API group").max(64, "Unknown API group") })
  .strict();

export type DeleteApiGroupInput = z.output<typeof deleteApiGroupSchema>;
