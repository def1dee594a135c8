import { z } from "zod";
import { groupPermissionsSchema, knownGroupsCheck } from "@/lib/api-groups/schema";

/**
 * The "Register" form's input, validated by the same schema in the browser and in the server
 * action. Permissions are keyed by API group id; a group left out is "none", the seed's default.
 */
export {
  PERMISSION_CHOICES,
  PERMISSION_LABELS,
  type PermissionChoice,
} from "@/lib/api-groups/schema";

export const TOKEN_TTL_MINUTES = { min: 5, max: 1440, default: 60 } as const;

const TTL_RANGE = "Choose between 5 and 1,440 minutes";
const SELECT_TILL = "Select your organization till";

export const registerApiClientSchema = z
  .object({
    name: z
      .string({ message: "Enter a client name" })
      .trim()
      .min(1, "Enter a client name")
      .max(100, "Use at most 100 characters"),
    description: z
      .string({ message: "Enter a description or leave it empty" })
      .trim()
      .max(500, "Use at most 500 characters")
      .optional()
      .transform((value) => value || undefined),
    tokenTtlMinutes: z
      .number({ message: TTL_RANGE })
      .int("Use whole minutes")
      .min(TOKEN_TTL_MINUTES.min, TTL_RANGE)
      .max(TOKEN_TTL_MINUTES.max, TTL_RANGE)
      .default(TOKEN_TTL_MINUTES.default),
    permissions: groupPermissionsSchema,
    tillId: z.string({ message: SELECT_TILL }).trim().min(1, SELECT_TILL).max(64, SELECT_TILL),
  })
  .strict();

export type RegisterApiClientInput = z.output<typeof registerApiClientSchema>;
export type RegisterApiClientFields = keyof RegisterApiClientInput;

/**
 * The register schema that also knows which API groups exist, so a permission for a group that
 * is gone is a field error on `permissions`. The form passes the groups it listed. The action
 * parses with the plain schema: the service checks the groups inside the transaction that
 * registers the client, which no earlier read can replace.
 */
export function registerApiClientSchemaFor(groups: readonly { id: string }[]) {
  return registerApiClientSchema.superRefine(knownGroupsCheck(groups));
}

const clientId = z.string().trim().min(1, "Choose an API client").max(64, "Unknown API client");

/** Names one client: delete it, end its previous secret's grace period, revoke its tokens. */
export const apiClientRefSchema = z.object({ id: clientId }).strict();
export type ApiClientRefInput = z.output<typeof apiClientRefSchema>;

export const deleteApiClientSchema = apiClientRefSchema;
export type DeleteApiClientInput = ApiClientRefInput;

/**
 * How long the old secret keeps working after a roll, the choices Stripe and GitHub offer
 * (none to a week). "none" ends it at once, as after a leak.
 */
export const SECRET_GRACE_PERIODS = ["none", "1h", "24h", "7d"] as const;
export type SecretGracePeriod = (typeof SECRET_GRACE_PERIODS)[number];

export const SECRET_GRACE_SECONDS: Record<SecretGracePeriod, number> = {
  none: 0,
  "1h": 3_600,
  "24h": 86_400,
  "7d": 604_800,
};

export const SECRET_GRACE_LABELS: Record<SecretGracePeriod, string> = {
  none: "None",
  "1h": "1 hour",
  "24h": "24 hours",
  "7d": "7 days",
};

export const rollApiClientSecretSchema = z
  .object({
    id: clientId,
    gracePeriod: z.enum(SECRET_GRACE_PERIODS, {
      message: "Choose how long the old secret keeps working",
    }),
  })
  .strict();

export type RollApiClientSecretInput = z.output<typeof rollApiClientSecretSchema>;
