import { z } from "zod";
import type { CreateApiGroupFields, createApiGroupSchema } from "@/lib/api-groups/schema";
import type { CreateTillFields, createTillSchema } from "@/lib/tills/schema";

/**
 * What the console receives about organisation settings, tills and API groups, shared by the
 * server (page and actions) and the browser. The output schemas are allowlists: the server parses
 * everything it sends through them, so a field a service grows later (a till's password hash,
 * say) is dropped instead of shipped. zod objects strip unknown keys by default.
 */
export const organizationSettingsOutput = z.object({
  basicAuthEnabled: z.boolean(),
  updatedAt: z.date(),
});

export const tillOutput = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  createdAt: z.date(),
  apiClientCount: z.number().int(),
});

export const apiGroupOutput = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  builtIn: z.boolean(),
  createdAt: z.date(),
  clientCount: z.number().int(),
});

export const groupDeletionOutput = z.object({
  group: apiGroupOutput.omit({ clientCount: true }),
  affectedClients: z.number().int(),
});

export type OrganizationSettingsView = z.output<typeof organizationSettingsOutput>;
export type Till = z.output<typeof tillOutput>;
export type ApiGroup = z.output<typeof apiGroupOutput>;
export type GroupDeletionPreview = z.output<typeof groupDeletionOutput>;

/** The raw form values the dialogs send; the actions parse them with the shared schemas. */
export type CreateTillFormInput = z.input<typeof createTillSchema>;
export type CreateTillFieldErrors = Partial<Record<CreateTillFields, string>>;
export type CreateApiGroupFormInput = z.input<typeof createApiGroupSchema>;
export type CreateApiGroupFieldErrors = Partial<Record<CreateApiGroupFields, string>>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
import type { ActionFailure } from "@/lib/forms/action-result";

export type { ActionFailure };

export type GetSettingsResult = { ok: true; settings: OrganizationSettingsView } | ActionFailure;

export type SetBasicAuthResult =
  | { ok: true; changed: boolean; settings: OrganizationSettingsView }
  | ActionFailure;

export type ListTillsResult = { ok: true; tills: Till[] } | ActionFailure;

export type CreateTillResult =
  | { ok: true; till: Omit<Till, "apiClientCount"> }
  | { ok: false; fieldErrors: CreateTillFieldErrors }
  | ActionFailure;

/** `inUse`: API clients act as the till, and `formError` says how many. */
export type DeleteTillResult =
  | { ok: true; deleted: { id: string; code: string; name: string } }
  | (ActionFailure & { notFound?: boolean; inUse?: boolean });

export type ListApiGroupsResult = { ok: true; groups: ApiGroup[] } | ActionFailure;

export type CreateApiGroupResult =
  | { ok: true; group: Omit<ApiGroup, "clientCount"> }
  | { ok: false; fieldErrors: CreateApiGroupFieldErrors }
  | ActionFailure;

/** `preview: null` means the group no longer exists. */
export type DescribeGroupDeletionResult =
  | { ok: true; preview: GroupDeletionPreview | null }
  | ActionFailure;

export type DeleteApiGroupResult =
  | {
      ok: true;
      deleted: { id: string; slug: string; name: string };
      affectedClients: number;
    }
  | (ActionFailure & { notFound?: boolean });
