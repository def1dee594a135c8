import "server-only";
import { randomUUID } from "node:crypto";
import { asc, count, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database, Executor, Transaction } from "@/db/client";
import {
  integrationApiClients,
  integrationAuthFields,
  integrationConnections,
  integrationOAuthClients,
  integrations,
} from "@/db/schema";
import type { ApiAccess, ApiAccessInput } from "@/lib/api-access/schema";
import {
  type AccessList,
  type ApiAccessCaller,
  accessAllowed,
  checkAccess,
  readAccess,
  setAccess,
} from "@/lib/api-access/service";
import { type ActorContext, type ChangeContext, recordAudit } from "@/lib/audit/service";
import { type Keyring, seal } from "@/lib/crypto";
import {
  sealBindingFor,
  integrationOAuthSealedColumns as sealedOAuth,
} from "@/lib/crypto/registry";
import { newId } from "@/lib/ids";
import type { Page } from "@/lib/paging/contract";
import { pageFrom } from "@/lib/paging/keyset";
import {
  type ListOptions,
  type ListSpec,
  listOrder,
  listWhere,
  pageLimit,
} from "@/lib/paging/list-query";
import type { Sandbox } from "@/lib/sandbox/types";
import {
  type AuthType,
  type CreateIntegrationInput,
  type FieldType,
  OAUTH_AUTH_TYPES,
  OAUTH_CODE_PROPERTIES,
  type OAuthClientInput,
  type OAuthSecretProperty,
  type UpdateAuthInput,
} from "./schema";

/**
 * The integrations area's rules, shared by the console's actions and the public API's routes.
 * Functions take the database (and keyring, sandbox) as parameters so tests run them on PGlite
 * and PostgreSQL alike. lib/integrations/README.md explains the decisions.
 */

export interface AuthField {
  id: string;
  slug: string;
  label: string;
  type: FieldType;
  description: string;
  placeholder: string | null;
  required: boolean;
}

export interface OAuthClientView {
  scopes: string | null;
  label: string | null;
  authorizationCode: string;
  accessTokenCode: string;
  refreshTokenCode: string;
  /** Which write-only credentials are stored; their values never leave the server. */
  stored: Record<OAuthSecretProperty, boolean>;
}

export interface IntegrationListItem {
  id: string;
  name: string;
  authType: AuthType;
  createdAt: Date;
}

export interface Integration extends IntegrationListItem {
  description: string;
  authTestCode: string | null;
  authVersion: number;
  authRevision: number;
  authFields: AuthField[];
  oauthClient: OAuthClientView | null;
  apiAccess: ApiAccess;
  connectionCount: number;
  /** Where connect links may send the end user back to (connect-sessions.ts, returnUrlAllowed). */
  connectReturnUrls: string[];
  createdBy: string;
  authUpdatedAt: Date | null;
}

type IntegrationRow = typeof integrations.$inferSelect;
type OAuthClientRow = typeof integrationOAuthClients.$inferSelect;

export async function createIntegration(
  db: Database,
  input: CreateIntegrationInput,
  context: ChangeContext,
): Promise<Integration> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(integrations).values({
      id,
      name: input.name,
      description: input.description,
      createdById: context.actor.id,
      createdByLabel: context.actor.label,
    });
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.created",
      target: { type: "integration", id },
      clientAddress: context.clientAddress,
      details: { name: input.name },
    });
  });
  return await readBack(db, id);
}

/** The console list's order, keyset and search (lib/paging/list-query.ts). */
const listSpec: ListSpec = {
  key: integrations.name,
  id: integrations.id,
  contains: [integrations.name],
  prefix: [integrations.name],
  validId: (id) => z.uuid().safeParse(id).success,
};

/**
 * One page of integrations by name (any case), then id, on `integrations_name_lower_idx`;
 * `search` matches part of the name. Throws InvalidCursorError for a cursor not ours.
 */
export async function listIntegrations(
  executor: Executor,
  options: ListOptions = {},
): Promise<Page<IntegrationListItem>> {
  const limit = pageLimit(options.limit);
  const rows = await integrationPageQuery(executor, options, limit);
  return pageFrom(rows, (integration) => integration.name, limit);
}

/** The query behind a page, unrun: the plan tests and the bench EXPLAIN it. */
export function integrationPageQuery(executor: Executor, options: ListOptions, limit: number) {
  return executor
    .select({
      id: integrations.id,
      name: integrations.name,
      authType: integrations.authType,
      createdAt: integrations.createdAt,
    })
    .from(integrations)
    .where(listWhere(listSpec, options))
    .orderBy(...listOrder(listSpec))
    .limit(limit + 1);
}

export async function getIntegration(executor: Executor, id: string): Promise<Integration | null> {
  const [row] = await executor.select().from(integrations).where(eq(integrations.id, id));
  if (!row) return null;
  const [fields, [oauthClient], apiAccess, [connections]] = await Promise.all([
    selectFields(executor, id),
    executor
      .select()
      .from(integrationOAuthClients)
      .where(eq(integrationOAuthClients.integrationId, id)),
    readAccess(executor, integrationAccess, id, { mode: row.apiAccess, tills: row.apiAccessTills }),
    executor
      .select({ total: count() })
      .from(integrationConnections)
      .where(eq(integrationConnections.integrationId, id)),
  ]);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    authType: row.authType,
    authTestCode: row.authTestCode,
    authVersion: row.authVersion,
    authRevision: row.authRevision,
    authFields: fields,
    oauthClient: oauthClient ? toOAuthView(oauthClient) : null,
    apiAccess,
    connectionCount: connections?.total ?? 0,
    connectReturnUrls: row.connectReturnUrls,
    createdAt: row.createdAt,
    createdBy: row.createdByLabel,
    authUpdatedAt: row.authUpdatedAt,
  };
}

/**
 * The integration a change just wrote, read back for the answer. A delete landing in between
 * is possible but an error here: the caller's change did happen.
 */
async function readBack(executor: Executor, id: string): Promise<Integration> {
  const integration = await getIntegration(executor, id);
  if (!integration) throw new Error(`Integration ${id} was deleted while it was being changed`);
  return integration;
}

function selectFields(executor: Executor, integrationId: string): Promise<AuthField[]> {
  return executor
    .select({
      id: integrationAuthFields.id,
      slug: integrationAuthFields.slug,
      label: integrationAuthFields.label,
      type: integrationAuthFields.type,
      description: integrationAuthFields.description,
      placeholder: integrationAuthFields.placeholder,
      required: integrationAuthFields.required,
    })
    .from(integrationAuthFields)
    .where(eq(integrationAuthFields.integrationId, integrationId))
    .orderBy(asc(integrationAuthFields.position));
}

function toOAuthView(row: OAuthClientRow): OAuthClientView {
  return {
    scopes: row.scopes,
    label: row.label,
    authorizationCode: row.authorizationCode,
    accessTokenCode: row.accessTokenCode,
    refreshTokenCode: row.refreshTokenCode,
    stored: {
      authUrl: row.authUrlSealed !== null,
      tokenUrl: row.tokenUrlSealed !== null,
      clientId: row.clientIdSealed !== null,
      clientSecret: row.clientSecretSealed !== null,
    },
  };
}

export async function countConnections(executor: Executor, integrationId: string): Promise<number> {
  const [row] = await executor
    .select({ total: count() })
    .from(integrationConnections)
    .where(eq(integrationConnections.integrationId, integrationId));
  return row?.total ?? 0;
}

export type DeleteIntegrationResult =
  | { ok: true; deleted: { id: string; name: string; connectionsDeleted: number } }
  | { ok: false; error: "not_found" };

/** Deletes the integration with its fields, OAuth client, access list and connections. */
export async function deleteIntegration(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<DeleteIntegrationResult> {
  return db.transaction(async (tx) => {
    const connectionsDeleted = await countConnectionsLocked(tx, id);
    const [deleted] = await tx
      .delete(integrations)
      .where(eq(integrations.id, id))
      .returning({ id: integrations.id, name: integrations.name });
    if (!deleted) return { ok: false, error: "not_found" } as const;
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.deleted",
      target: { type: "integration", id },
      clientAddress: context.clientAddress,
      details: { name: deleted.name, connectionsDeleted },
    });
    return { ok: true, deleted: { ...deleted, connectionsDeleted } } as const;
  });
}

/**
 * Locks the integration row (so no connection can be added meanwhile: connection writes take a
 * share lock on it) and counts its connections.
 */
async function countConnectionsLocked(tx: Transaction, id: string): Promise<number> {
  await tx
    .select({ id: integrations.id })
    .from(integrations)
    .where(eq(integrations.id, id))
    .for("update");
  return countConnections(tx, id);
}

export type UpdateAuthResult =
  | { ok: true; integration: Integration; connectionsDeleted: number }
  | { ok: false; error: "not_found" }
  /** A code property does not parse; `path` names it, `message` is the parser's. */
  | { ok: false; error: "invalid_code"; path: (string | number)[]; message: string }
  /** The sandbox could not check the code (busy or restarting); nothing was saved. */
  | { ok: false; error: "sandbox_unavailable" };

export interface UpdateAuthDependencies {
  keyring: Keyring;
  sandbox: Pick<Sandbox, "checkSyntax">;
}

/**
 * Applies the seed's PATCH …/auth in one transaction:
 * - authFields are replaced as a whole (left out: no fields);
 * - changing authType deletes every connection and the OAuth client, and moves authVersion on,
 *   so a connection being created under the old type fails its foreign key;
 * - NONE, API_KEY and SERVICE_ACCOUNT delete any OAuth client;
 * - oauthClient properties left out keep their stored values; null clears one.
 */
export async function updateIntegrationAuth(
  db: Database,
  deps: UpdateAuthDependencies,
  id: string,
  input: UpdateAuthInput,
  context: ActorContext,
): Promise<UpdateAuthResult> {
  const codeProblem = await findCodeProblem(deps.sandbox, input);
  if (codeProblem === "unavailable") return { ok: false, error: "sandbox_unavailable" };
  if (codeProblem) return { ok: false, error: "invalid_code", ...codeProblem };

  const outcome = await db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(integrations)
      .where(eq(integrations.id, id))
      .for("update");
    if (!current) return null;
    const typeChanged = current.authType !== input.authType;
    const connectionsDeleted = typeChanged ? await deleteConnections(tx, id) : 0;
    const oauthChange = await applyOAuthClient(tx, deps.keyring, current, input, typeChanged);
    await replaceFields(tx, id, input.authFields ?? []);
    await tx
      .update(integrations)
      .set({
        authType: input.authType,
        // Blank code would pass every test: it is stored as no code at all.
        ...(input.authTestCode !== undefined
          ? { authTestCode: input.authTestCode?.trim() ? input.authTestCode : null }
          : {}),
        authVersion: typeChanged ? current.authVersion + 1 : current.authVersion,
        authRevision: current.authRevision + 1,
        authUpdatedAt: new Date(),
      })
      .where(eq(integrations.id, id));
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.auth_updated",
      target: { type: "integration", id },
      clientAddress: context.clientAddress,
      details: {
        authType: input.authType,
        ...(typeChanged ? { previousAuthType: current.authType } : {}),
        fields: (input.authFields ?? []).length,
        testCode:
          input.authTestCode === undefined
            ? "kept"
            : input.authTestCode?.trim()
              ? "set"
              : "cleared",
        connectionsDeleted,
        oauthClient: oauthChange,
      },
    });
    return { connectionsDeleted };
  });
  if (!outcome) return { ok: false, error: "not_found" };
  return {
    ok: true,
    integration: await readBack(db, id),
    connectionsDeleted: outcome.connectionsDeleted,
  };
}

/** Every code property must parse as an async function body; the first that does not is named. */
async function findCodeProblem(
  sandbox: Pick<Sandbox, "checkSyntax">,
  input: UpdateAuthInput,
): Promise<{ path: (string | number)[]; message: string } | "unavailable" | null> {
  const candidates: [(string | number)[], string | null | undefined][] = [
    [["authTestCode"], input.authTestCode],
    ...OAUTH_CODE_PROPERTIES.map(
      (property) =>
        [["oauthClient", property], input.oauthClient?.[property]] as [
          (string | number)[],
          string | null | undefined,
        ],
    ),
  ];
  for (const [path, code] of candidates) {
    if (!code?.trim()) continue;
    const checked = await sandbox.checkSyntax(code);
    if (!checked.ok)
      return checked.unavailable ? "unavailable" : { path, message: checked.message };
  }
  return null;
}

async function deleteConnections(tx: Transaction, integrationId: string): Promise<number> {
  const deleted = await tx
    .delete(integrationConnections)
    .where(eq(integrationConnections.integrationId, integrationId))
    .returning({ id: integrationConnections.id });
  return deleted.length;
}

async function replaceFields(
  tx: Transaction,
  integrationId: string,
  fields: NonNullable<UpdateAuthInput["authFields"]>,
): Promise<void> {
  await tx
    .delete(integrationAuthFields)
    .where(eq(integrationAuthFields.integrationId, integrationId));
  if (fields.length === 0) return;
  await tx.insert(integrationAuthFields).values(
    fields.map((field, position) => ({
      id: newId("fld"),
      integrationId,
      position,
      slug: field.slug,
      label: field.label,
      type: field.type,
      description: field.description,
      placeholder: field.placeholder ?? null,
      required: field.required,
    })),
  );
}

type OAuthClientChange = "none" | "deleted" | "kept" | "created" | "updated";

/**
 * The OAuth client after this update: none for non-OAuth types, a fresh one after a type change,
 * otherwise the stored one with the sent properties applied. Returns what happened, for the audit.
 */
async function applyOAuthClient(
  tx: Transaction,
  keyring: Keyring,
  current: IntegrationRow,
  input: UpdateAuthInput,
  typeChanged: boolean,
): Promise<OAuthClientChange> {
  const where = eq(integrationOAuthClients.integrationId, current.id);
  const [existing] = await tx.select().from(integrationOAuthClients).where(where);
  const keepsClient = OAUTH_AUTH_TYPES.includes(input.authType) && !typeChanged;
  if (existing && (!keepsClient || input.oauthClient === null)) {
    await tx.delete(integrationOAuthClients).where(where);
  }
  const base = existing && keepsClient && input.oauthClient !== null ? existing : undefined;
  if (!OAUTH_AUTH_TYPES.includes(input.authType) || !input.oauthClient) {
    if (base) return "kept";
    return existing ? "deleted" : "none";
  }
  const values = oauthClientValues(keyring, current.id, input.oauthClient, base);
  await tx
    .insert(integrationOAuthClients)
    .values(values)
    .onConflictDoUpdate({ target: integrationOAuthClients.integrationId, set: values });
  return base ? "updated" : "created";
}

function oauthClientValues(
  keyring: Keyring,
  integrationId: string,
  input: OAuthClientInput,
  base: OAuthClientRow | undefined,
): typeof integrationOAuthClients.$inferInsert {
  const plain = <Key extends "scopes" | "label">(key: Key) =>
    input[key] === undefined ? (base?.[key] ?? null) : input[key] || null;
  const code = (key: (typeof OAUTH_CODE_PROPERTIES)[number]) =>
    input[key] === undefined ? (base?.[key] ?? "") : (input[key] ?? "");
  const sealed = (property: OAuthSecretProperty) => {
    const value = input[property];
    if (value === undefined) return base?.[`${property}Sealed`] ?? null;
    if (!value) return null;
    return seal(keyring, value, sealBindingFor(sealedOAuth[property], integrationId));
  };
  return {
    integrationId,
    scopes: plain("scopes"),
    label: plain("label"),
    authorizationCode: code("authorizationCode"),
    accessTokenCode: code("accessTokenCode"),
    refreshTokenCode: code("refreshTokenCode"),
    authUrlSealed: sealed("authUrl"),
    tokenUrlSealed: sealed("tokenUrl"),
    clientIdSealed: sealed("clientId"),
    clientSecretSealed: sealed("clientSecret"),
    updatedAt: new Date(),
  };
}

export type SetApiAccessResult =
  | { ok: true; integration: Integration }
  | { ok: false; error: "not_found" | "unknown_client" };

/** Who may manage an integration through the public API (lib/api-access). */
export const integrationAccess: AccessList = {
  table: integrations,
  id: integrations.id,
  mode: integrations.apiAccess,
  tills: integrations.apiAccessTills,
  members: integrationApiClients,
  memberRecord: integrationApiClients.integrationId,
  memberClient: integrationApiClients.apiClientId,
  auditAction: "integration.api_access_changed",
  targetType: "integration",
};

/** Which API clients (and whether tills) may manage the integration through the public API. */
export async function setApiAccess(
  db: Database,
  id: string,
  access: ApiAccessInput,
  context: ChangeContext,
): Promise<SetApiAccessResult> {
  const result = await setAccess(db, integrationAccess, id, access, context);
  if (!result.ok) return result;
  return { ok: true, integration: await readBack(db, id) };
}

/** Who calls the public API, as far as integration access is concerned. */
export type IntegrationCaller = ApiAccessCaller;

/**
 * Whether the caller may manage this integration through the API: "all" lets every caller that
 * passed the scope check in; "selected" lets only the listed API clients in, and tills only when
 * the list says so. One indexed query.
 */
export function checkApiAccess(
  executor: Executor,
  integrationId: string,
  caller: IntegrationCaller,
): Promise<"allowed" | "forbidden" | "not_found"> {
  return checkAccess(executor, integrationAccess, eq(integrations.id, integrationId), caller);
}

/** The access rule as a condition on a row of `integrations` (GET …/credentials uses it). */
export function apiAccessAllowed(caller: IntegrationCaller): SQL<boolean> {
  return accessAllowed(integrationAccess, caller);
}
