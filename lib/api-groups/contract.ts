import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";
import type { CreateApiGroupFields, createApiGroupSchema } from "./schema";

/**
 * What the console receives about API groups, shared by the server (pages and actions) and the
 * browser. The output schemas are allowlists: the server parses every group it sends through
 * them, so a field the service grows later is dropped instead of shipped. zod objects strip
 * unknown keys by default.
 */
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

export type ApiGroup = z.output<typeof apiGroupOutput>;
export type GroupDeletionPreview = z.output<typeof groupDeletionOutput>;

/** The raw form values the dialog sends; the action parses them with the shared schema. */
export type CreateApiGroupFormInput = z.input<typeof createApiGroupSchema>;
export type CreateApiGroupFieldErrors = Partial<Record<CreateApiGroupFields, string>>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
export type { ActionFailure };

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
