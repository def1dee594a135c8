import "server-only";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Database, Executor, Transaction } from "@/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import { integrationAuthFields, integrationConnections, integrations } from "@/db/schema";
import { type ActorContext, recordAudit } from "@/lib/audit/service";
import { type Keyring, open, seal } from "@/lib/crypto";
import { connectionValuesSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import { newId } from "@/lib/ids";
import type { Sandbox, SandboxOutcome } from "@/lib/sandbox/types";
import { spendConnectSession } from "./connect-sessions";
import type { TokenSet } from "./oauth/types";
import {
  type AuthType,
  type ConnectionStatus,
  type CreateConnectionInput,
  checkConnectionValues,
  FIELD_BASED_AUTH_TYPES,
  type FieldType,
} from "./schema";

/**
 * Connections: one end user's credentials for an integration, or the one service connection of
 * a SERVICE_ACCOUNT integration. Field-based connections are stored only after the integration's
 * authTestCode passes in the sandbox, and never survive a change of the integration's auth type.
 */

export interface ConnectionView {
  id: string;
  integrationId: string;
  /** null for a SERVICE_ACCOUNT integration's service connection. */
  endUserId: string | null;
  status: ConnectionStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  lastTestedAt: Date | null;
}

export const CONNECTION_ID = /^conn_[0-9a-f]{20}$/;

/** The service connection's end_user_id: never a valid end user id, which has 1–200 characters. */
const SERVICE_END_USER = "";

type ConnectionRow = typeof integrationConnections.$inferSelect;

export type CreateConnectionResult =
  | { ok: true; connection: ConnectionView; replaced: boolean; test: SandboxOutcome | null }
  | { ok: false; error: "not_found" }
  | { ok: false; error: "invalid"; issues: FieldIssue[] }
  /** OAuth integrations connect through the authorization flow, not with posted values. */
  | { ok: false; error: "oauth_flow_required"; authType: AuthType }
  | { ok: false; error: "test_failed"; test: SandboxOutcome }
  | { ok: false; error: "sandbox_unavailable"; test: SandboxOutcome }
  /** The auth configuration changed while the values were being tested; nothing was stored. */
  | { ok: false; error: "auth_changed" };

/** A problem with one input: `["endUserId"]` or `["values", slug]` (a slug may contain dots). */
export interface FieldIssue {
  path: string[];
  message: string;
}

export interface ConnectionDependencies {
  keyring: Keyring;
  sandbox: Pick<Sandbox, "run">;
}

interface AuthSnapshot {
  authType: AuthType;
  authTestCode: string | null;
  authRevision: number;
  fields: { slug: string; label: string; type: FieldType; required: boolean }[];
}

/**
 * Checks the values against the fields, runs authTestCode with them, and only if it passes stores
 * them sealed. Posting again for the same end user replaces that end user's values (the
 * connection keeps its id), as does posting a SERVICE_ACCOUNT integration's service connection.
 */
export async function createConnection<Refusal extends { ok: false } = never>(
  db: Database,
  deps: ConnectionDependencies,
  integrationId: string,
  input: CreateConnectionInput,
  context: ActorContext,
  options: { onStore?: StoreHook<Refusal> } = {},
): Promise<CreateConnectionResult | Refusal> {
  const snapshot = await readAuthSnapshot(db, integrationId);
  if (!snapshot) return { ok: false, error: "not_found" };
  if (!FIELD_BASED_AUTH_TYPES.includes(snapshot.authType)) {
    return { ok: false, error: "oauth_flow_required", authType: snapshot.authType };
  }
  const endUser = endUserFor(snapshot.authType, input.endUserId);
  const checked = checkConnectionValues(snapshot.fields, input.values);
  const issues = [
    ...(endUser.ok ? [] : [{ path: ["endUserId"], message: endUser.error }]),
    ...(checked.ok ? [] : valueIssues(checked.errors)),
  ];
  if (!endUser.ok || !checked.ok) return { ok: false, error: "invalid", issues };

  let test: SandboxOutcome | null = null;
  if (snapshot.authTestCode) {
    test = await deps.sandbox.run({ code: snapshot.authTestCode, secrets: checked.values });
    if (!test.ok) {
      return test.kind === "unavailable"
        ? { ok: false, error: "sandbox_unavailable", test }
        : { ok: false, error: "test_failed", test };
    }
  }

  const write = () =>
    db.transaction(async (tx) => {
      const stored = await storeConnection(tx, deps.keyring, {
        integrationId,
        endUserId: endUser.value,
        values: checked.values,
        revision: snapshot.authRevision,
        tested: test !== null,
        context,
      });
      const refusal = stored && options.onStore ? await options.onStore(tx, stored) : null;
      if (refusal) throw new StoreRefused(refusal);
      return stored;
    });
  try {
    const stored = await retryOnceOnUniqueViolation(write);
    if (!stored) return { ok: false, error: "auth_changed" };
    return { ok: true, connection: stored.connection, replaced: stored.replaced, test };
  } catch (error) {
    if (error instanceof StoreRefused) return error.refusal as Refusal;
    // The type changed and the old auth version is gone: the foreign key refused this row.
    if (isForeignKeyViolation(error)) return { ok: false, error: "auth_changed" };
    throw error;
  }
}

/**
 * Runs inside the transaction that stores the connection, after the row is written: a refusal
 * rolls the whole write back and becomes createConnection's answer. The hosted connect page
 * spends its link here, so a connection is stored if and only if its link is spent.
 */
export type StoreHook<Refusal> = (
  tx: Transaction,
  stored: StoredConnection,
) => Promise<Refusal | null>;

export interface StoredConnection {
  connection: ConnectionView;
  replaced: boolean;
  /** The auth version the row was written under (the integration's, read under a share lock). */
  authVersion: number;
}

/** Thrown out of the transaction to roll it back; never leaves createConnection. */
class StoreRefused extends Error {
  constructor(readonly refusal: unknown) {
    super("The store hook refused the connection");
  }
}

/**
 * The auth configuration the values are checked and tested against. The row is read before the
 * fields: an update landing in between then shows as a moved revision when the connection is
 * written (and is refused), never as new fields under the old revision.
 */
async function readAuthSnapshot(
  executor: Executor,
  integrationId: string,
): Promise<AuthSnapshot | null> {
  const [row] = await executor
    .select({
      authType: integrations.authType,
      authTestCode: integrations.authTestCode,
      authRevision: integrations.authRevision,
    })
    .from(integrations)
    .where(eq(integrations.id, integrationId));
  if (!row) return null;
  const fields = await executor
    .select({
      slug: integrationAuthFields.slug,
      label: integrationAuthFields.label,
      type: integrationAuthFields.type,
      required: integrationAuthFields.required,
    })
    .from(integrationAuthFields)
    .where(eq(integrationAuthFields.integrationId, integrationId))
    .orderBy(integrationAuthFields.position);
  return { ...row, fields };
}

function endUserFor(
  authType: AuthType,
  endUserId: string | undefined,
): { ok: true; value: string } | { ok: false; error: string } {
  if (authType === "SERVICE_ACCOUNT") {
    return endUserId === undefined
      ? { ok: true, value: SERVICE_END_USER }
      : {
          ok: false,
          error:
            "A service account integration has one connection for everyone: leave endUserId out",
        };
  }
  return endUserId === undefined
    ? { ok: false, error: "Enter the end user's id" }
    : { ok: true, value: endUserId };
}

function valueIssues(errorsBySlug: Record<string, string>): FieldIssue[] {
  return Object.entries(errorsBySlug).map(([slug, message]) => ({
    path: ["values", slug],
    message,
  }));
}

/** Two first connections for one end user at once: the loser finds the winner's row and replaces it. */
export async function retryOnceOnUniqueViolation<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

interface StoreRequest {
  integrationId: string;
  endUserId: string;
  values: Record<string, string>;
  /** The auth revision the values were checked and tested against. */
  revision: number;
  tested: boolean;
  context: ActorContext;
}

/**
 * Writes the connection if the auth configuration is still the one the values were tested
 * against. The share lock on the integration row waits for an auth update in progress (which
 * holds it for update) and keeps one from starting until this transaction ends.
 */
async function storeConnection(
  tx: Transaction,
  keyring: Keyring,
  request: StoreRequest,
): Promise<StoredConnection | null> {
  const authVersion = await lockUnchangedRevision(tx, request.integrationId, request.revision);
  if (authVersion === null) return null;
  const existingId = await lockExistingConnection(tx, request.integrationId, request.endUserId);
  const id = existingId ?? newId("conn");
  const now = new Date();
  const fields = {
    authVersion,
    status: "active" as const,
    valuesSealed: seal(
      keyring,
      JSON.stringify(request.values),
      sealBindingFor(connectionValuesSealedColumn, id),
    ),
    lastTestedAt: request.tested ? now : null,
    updatedAt: now,
  };
  const row = await upsertConnection(tx, id, existingId !== null, fields, {
    integrationId: request.integrationId,
    endUserId: request.endUserId,
    createdByLabel: request.context.actor.label,
  });
  const connection = connectionView(row);
  await recordAudit(tx, {
    actor: request.context.actor,
    action: existingId ? "integration.connection_replaced" : "integration.connection_created",
    target: { type: "integration_connection", id },
    clientAddress: request.context.clientAddress,
    details: {
      integrationId: request.integrationId,
      endUserId: connection.endUserId,
      tested: request.tested,
    },
  });
  return { connection, replaced: existingId !== null, authVersion };
}

/**
 * Takes a share lock on the integration row and answers its auth version, or null when the auth
 * revision moved on since `revision` was read (or the integration is gone). An auth update holds
 * the row for update, so it waits for this transaction, and this one for it.
 */
async function lockUnchangedRevision(
  tx: Transaction,
  integrationId: string,
  revision: number,
): Promise<number | null> {
  const [integration] = await tx
    .select({ authRevision: integrations.authRevision, authVersion: integrations.authVersion })
    .from(integrations)
    .where(eq(integrations.id, integrationId))
    .for("share");
  if (!integration || integration.authRevision !== revision) return null;
  return integration.authVersion;
}

/** The end user's connection, locked for update: a reconnect keeps its id. */
async function lockExistingConnection(
  tx: Transaction,
  integrationId: string,
  endUserId: string,
): Promise<string | null> {
  const [existing] = await tx
    .select({ id: integrationConnections.id })
    .from(integrationConnections)
    .where(
      and(
        eq(integrationConnections.integrationId, integrationId),
        eq(integrationConnections.endUserId, endUserId),
      ),
    )
    .for("update");
  return existing?.id ?? null;
}

type ConnectionWrite = Omit<
  typeof integrationConnections.$inferInsert,
  "id" | "integrationId" | "endUserId" | "createdByLabel" | "credentialsRevision"
>;

/**
 * Inserts the connection, or updates the locked existing one. Every write of values_sealed bumps
 * credentials_revision, which a refresh compares before it writes (compare-and-swap).
 */
async function upsertConnection(
  tx: Transaction,
  id: string,
  exists: boolean,
  fields: ConnectionWrite,
  identity: { integrationId: string; endUserId: string; createdByLabel: string },
): Promise<ConnectionRow> {
  const [row] = exists
    ? await tx
        .update(integrationConnections)
        .set({
          ...fields,
          credentialsRevision: sql`${integrationConnections.credentialsRevision} + 1`,
        })
        .where(eq(integrationConnections.id, id))
        .returning()
    : await tx
        .insert(integrationConnections)
        .values({ id, ...identity, ...fields })
        .returning();
  // The row was locked (update) or inserted by this transaction, so one is always returned.
  if (!row) throw new Error(`Connection ${id} was not written`);
  return row;
}

/** An OAuth connection's tokens as sealed in values_sealed (expiresAt as an ISO string). */
export function sealTokenSet(keyring: Keyring, connectionId: string, tokens: TokenSet): string {
  return seal(
    keyring,
    JSON.stringify(tokens),
    sealBindingFor(connectionValuesSealedColumn, connectionId),
  );
}

export function openTokenSet(keyring: Keyring, connectionId: string, sealed: string): TokenSet {
  const parsed = JSON.parse(
    open(keyring, sealed, sealBindingFor(connectionValuesSealedColumn, connectionId)),
  ) as Omit<TokenSet, "expiresAt"> & { expiresAt: string | null };
  return { ...parsed, expiresAt: parsed.expiresAt === null ? null : new Date(parsed.expiresAt) };
}

export interface StoreOAuthRequest {
  integrationId: string;
  endUserId: string;
  /** The connect link the flow started from; spent in the same transaction. */
  connectSessionId: string;
  /** The auth revision the flow started under. */
  revision: number;
  tokens: TokenSet;
  /** The client the tokens were issued to (oauthClientKey). */
  clientKey: string;
  /** The end user on the callback (endUserContext), as for connections made with fields. */
  context: ActorContext;
}

export type StoreOAuthResult =
  | { ok: true; connection: ConnectionView; replaced: boolean }
  | { ok: false; error: "auth_changed" | "link_spent" };

/**
 * Stores the tokens of a completed authorization as the end user's connection (one per
 * integration and end user; a reconnect keeps the id and bumps credentials_revision), spending
 * the connect link in the same transaction. Run it inside db.transaction: a link spent meanwhile
 * or a moved revision writes nothing. The audit event names the connection, never a token.
 */
export async function storeOAuthConnection(
  tx: Transaction,
  keyring: Keyring,
  request: StoreOAuthRequest,
): Promise<StoreOAuthResult> {
  const authVersion = await lockUnchangedRevision(tx, request.integrationId, request.revision);
  if (authVersion === null) return { ok: false, error: "auth_changed" };
  const existingId = await lockExistingConnection(tx, request.integrationId, request.endUserId);
  const id = existingId ?? newId("conn");
  // Spent before anything is written: a link spent meanwhile leaves nothing to roll back.
  if (!(await spendConnectSession(tx, request.connectSessionId, id))) {
    return { ok: false, error: "link_spent" };
  }
  const row = await upsertConnection(
    tx,
    id,
    existingId !== null,
    {
      authVersion,
      status: "active",
      valuesSealed: sealTokenSet(keyring, id, request.tokens),
      tokenExpiresAt: request.tokens.expiresAt,
      oauthClientKey: request.clientKey,
      refreshLeaseUntil: null,
      refreshedAt: null,
      lastRefreshError: null,
      lastTestedAt: null,
      updatedAt: new Date(),
    },
    {
      integrationId: request.integrationId,
      endUserId: request.endUserId,
      createdByLabel: request.context.actor.label,
    },
  );
  await recordAudit(tx, {
    actor: request.context.actor,
    action: existingId ? "integration.connection_replaced" : "integration.connection_created",
    target: { type: "integration_connection", id },
    clientAddress: request.context.clientAddress,
    details: {
      integrationId: request.integrationId,
      endUserId: request.endUserId,
      connectSessionId: request.connectSessionId,
      via: "oauth",
    },
  });
  return { ok: true, connection: connectionView(row), replaced: existingId !== null };
}

/** What a connection looks like outside: never its sealed values or refresh bookkeeping. */
export function connectionView(
  row: Pick<
    ConnectionRow,
    | "id"
    | "integrationId"
    | "endUserId"
    | "status"
    | "createdByLabel"
    | "createdAt"
    | "updatedAt"
    | "lastTestedAt"
  >,
): ConnectionView {
  return {
    id: row.id,
    integrationId: row.integrationId,
    endUserId: row.endUserId === SERVICE_END_USER ? null : row.endUserId,
    status: row.status,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastTestedAt: row.lastTestedAt,
  };
}

export interface ConnectionPage {
  connections: ConnectionView[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export const CONNECTION_PAGE_SIZE = { default: 50, max: 200 } as const;

/** Newest first, by keyset (created_at, id), so a page costs the same however deep it is. */
export async function listConnections(
  executor: Executor,
  integrationId: string,
  options: { limit?: number; cursor?: string } = {},
): Promise<ConnectionPage | { error: "invalid_cursor" }> {
  const limit = Math.min(options.limit ?? CONNECTION_PAGE_SIZE.default, CONNECTION_PAGE_SIZE.max);
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  if (after === null) return { error: "invalid_cursor" };
  const rows = await executor
    .select()
    .from(integrationConnections)
    .where(
      and(
        eq(integrationConnections.integrationId, integrationId),
        after
          ? or(
              lt(integrationConnections.createdAt, after.createdAt),
              and(
                eq(integrationConnections.createdAt, after.createdAt),
                lt(integrationConnections.id, after.id),
              ),
            )
          : undefined,
      ),
    )
    .orderBy(desc(integrationConnections.createdAt), desc(integrationConnections.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    connections: page.map(connectionView),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

function encodeCursor(row: ConnectionRow): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`, "utf8").toString("base64url");
}

/** Only cursors we could have made: a real timestamp, written exactly as encodeCursor writes it. */
function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [time = "", id = "", ...rest] = Buffer.from(cursor, "base64url")
    .toString("utf8")
    .split("|");
  const createdAt = new Date(time);
  if (rest.length > 0 || !CONNECTION_ID.test(id) || Number.isNaN(createdAt.getTime())) return null;
  const year = createdAt.getUTCFullYear();
  if (year < 2000 || year > 9999 || createdAt.toISOString() !== time) return null;
  return { createdAt, id };
}

export function connectionKey(integrationId: string, connectionId: string) {
  return and(
    eq(integrationConnections.id, connectionId),
    eq(integrationConnections.integrationId, integrationId),
  );
}

export async function deleteConnection(
  db: Database,
  integrationId: string,
  connectionId: string,
  context: ActorContext,
): Promise<{ ok: true; deleted: ConnectionView } | { ok: false; error: "not_found" }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(integrationConnections)
      .where(connectionKey(integrationId, connectionId))
      .returning();
    if (!row) return { ok: false, error: "not_found" } as const;
    const deleted = connectionView(row);
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.connection_deleted",
      target: { type: "integration_connection", id: connectionId },
      clientAddress: context.clientAddress,
      details: { integrationId, endUserId: deleted.endUserId },
    });
    return { ok: true, deleted } as const;
  });
}

export type TestAuthCodeResult =
  | { ok: true; test: SandboxOutcome }
  | { ok: false; error: "not_found" }
  | { ok: false; error: "invalid"; issues: FieldIssue[] };

/**
 * Runs test code against sample values, as the console's "Test with sample values" does: the
 * code and fields are the editor's (perhaps unsaved), and nothing is stored but an audit event.
 */
export async function testAuthCode(
  db: Database,
  sandbox: Pick<Sandbox, "run">,
  integrationId: string,
  input: {
    code: string;
    fields: { slug: string; label: string; type: FieldType; required: boolean }[];
    values: Record<string, string | number>;
  },
  context: ActorContext,
): Promise<TestAuthCodeResult> {
  const [integration] = await db
    .select({ id: integrations.id })
    .from(integrations)
    .where(eq(integrations.id, integrationId));
  if (!integration) return { ok: false, error: "not_found" };
  const checked = checkConnectionValues(input.fields, input.values);
  if (!checked.ok) return { ok: false, error: "invalid", issues: valueIssues(checked.errors) };
  const test = await sandbox.run({ code: input.code, secrets: checked.values });
  await recordAudit(db, {
    actor: context.actor,
    action: "integration.auth_tested",
    target: { type: "integration", id: integrationId },
    clientAddress: context.clientAddress,
    details: { outcome: test.ok ? "passed" : test.kind, fetches: test.fetches.length },
  });
  return { ok: true, test };
}
