import { z } from "zod";
import { apiAccessOutput } from "@/lib/api-access/schema";
import type { ActionFailure } from "@/lib/forms/action-result";
import { type ListPageResult, pageOutput } from "@/lib/paging/contract";
import { AUTH_TYPES, CONNECTION_STATUSES, FIELD_TYPES, OAUTH_SECRET_PROPERTIES } from "./schema";

/**
 * What leaves the server about integrations, for the console and for the public API. The output
 * schemas are allowlists: every answer is parsed through one before it is sent, so a property
 * the service grows later (a sealed credential, say) is dropped instead of shipped. zod objects
 * strip unknown keys by default, which is the point here.
 */

export const authFieldOutput = z.object({
  slug: z.string(),
  label: z.string(),
  type: z.enum(FIELD_TYPES),
  description: z.string(),
  placeholder: z.string().nullable(),
  required: z.boolean(),
});

/** An auth field as the seed answers it (and as the console's forms render it). */
export type AuthFieldOutput = z.output<typeof authFieldOutput>;

/** The seed's oauthClient: the write-only credentials are never part of it. */
export const oauthClientOutput = z.object({
  scopes: z.string().nullable(),
  label: z.string().nullable(),
  authorizationCode: z.string(),
  accessTokenCode: z.string(),
  refreshTokenCode: z.string(),
});

/** The seed's `integration` object, the body of the public API's answers. */
export const integrationAuthOutput = z.object({
  id: z.string(),
  authType: z.enum(AUTH_TYPES),
  authTestCode: z.string().nullable(),
  authFields: z.array(authFieldOutput),
  oauthClient: oauthClientOutput.nullable(),
});

export type IntegrationAuthOutput = z.output<typeof integrationAuthOutput>;

export const integrationListItemOutput = z.object({
  id: z.string(),
  name: z.string(),
  authType: z.enum(AUTH_TYPES),
  createdAt: z.date(),
});

/** Which write-only credentials are stored: the console shows "stored", never the value. */
const storedCredentialsOutput = z.object(
  Object.fromEntries(OAUTH_SECRET_PROPERTIES.map((property) => [property, z.boolean()])) as Record<
    (typeof OAUTH_SECRET_PROPERTIES)[number],
    z.ZodBoolean
  >,
);

export const integrationDetailOutput = integrationListItemOutput.extend({
  description: z.string(),
  authTestCode: z.string().nullable(),
  authFields: z.array(authFieldOutput.extend({ id: z.string() })),
  oauthClient: oauthClientOutput.extend({ stored: storedCredentialsOutput }).nullable(),
  apiAccess: apiAccessOutput,
  connectionCount: z.number().int(),
  connectReturnUrls: z.array(z.string()),
  createdBy: z.string(),
  authUpdatedAt: z.date().nullable(),
});

export type IntegrationListItem = z.output<typeof integrationListItemOutput>;
export type IntegrationDetail = z.output<typeof integrationDetailOutput>;

export const connectionOutput = z.object({
  id: z.string(),
  integrationId: z.string(),
  /** null for the service connection of a SERVICE_ACCOUNT integration. */
  endUserId: z.string().nullable(),
  status: z.enum(CONNECTION_STATUSES),
  createdBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  lastTestedAt: z.date().nullable(),
});

export type ConnectionOutput = z.output<typeof connectionOutput>;

export const sandboxReportOutput = z.object({
  ok: z.boolean(),
  kind: z.string().optional(),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
  fetches: z.array(
    z.object({
      method: z.string(),
      url: z.string(),
      status: z.number().int().nullable(),
      error: z.string().optional(),
    }),
  ),
  logs: z.array(z.string()),
  durationMs: z.number(),
});

export type SandboxReport = z.output<typeof sandboxReportOutput>;

/**
 * "Test with sample values" also shows what the code returned. Only the console's test gets it:
 * the public API's 422 reports a failed test, which returns nothing. The sandbox has already
 * bounded the value's size and redacted the secrets from it.
 */
export const sampleTestReportOutput = sandboxReportOutput.extend({
  value: z.json().optional(),
});

export type SampleTestReport = z.output<typeof sampleTestReportOutput>;

export type { ActionFailure };

export type ListIntegrationsResult = ListPageResult<IntegrationListItem>;

/** The allowlist for a page of the list leaving the server. */
export const integrationListPageOutput = pageOutput(integrationListItemOutput);
export type GetIntegrationResult =
  | { ok: true; integration: IntegrationDetail | null }
  | ActionFailure;

export type FieldErrors = Record<string, string>;

export type CreateIntegrationResult =
  | { ok: true; integration: IntegrationDetail }
  | { ok: false; fieldErrors: FieldErrors }
  | ActionFailure;

export type DeleteIntegrationResult =
  | { ok: true; deleted: { id: string; name: string; connectionsDeleted: number } }
  | (ActionFailure & { notFound?: boolean });

/** Field errors are keyed by path, e.g. "authFields.1.slug" or "oauthClient.tokenUrl". */
export type UpdateAuthResult =
  | { ok: true; integration: IntegrationDetail; connectionsDeleted: number }
  | { ok: false; fieldErrors: FieldErrors }
  | (ActionFailure & { notFound?: boolean });

export type TestAuthCodeResult =
  | { ok: true; report: SampleTestReport }
  | { ok: false; fieldErrors: FieldErrors }
  | ActionFailure;

export type ListConnectionsResult =
  | { ok: true; connections: ConnectionOutput[]; nextCursor: string | null }
  | ActionFailure;

export type CreateConnectionResult =
  | { ok: true; connection: ConnectionOutput; replaced: boolean }
  | { ok: false; fieldErrors: FieldErrors }
  | { ok: false; testFailed: SandboxReport }
  | ActionFailure;

export type DeleteConnectionResult = { ok: true } | (ActionFailure & { notFound?: boolean });

export type SetReturnUrlsResult =
  | { ok: true; integration: IntegrationDetail }
  | { ok: false; fieldErrors: FieldErrors }
  | (ActionFailure & { notFound?: boolean });

/** "Connect as…": the link is shown once, from this answer. */
export type CreateConnectLinkResult =
  | { ok: true; link: { id: string; url: string; expiresAt: Date } }
  | { ok: false; fieldErrors: FieldErrors }
  | (ActionFailure & { notFound?: boolean });

export type SetApiAccessResult =
  | { ok: true; integration: IntegrationDetail }
  | { ok: false; fieldErrors: FieldErrors }
  | (ActionFailure & { notFound?: boolean });
