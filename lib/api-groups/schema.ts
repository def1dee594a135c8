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

/** A permission per API group, as API clients and tills hold them; "none" is the default. */
export const PERMISSION_CHOICES = ["none", "read", "write"] as const;
export type PermissionChoice = (typeof PERMISSION_CHOICES)[number];

/** The seed's words for each level. */
export const PERMISSION_LABELS: Record<PermissionChoice, string> = {
  none: "None",
  read: "View only",
  write: "Modify",
};

// Far more than any organisation defines; keeps a hostile request from sending a huge record.
const MAX_PERMISSION_ENTRIES = 200;

/**
 * The None / View only / Modify matrix as a form sends it: level by API group id. The service
 * checks that the groups exist inside the transaction that stores the permissions.
 */
export const groupPermissionsSchema = z
  .record(z.string(), z.enum(PERMISSION_CHOICES, { message: "Choose None, View only or Modify" }))
  .superRefine((permissions, context) => {
    const groupIds = Object.keys(permissions);
    if (groupIds.length > MAX_PERMISSION_ENTRIES)
      context.addIssue({ code: "custom", message: "Too many API groups" });
    for (const groupId of groupIds) {
      if (groupId.length === 0 || groupId.length > 64)
        context.addIssue({ code: "custom", path: [groupId], message: "Unknown API group" });
    }
  })
  .default({});

/**
 * For a form's schema that also knows which API groups exist, so a permission for a group that
 * is gone is a field error on `permissions`. The form passes the groups it listed; the action
 * parses with the plain schema, since only the service's transaction can tell for sure.
 */
export function knownGroupsCheck(groups: readonly { id: string }[]) {
  const known = new Set(groups.map((group) => group.id));
  return (input: { permissions: Record<string, unknown> }, context: z.RefinementCtx) => {
    for (const groupId of Object.keys(input.permissions)) {
      if (known.has(groupId)) continue;
      context.addIssue({
        code: "custom",
        path: ["permissions", groupId],
        message: "An API group in this form no longer exists; reload the page",
      });
    }
  };
}
