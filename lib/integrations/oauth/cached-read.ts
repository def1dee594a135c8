import "server-only";
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { auditEvents, integrationConnections, integrations } from "@/db/schema";
import { type ActorContext, auditColumns } from "@/lib/audit/service";
import { type AuthType, type ConnectionStatus, OAUTH_AUTH_TYPES } from "../schema";
import { apiAccessAllowed, type IntegrationCaller } from "../service";

/**
 * The hot path of GET …/credentials in one statement: the access list, the read of the
 * connection, and its audit row, written only when the connection can be served as it is (a
 * field connection, or an OAuth token outside the refresh-ahead margin):
 *
 *   WITH c AS (SELECT … FROM integrations LEFT JOIN integration_connections …),
 *        a AS (INSERT INTO audit_events … SELECT … FROM c WHERE c.served RETURNING 1)
 *   SELECT c.*, (SELECT count(*) FROM a) FROM c
 *
 * One statement is one transaction, so "no audit row, no credentials" holds without BEGIN and
 * COMMIT; on PGlite it also never holds the database's one connection across event-loop turns,
 * as an interactive transaction does. Everything that is not served here (a token near expiry,
 * needs_reconnect) is decided by fresh-credentials from the row this statement returned, and
 * served (and audited) by its transaction or its refresh, as before.
 */
export interface CachedReadRequest {
  integrationId: string;
  connectionId: string;
  context: ActorContext;
  /** The API caller, whose access is checked in the statement; absent when checked already. */
  access?: IntegrationCaller;
  /** The app's clock (ms), as fresh-credentials' own timing uses it. */
  nowMs: number;
  /** A token is served while more than min(maxMs, fraction × its lifetime) remains. */
  refreshAhead: { maxMs: number; fraction: number };
}

export interface CachedRow {
  id: string;
  integrationId: string;
  endUserId: string;
  status: ConnectionStatus;
  authType: AuthType;
  valuesSealed: string;
  tokenExpiresAt: Date | null;
  credentialsRevision: number;
  refreshedAt: Date | null;
  lastRefreshError: string | null;
  createdByLabel: string;
  createdAt: Date;
  updatedAt: Date;
  lastTestedAt: Date | null;
}

export type CachedRead =
  | { found: "no_integration" }
  | { found: "forbidden" }
  | { found: "no_connection" }
  /** served: the statement wrote the audit row, so the caller may hand the credentials out. */
  | { found: "connection"; served: boolean; row: CachedRow };

/** The statement's columns; times come back as epoch milliseconds, the same on both drivers. */
interface RawRow {
  allowed: boolean;
  served: boolean;
  audited: number;
  id: string | null;
  end_user_id: string;
  status: ConnectionStatus;
  auth_type: AuthType;
  values_sealed: string;
  token_expires_ms: number | null;
  credentials_revision: number;
  refreshed_ms: number | null;
  last_refresh_error: string | null;
  created_by_label: string;
  created_ms: number;
  updated_ms: number;
  last_tested_ms: number | null;
}

export const CREDENTIALS_READ_ACTION = "integration.connection_credentials_read";

export async function readCached(
  executor: Executor,
  request: CachedReadRequest,
): Promise<CachedRead> {
  const [row] = await queryRows<RawRow>(executor, cachedReadStatement(request));
  if (!row) return { found: "no_integration" };
  if (!row.allowed) return { found: "forbidden" };
  if (row.id === null) return { found: "no_connection" };
  // The row and the audit row are one statement's; this only guards against a wrong edit here.
  if (row.served !== (Number(row.audited) === 1)) {
    throw new Error("The credentials read and its audit row disagree");
  }
  return { found: "connection", served: row.served, row: cachedRow(row, request.integrationId) };
}

function cachedReadStatement(request: CachedReadRequest) {
  const { integrationId, connectionId, context, access, nowMs, refreshAhead } = request;
  const conn = integrationConnections;
  const allowed = access ? apiAccessAllowed(access) : sql`true`;
  const audit = auditColumns({
    actor: context.actor,
    action: CREDENTIALS_READ_ACTION,
    target: { type: "integration_connection", id: connectionId },
    clientAddress: context.clientAddress,
    details: { integrationId },
  });
  const oauthTypes = sql.join(
    OAUTH_AUTH_TYPES.map((type) => sql`${type}`),
    sql`, `,
  );
  return sql`
    with c as (
      select ${allowed} as allowed,
        ${conn.id} is not null and ${allowed} and (
          ${integrations.authType} not in (${oauthTypes})
          or (${conn.status} <> 'needs_reconnect' and ${freshToken(nowMs, refreshAhead)})
        ) as served,
        ${conn.id} as id, ${conn.endUserId} as end_user_id, ${conn.status} as status,
        ${integrations.authType} as auth_type, ${conn.valuesSealed} as values_sealed,
        ${epochMs(conn.tokenExpiresAt)} as token_expires_ms,
        ${conn.credentialsRevision} as credentials_revision,
        ${epochMs(conn.refreshedAt)} as refreshed_ms,
        ${conn.lastRefreshError} as last_refresh_error,
        ${conn.createdByLabel} as created_by_label, ${epochMs(conn.createdAt)} as created_ms,
        ${epochMs(conn.updatedAt)} as updated_ms, ${epochMs(conn.lastTestedAt)} as last_tested_ms
      from ${integrations}
      left join ${conn} on ${conn.integrationId} = ${integrations.id} and ${conn.id} = ${connectionId}
      where ${integrations.id} = ${integrationId}
    ), a as (
      insert into ${auditEvents} (actor_type, actor_id, actor_label, action, target_type,
        target_id, client_address, details)
      select ${audit.actorType}::text, ${audit.actorId}::text, ${audit.actorLabel}::text,
        ${audit.action}::text, ${audit.targetType}::text, ${audit.targetId}::text,
        ${audit.clientAddress}::text, ${JSON.stringify(audit.details)}::jsonb
      from c where c.served
      returning 1
    )
    select c.*, (select count(*) from a)::int as audited from c`;
}

/**
 * fresh-credentials' tokenTiming(…).fresh, in SQL: no expiry, or more than min(maxMs, fraction ×
 * lifetime) left, the lifetime counting from the token's last write. Times are truncated to
 * milliseconds as JavaScript's Date truncates them, so both sides decide alike.
 */
function freshToken(nowMs: number, refreshAhead: CachedReadRequest["refreshAhead"]) {
  const conn = integrationConnections;
  const expires = epochMs(conn.tokenExpiresAt);
  const issued = epochMs(sql`coalesce(${conn.refreshedAt}, ${conn.updatedAt})`);
  const margin = sql`least(${refreshAhead.maxMs}::float8, greatest(0, ${expires} - ${issued}) * ${refreshAhead.fraction}::float8)`;
  return sql`(${conn.tokenExpiresAt} is null or ${nowMs}::float8 < ${expires} - ${margin})`;
}

function epochMs(column: AnyColumn | SQL) {
  return sql`floor(extract(epoch from ${column}) * 1000)::float8`;
}

function cachedRow(row: RawRow, integrationId: string): CachedRow {
  const date = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));
  return {
    id: row.id ?? "",
    integrationId,
    endUserId: row.end_user_id,
    status: row.status,
    authType: row.auth_type,
    valuesSealed: row.values_sealed,
    tokenExpiresAt: date(row.token_expires_ms),
    credentialsRevision: Number(row.credentials_revision),
    refreshedAt: date(row.refreshed_ms),
    lastRefreshError: row.last_refresh_error,
    createdByLabel: row.created_by_label,
    createdAt: new Date(Number(row.created_ms)),
    updatedAt: new Date(Number(row.updated_ms)),
    lastTestedAt: date(row.last_tested_ms),
  };
}
