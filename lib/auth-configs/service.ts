import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { authConfigs } from "@/db/schema";
import type { ApiAccess } from "@/lib/api-access/schema";
import { type ChangeContext, recordAudit, recordAuditAtMostEvery } from "@/lib/audit/service";
import { type Keyring, open, SealError, seal } from "@/lib/crypto";
import { sealBindingFor, authConfigSealedColumns as sealed } from "@/lib/crypto/registry";
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
import { grantClients, readAuthConfigAccess, readGrantedClientIds } from "./access";
import type { AuthMethod, CreateAuthConfigInput } from "./schema";
import {
  describeTokenError,
  describeUnreadableConfig,
  TokenBrokerError,
  type TokenBrokerErrorCode,
} from "./token-errors";

/**
 * Auth configs are created and deleted, never changed: there is no update function here, and
 * a test checks that none appears. Replacing one (`replaceAuthConfig`) deletes it and creates
 * its successor under the same identifier in one transaction: no row is ever modified.
 */
export interface AuthConfigListItem {
  id: string;
  identifier: string;
  type: "oauth2_client_credentials";
  createdAt: Date;
}

/** A sealed column of a config, as the console names it. */
export type SealedAuthConfigField = keyof typeof sealed;

/**
 * What the console may show: every field except the client secret, which never leaves. A sealed
 * field that does not open (docs/sealed-data.md) is null and named in `unreadable`, so the config
 * can still be seen, replaced and deleted.
 */
export interface AuthConfigView extends AuthConfigListItem {
  tokenUrl: string | null;
  scope: string | null;
  clientId: string | null;
  /** The sealed fields that do not open, the client secret included; null when all open. */
  unreadable: { fields: SealedAuthConfigField[]; message: string } | null;
  authMethod: AuthMethod;
  audience: string | null;
  description: string | null;
  createdBy: string;
  lastUsedAt: Date | null;
  tokensFetched: number;
  /** The config this one replaced under the same identifier, if any (its row is gone). */
  replacesId: string | null;
  /** Who may fetch its tokens through the API: policy beside the config (./access.ts). */
  apiAccess: ApiAccess;
}

/** What the token broker needs to ask for a token. Server-side only. */
export interface AuthConfigCredentials {
  id: string;
  identifier: string;
  tokenUrl: string;
  scope: string;
  clientId: string;
  clientSecret: string;
  authMethod: AuthMethod;
  audience: string | null;
}

type Row = typeof authConfigs.$inferSelect;

/**
 * What testing and deleting a config need of the token broker (./token-broker.ts). Declared
 * here rather than imported because the broker reads configs through this module.
 */
export interface ConfigTokens {
  getAccessToken(
    identifier: string,
  ): Promise<{ tokenType: string; scope: string | null; expiresAt: Date }>;
  /** Writes the usage the broker batches. */
  flushUsage(): Promise<void>;
  /** Drops the cached token for the identifier. */
  forget(identifier: string): void;
}

export type CreateAuthConfigResult =
  | { ok: true; config: AuthConfigView }
  | { ok: false; error: "identifier_taken" };

/** What a replacement takes over from the config it replaces: its usage and who may use it. */
interface Predecessor {
  id: string;
  lastUsedAt: Date | null;
  tokensFetched: number;
  apiAccess: Row["apiAccess"];
  apiAccessTills: boolean;
}

/** Inserts a config with its credentials sealed to its new row id. */
async function insertConfig(
  executor: Executor,
  keyring: Keyring,
  input: CreateAuthConfigInput,
  context: ChangeContext,
  predecessor?: Predecessor,
): Promise<Row> {
  const id = newId("cfg");
  const sealValue = (column: SealedAuthConfigField, value: string) =>
    seal(keyring, value, sealBindingFor(sealed[column], id));
  const [inserted] = await executor
    .insert(authConfigs)
    .values({
      id,
      identifier: input.identifier,
      type: "oauth2_client_credentials",
      tokenUrlSealed: sealValue("tokenUrl", input.tokenUrl),
      scopeSealed: sealValue("scope", input.scope),
      clientIdSealed: sealValue("clientId", input.clientId),
      clientSecretSealed: sealValue("clientSecret", input.clientSecret),
      authMethod: input.authMethod,
      audience: input.audience ?? null,
      description: input.description ?? null,
      createdById: context.actor.id,
      createdByLabel: context.actor.label,
      replacesId: predecessor?.id ?? null,
      lastUsedAt: predecessor?.lastUsedAt ?? null,
      tokensFetched: predecessor?.tokensFetched ?? 0,
      // A new config lets nobody in (the column's default); a replacement keeps its access.
      apiAccess: predecessor?.apiAccess,
      apiAccessTills: predecessor?.apiAccessTills,
    })
    .returning();
  return inserted as Row;
}

export async function createAuthConfig(
  db: Database,
  keyring: Keyring,
  input: CreateAuthConfigInput,
  context: ChangeContext,
): Promise<CreateAuthConfigResult> {
  try {
    const row = await db.transaction(async (tx) => {
      const inserted = await insertConfig(tx, keyring, input, context);
      const { id } = inserted;
      await recordAudit(tx, {
        actor: context.actor,
        action: "auth_config.created",
        target: { type: "auth_config", id },
        clientAddress: context.clientAddress,
        details: { identifier: input.identifier, authMethod: input.authMethod },
      });
      return inserted;
    });
    return {
      ok: true,
      config: toView(keyring, row, { mode: row.apiAccess, tills: false, clients: [] }),
    };
  } catch (error) {
    // The unique index on lower(identifier) decides races: the loser lands here.
    if (isUniqueViolation(error)) return { ok: false, error: "identifier_taken" };
    throw error;
  }
}

/** The console list's order, keyset and search (lib/paging/list-query.ts). */
const listSpec: ListSpec = {
  key: authConfigs.identifier,
  id: authConfigs.id,
  contains: [authConfigs.identifier],
  prefix: [authConfigs.identifier],
};

/**
 * One page of configs by identifier (any case), then id, on `auth_configs_identifier_order_idx`;
 * `search` matches part of the identifier. Throws InvalidCursorError for a cursor not ours.
 */
export async function listAuthConfigs(
  executor: Executor,
  options: ListOptions = {},
): Promise<Page<AuthConfigListItem>> {
  const limit = pageLimit(options.limit);
  const rows = await authConfigPageQuery(executor, options, limit);
  return pageFrom(rows, (config) => config.identifier, limit);
}

/** The query behind a page, unrun: the plan tests and the bench EXPLAIN it. */
export function authConfigPageQuery(executor: Executor, options: ListOptions, limit: number) {
  return executor
    .select({
      id: authConfigs.id,
      identifier: authConfigs.identifier,
      type: authConfigs.type,
      createdAt: authConfigs.createdAt,
    })
    .from(authConfigs)
    .where(listWhere(listSpec, options))
    .orderBy(...listOrder(listSpec))
    .limit(limit + 1);
}

export async function getAuthConfig(
  executor: Executor,
  keyring: Keyring,
  id: string,
): Promise<AuthConfigView | null> {
  const [row] = await executor.select().from(authConfigs).where(eq(authConfigs.id, id));
  return row ? toView(keyring, row, await readAuthConfigAccess(executor, row)) : null;
}

export async function findAuthConfigCredentials(
  executor: Executor,
  keyring: Keyring,
  identifier: string,
): Promise<AuthConfigCredentials | null> {
  const [row] = await executor
    .select()
    .from(authConfigs)
    .where(eq(sql`lower(${authConfigs.identifier})`, identifier.toLowerCase()));
  if (!row) return null;
  try {
    return {
      id: row.id,
      identifier: row.identifier,
      tokenUrl: openColumn(keyring, row, "tokenUrl"),
      scope: openColumn(keyring, row, "scope"),
      clientId: openColumn(keyring, row, "clientId"),
      clientSecret: openColumn(keyring, row, "clientSecret"),
      authMethod: row.authMethod,
      audience: row.audience,
    };
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    await auditUnreadable(executor, row, error);
    throw new TokenBrokerError("config_unreadable", { config: row.identifier });
  }
}

/** Every caller of a broken config would log the same event; once an hour says it. */
export const UNREADABLE_AUDIT_PERIOD_SECONDS = 3600;

/**
 * Records that a config's sealed credentials do not open, at most once per config per period,
 * and logs it as often. A failure to write is logged, not thrown: the caller's answer must stay
 * the typed one.
 */
async function auditUnreadable(executor: Executor, row: Row, error: SealError): Promise<void> {
  let first = true;
  try {
    first = await recordAuditAtMostEvery(
      executor,
      {
        actor: { type: "system", label: "token broker" },
        action: "auth_config.unreadable",
        target: { type: "auth_config", id: row.id },
        // SealError's message names the table, column and row, never the value or a key.
        details: { identifier: row.identifier, reason: error.reason, error: error.message },
      },
      UNREADABLE_AUDIT_PERIOD_SECONDS,
    );
  } catch (auditError) {
    console.error(`[auth-configs] auditing an unreadable config failed: ${errorName(auditError)}`);
  }
  // The log is bounded like the audit log: a line when the period's event is written.
  if (first) console.error(`[auth-configs] auth config "${row.identifier}": ${error.message}`);
}

export type DeleteAuthConfigResult =
  | {
      ok: true;
      deleted: { id: string; identifier: string; lastUsedAt: Date | null; tokensFetched: number };
    }
  | { ok: false; error: "not_found" };

/**
 * Deletes a config and forgets its cached token: a token must not outlive its config. Other
 * instances' brokers notice within their config recheck interval (5 s).
 */
export async function deleteAuthConfig(
  db: Database,
  broker: Pick<ConfigTokens, "forget">,
  id: string,
  context: ChangeContext,
): Promise<DeleteAuthConfigResult> {
  const result = await db.transaction(async (tx): Promise<DeleteAuthConfigResult> => {
    const [deleted] = await tx.delete(authConfigs).where(eq(authConfigs.id, id)).returning({
      id: authConfigs.id,
      identifier: authConfigs.identifier,
      lastUsedAt: authConfigs.lastUsedAt,
      tokensFetched: authConfigs.tokensFetched,
    });
    if (!deleted) return { ok: false, error: "not_found" };
    await recordAudit(tx, {
      actor: context.actor,
      action: "auth_config.deleted",
      target: { type: "auth_config", id },
      clientAddress: context.clientAddress,
      details: { identifier: deleted.identifier, tokensFetched: deleted.tokensFetched },
    });
    return { ok: true, deleted };
  });
  // After the commit: a rolled-back delete leaves the config, and its token stays useful.
  if (result.ok) broker.forget(result.deleted.identifier);
  return result;
}

export type ReplaceAuthConfigResult =
  | { ok: true; config: AuthConfigView; replaced: { id: string; identifier: string } }
  | { ok: false; error: "not_found" | "identifier_changed" };

/**
 * Replaces a config with a new one under the same identifier, in one transaction: the old row is
 * deleted and the new one inserted, so callers of the identifier never find it missing and go
 * from the old settings to the new ones at once. This is how an upstream client secret is
 * rotated without making configs editable. The new row names the old one (`replacesId`) and
 * takes over its usage figures (last used, tokens fetched); the old row's audit events stay
 * under its id. The cached token is dropped here at once, and other instances' brokers notice
 * the new row id within their config recheck interval (5 s) and drop theirs.
 */
export async function replaceAuthConfig(
  db: Database,
  keyring: Keyring,
  broker: Pick<ConfigTokens, "forget">,
  replacedId: string,
  input: CreateAuthConfigInput,
  context: ChangeContext,
): Promise<ReplaceAuthConfigResult> {
  const result = await db.transaction(async (tx): Promise<ReplaceAuthConfigResult> => {
    const [old] = await tx
      .select({
        id: authConfigs.id,
        identifier: authConfigs.identifier,
        lastUsedAt: authConfigs.lastUsedAt,
        tokensFetched: authConfigs.tokensFetched,
        apiAccess: authConfigs.apiAccess,
        apiAccessTills: authConfigs.apiAccessTills,
      })
      .from(authConfigs)
      .where(eq(authConfigs.id, replacedId))
      .for("update");
    if (!old) return { ok: false, error: "not_found" };
    // A new identifier is a different config: that is Duplicate's job, not Replace's.
    if (old.identifier.toLowerCase() !== input.identifier.toLowerCase()) {
      return { ok: false, error: "identifier_changed" };
    }
    const grantedClients = await readGrantedClientIds(tx, old.id);
    await tx.delete(authConfigs).where(eq(authConfigs.id, old.id));
    const row = await insertConfig(
      tx,
      keyring,
      { ...input, identifier: old.identifier },
      context,
      old,
    );
    // The deletion cascaded to the old row's access list; the successor gets the same one.
    await grantClients(tx, row.id, grantedClients);
    await recordAudit(tx, {
      actor: context.actor,
      action: "auth_config.replaced",
      target: { type: "auth_config", id: row.id },
      clientAddress: context.clientAddress,
      details: {
        identifier: old.identifier,
        replacedId: old.id,
        authMethod: input.authMethod,
        tokensFetched: old.tokensFetched,
      },
    });
    return {
      ok: true,
      config: toView(keyring, row, await readAuthConfigAccess(tx, row)),
      replaced: old,
    };
  });
  // After the commit, as for a deletion: the old config's token must not serve the new one.
  if (result.ok) broker.forget(result.replaced.identifier);
  return result;
}

/** What a test found. Never the token itself: only what an admin needs to judge the config. */
export type TestAuthConfigOutcome =
  | { ok: true; tokenType: string; scope: string | null; expiresAt: Date }
  | { ok: false; error: "not_found" }
  | {
      ok: false;
      error: "token_failed";
      code: TokenBrokerErrorCode;
      oauthError: string | null;
      status: number | null;
      /** describeTokenError's words: safe to show, never an upstream body or a secret. */
      message: string;
    };

/**
 * The console's Test button: asks the token broker for the config's token, as a program calling
 * the public API would (so a cached token counts as a pass), then records the try. Usage is
 * written at once instead of in the broker's next batch, so the refreshed detail shows this
 * test, and an audit event names the outcome.
 */
export async function testAuthConfig(
  db: Database,
  broker: Pick<ConfigTokens, "getAccessToken" | "flushUsage">,
  id: string,
  context: ChangeContext,
): Promise<TestAuthConfigOutcome> {
  const identifier = await identifierOf(db, id);
  if (identifier === null) return { ok: false, error: "not_found" };
  const outcome = await askForToken(broker, identifier);
  // Usage only decorates the detail view; failing to write it must not cost the audit event.
  await broker.flushUsage().catch((error: unknown) => {
    console.error(`[auth-configs] writing usage after a test failed: ${errorName(error)}`);
  });
  await recordAudit(db, {
    actor: context.actor,
    action: "auth_config.tested",
    target: { type: "auth_config", id },
    clientAddress: context.clientAddress,
    details: { identifier, outcome: outcome.ok ? "success" : outcome.code },
  });
  return outcome;
}

async function askForToken(
  broker: Pick<ConfigTokens, "getAccessToken">,
  identifier: string,
): Promise<Exclude<TestAuthConfigOutcome, { error: "not_found" }>> {
  try {
    const token = await broker.getAccessToken(identifier);
    return { ok: true, tokenType: token.tokenType, scope: token.scope, expiresAt: token.expiresAt };
  } catch (error) {
    // Anything but a broker error is our fault (a bug, the database), not a verdict on the config.
    if (!(error instanceof TokenBrokerError)) throw error;
    return {
      ok: false,
      error: "token_failed",
      code: error.code,
      oauthError: error.oauthError ?? null,
      status: error.status ?? null,
      message: describeTokenError(error),
    };
  }
}

async function identifierOf(executor: Executor, id: string): Promise<string | null> {
  const [row] = await executor
    .select({ identifier: authConfigs.identifier })
    .from(authConfigs)
    .where(eq(authConfigs.id, id));
  return row?.identifier ?? null;
}

/** Driver messages can quote the statement's parameters, so only the error's class is logged. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown error";
}

/** Called by the token broker after each token it fetched from the upstream server. */
export async function recordTokenFetched(executor: Executor, id: string, at: Date): Promise<void> {
  await executor
    .update(authConfigs)
    .set({ tokensFetched: sql`${authConfigs.tokensFetched} + 1`, lastUsedAt: latest(at) })
    .where(eq(authConfigs.id, id));
}

/** Cache hits are recorded in batches by the broker. */
export async function recordUsed(executor: Executor, id: string, at: Date): Promise<void> {
  await executor
    .update(authConfigs)
    .set({ lastUsedAt: latest(at) })
    .where(eq(authConfigs.id, id));
}

/** Writes from several instances and batches arrive out of order; last used never moves back. */
function latest(at: Date) {
  return sql`greatest(${authConfigs.lastUsedAt}, ${at.toISOString()}::timestamptz)`;
}

const SEALED_FIELDS: readonly SealedAuthConfigField[] = [
  "tokenUrl",
  "scope",
  "clientId",
  "clientSecret",
];

function openColumn(keyring: Keyring, row: Row, column: SealedAuthConfigField): string {
  const value = {
    tokenUrl: row.tokenUrlSealed,
    scope: row.scopeSealed,
    clientId: row.clientIdSealed,
    clientSecret: row.clientSecretSealed,
  }[column];
  return open(keyring, value, sealBindingFor(sealed[column], row.id));
}

/** The column's value, or null when it does not open; any other failure is a bug and throws. */
function openColumnOrNull(keyring: Keyring, row: Row, column: SealedAuthConfigField) {
  try {
    return openColumn(keyring, row, column);
  } catch (error) {
    if (error instanceof SealError) return null;
    throw error;
  }
}

/**
 * The client secret is opened too, and dropped at once: the detail then warns before a Test or
 * a caller finds out. A view writes nothing, so no audit event here (the token route audits).
 */
function toView(keyring: Keyring, row: Row, apiAccess: ApiAccess): AuthConfigView {
  const opened = Object.fromEntries(
    SEALED_FIELDS.map((field) => [field, openColumnOrNull(keyring, row, field)]),
  ) as Record<SealedAuthConfigField, string | null>;
  const fields = SEALED_FIELDS.filter((field) => opened[field] === null);
  return {
    id: row.id,
    identifier: row.identifier,
    type: row.type,
    createdAt: row.createdAt,
    tokenUrl: opened.tokenUrl,
    scope: opened.scope,
    clientId: opened.clientId,
    unreadable:
      fields.length > 0 ? { fields, message: describeUnreadableConfig(row.identifier) } : null,
    authMethod: row.authMethod,
    audience: row.audience,
    description: row.description,
    createdBy: row.createdByLabel,
    lastUsedAt: row.lastUsedAt,
    tokensFetched: row.tokensFetched,
    replacesId: row.replacesId,
    apiAccess,
  };
}
