import { z } from "zod";
import { apiAccessOutput } from "@/lib/api-access/schema";
import type { ActionFailure } from "@/lib/forms/action-result";
import { type ListPageResult, pageOutput } from "@/lib/paging/contract";
import { AUTH_METHODS, type CreateAuthConfigFields, type createAuthConfigSchema } from "./schema";

/**
 * What the console receives about auth configs, shared by the server (page and actions) and the
 * browser. The output schemas are allowlists: the server parses every list and detail through
 * them before sending, so a field the service grows later (a secret, say) is dropped instead of
 * shipped to the browser. zod objects strip unknown keys by default, which is the point here.
 */
export const authConfigIdSchema = z.string().regex(/^cfg_[A-Za-z0-9]{1,64}$/);

export const authConfigListItemOutput = z.object({
  id: z.string(),
  identifier: z.string(),
  type: z.literal("oauth2_client_credentials"),
  createdAt: z.date(),
});

/** The sealed fields; one that does not open with this server's keys is null in the detail. */
export const SEALED_AUTH_CONFIG_FIELDS = ["tokenUrl", "scope", "clientId", "clientSecret"] as const;

export const authConfigDetailOutput = authConfigListItemOutput.extend({
  tokenUrl: z.string().nullable(),
  scope: z.string().nullable(),
  clientId: z.string().nullable(),
  /** Which sealed fields do not open, and what to do (the token route's words); null if none. */
  unreadable: z
    .object({ fields: z.array(z.enum(SEALED_AUTH_CONFIG_FIELDS)), message: z.string() })
    .nullable(),
  authMethod: z.enum(AUTH_METHODS),
  audience: z.string().nullable(),
  description: z.string().nullable(),
  createdBy: z.string(),
  lastUsedAt: z.date().nullable(),
  tokensFetched: z.number().int(),
  /** The config this one replaced under the same identifier; its row is gone. */
  replacesId: z.string().nullable(),
  apiAccess: apiAccessOutput,
});

export type AuthConfigListItem = z.output<typeof authConfigListItemOutput>;
export type AuthConfigDetail = z.output<typeof authConfigDetailOutput>;

/** The raw form values the create dialog sends; the action parses them with the shared schema. */
export type CreateAuthConfigFormInput = z.input<ReturnType<typeof createAuthConfigSchema>>;
export type CreateAuthConfigFieldErrors = Partial<Record<CreateAuthConfigFields, string>>;

/** Something unexpected: a generic message for people, the real cause in the server log. */
export type { ActionFailure };

export type ListAuthConfigsResult = ListPageResult<AuthConfigListItem>;

/** The allowlist for a page of the list leaving the server. */
export const authConfigListPageOutput = pageOutput(authConfigListItemOutput);

/** `config: null` means there is no config with that id (deleted, or never existed). */
export type GetAuthConfigResult = { ok: true; config: AuthConfigDetail | null } | ActionFailure;

export type CreateAuthConfigResult =
  | { ok: true; config: AuthConfigDetail }
  | { ok: false; fieldErrors: CreateAuthConfigFieldErrors }
  | ActionFailure;

/** Replace answers like create; `notFound` when the config to replace is already gone. */
export type ReplaceAuthConfigResult =
  | CreateAuthConfigResult
  | (ActionFailure & { notFound?: boolean });

export type DeleteAuthConfigResult =
  | { ok: true; deleted: { id: string; identifier: string } }
  | (ActionFailure & { notFound?: boolean });

/** A test's outcome. Never the token itself: only what an admin needs to judge the config. */
export type TestAuthConfigResult =
  | { ok: true; tokenType: string; scope: string | null; expiresAt: Date }
  | { ok: false; code: string; oauthError: string | null; status: number | null; message: string }
  | ActionFailure;

export const AUTH_CONFIG_TYPE_LABEL = "OAuth 2.0 client credentials";

/** Saving the access list: the list as saved, or why not. */
export type SetAuthConfigAccessResult =
  | { ok: true; access: z.output<typeof apiAccessOutput> }
  | { ok: false; fieldErrors: { clientIds?: string } }
  | (ActionFailure & { notFound?: boolean });
