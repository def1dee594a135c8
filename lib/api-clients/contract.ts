import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";
import { type ListPageResult, pageOutput } from "@/lib/paging/contract";
import type { RegisterApiClientFields, registerApiClientSchema } from "./schema";

/**
 * What the console receives about API clients, shared by the server (page and actions) and the
 * browser. The output schemas are allowlists: the server parses every list and detail through
 * them before sending, so a field the service grows later (the secret's hash, say) is dropped
 * instead of shipped. zod objects strip unknown keys by default, which is the point here.
 *
 * The client secret has no place in these schemas. It travels once, as its own field of the
 * registration result, and the browser keeps it in component state only.
 */
export const apiClientIdSchema = z.string().regex(/^cli_[A-Za-z0-9]{1,64}$/);

export const apiClientListItemOutput = z.object({
  id: z.string(),
  name: z.string(),
  clientKey: z.string(),
  createdAt: z.date(),
});

export const apiClientDetailOutput = apiClientListItemOutput.extend({
  description: z.string().nullable(),
  secretPrefix: z.string(),
  tokenTtlMinutes: z.number().int(),
  permissions: z.array(
    z.object({
      groupId: z.string(),
      slug: z.string(),
      name: z.string(),
      level: z.enum(["read", "write"]),
    }),
  ),
  scopes: z.array(z.string()),
  till: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  createdBy: z.string(),
  lastUsedAt: z.date().nullable(),
  secretRolledAt: z.date().nullable(),
  /** The old secret while its grace period runs: its visible prefix and when it stops. */
  previousSecretPrefix: z.string().nullable(),
  previousSecretExpiresAt: z.date().nullable(),
  tokensValidAfter: z.date().nullable(),
});

export type ApiClientListItem = z.output<typeof apiClientListItemOutput>;
/** The allowlist for a page of the list leaving the server. */
export const apiClientListPageOutput = pageOutput(apiClientListItemOutput);
export type ApiClientDetail = z.output<typeof apiClientDetailOutput>;

/** The raw form values the register form sends; the action parses them with the shared schema. */
export type RegisterApiClientFormInput = z.input<typeof registerApiClientSchema>;
export type RegisterApiClientFieldErrors = Partial<Record<RegisterApiClientFields, string>>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
export type { ActionFailure };

export type ListApiClientsResult = ListPageResult<ApiClientListItem>;

/** `client: null` means there is no client with that id (deleted, or never existed). */
export type GetApiClientResult = { ok: true; client: ApiClientDetail | null } | ActionFailure;

/** The only response that ever carries a client secret. */
export type RegisterApiClientResult =
  | { ok: true; client: ApiClientDetail; clientKey: string; clientSecret: string }
  | { ok: false; fieldErrors: RegisterApiClientFieldErrors }
  | ActionFailure;

/** The only other response that carries a client secret: the new one, after a roll. */
export type RollApiClientSecretResult =
  | { ok: true; client: ApiClientDetail; clientSecret: string }
  | { ok: false; fieldErrors: { gracePeriod?: string } }
  | (ActionFailure & { notFound?: boolean });

/** Expiring the old secret early, or revoking all tokens: the client as it is now. */
export type ApiClientChangeResult =
  | { ok: true; client: ApiClientDetail }
  | (ActionFailure & { notFound?: boolean });

export type DeleteApiClientResult =
  | { ok: true; deleted: { id: string; name: string } }
  | (ActionFailure & { notFound?: boolean });
