import "server-only";
import { asc, eq, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import { createBatcher } from "@/db/batcher";
import { type Database, type Executor, queryRows } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { apiClients } from "@/db/schema";
import type { ApiCaller } from "@/lib/api-auth/authenticate";
import { listApiClients } from "@/lib/api-clients/service";
import type { AuditAction } from "@/lib/audit/actions";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import type { AccessClient, ApiAccess, ApiAccessInput } from "./schema";

/**
 * The access lists of records that programs use through the public API (integrations, auth
 * configs): written, read and checked here once for every area. A record's table carries the
 * mode and the tills flag (db/schema/columns.ts, apiAccessColumns); a member table lists the
 * API clients chosen under "selected".
 */
export interface AccessList {
  /** The record's table, its primary key and its two access columns. */
  table: PgTable;
  id: AnyPgColumn;
  mode: AnyPgColumn;
  tills: AnyPgColumn;
  /** The member table: (record id, API client id), deleted with either side. */
  members: PgTable;
  memberRecord: AnyPgColumn;
  memberClient: AnyPgColumn;
  /** What the audit log calls a change of this list, and the record's type there. */
  auditAction: AuditAction;
  targetType: string;
}

/** Who calls the public API, as far as access lists are concerned. */
export type ApiAccessCaller = { kind: "client"; clientId: string } | { kind: "till" };

export function accessCallerOf(caller: ApiCaller): ApiAccessCaller {
  return caller.kind === "client"
    ? { kind: "client", clientId: caller.clientId }
    : { kind: "till" };
}

/**
 * The access rule as a condition on a row of the record's table, for statements that check
 * access and do their work in one round trip; `checkAccess` and `createAccessChecker` use it
 * too, so the rule is written once.
 */
export function accessAllowed(list: AccessList, caller: ApiAccessCaller): SQL<boolean> {
  return accessRule(list, caller.kind === "till" ? sql`null::text` : sql`${caller.clientId}::text`);
}

/** `clientId` is an SQL text expression: the calling API client's id, or null for a till. */
function accessRule(list: AccessList, clientId: SQL): SQL<boolean> {
  return sql<boolean>`(${list.mode} = 'all'
    or (${clientId} is null and ${list.tills})
    or exists (select 1 from ${list.members}
      where ${list.memberRecord} = ${list.id} and ${list.memberClient} = ${clientId}))`;
}

export type AccessVerdict = "allowed" | "forbidden" | "not_found";

/** Whether the caller may use the record; `where` picks the record (by id, by identifier…). */
export async function checkAccess(
  executor: Executor,
  list: AccessList,
  where: SQL,
  caller: ApiAccessCaller,
): Promise<AccessVerdict> {
  const [row] = await queryRows<{ allowed: boolean }>(
    executor,
    sql`select ${accessAllowed(list, caller)} as "allowed" from ${list.table} where ${where} limit 1`,
  );
  if (!row) return "not_found";
  return row.allowed ? "allowed" : "forbidden";
}

/**
 * `checkAccess` for a route every program calls (an auth config's token): the checks that arrive
 * while one runs go together as one statement (db/batcher.ts), so under load the access list
 * costs a fraction of a round trip per request instead of one. `key` is the SQL expression the
 * asked-for keys are compared with (one record per key).
 */
export function createAccessChecker(
  db: Database,
  list: AccessList,
  key: SQL,
): (asked: string, caller: ApiAccessCaller) => Promise<AccessVerdict> {
  const batcher = createBatcher<{ asked: string; caller: ApiAccessCaller }, AccessVerdict>(
    async (items) => {
      const keys = items.map((item) => item.asked);
      const clientIds = items.map((item) =>
        item.caller.kind === "client" ? item.caller.clientId : null,
      );
      const rows = await queryRows<{ ord: number; found: boolean; allowed: boolean | null }>(
        db,
        sql`select asked.ord::int as "ord", ${list.id} is not null as "found",
          ${accessRule(list, sql`asked.client_id`)} as "allowed"
        from unnest(${sql.param(keys)}::text[], ${sql.param(clientIds)}::text[]) with ordinality
          as asked(key, client_id, ord)
        left join ${list.table} on ${key} = asked.key`,
      );
      const verdicts = new Map(
        rows.map((row) => [
          Number(row.ord),
          row.found ? (row.allowed ? "allowed" : "forbidden") : "not_found",
        ]),
      );
      return items.map((_, index) => (verdicts.get(index + 1) ?? "not_found") as AccessVerdict);
    },
  );
  return (asked, caller) => batcher.submit({ asked, caller });
}

/** The record's access for the console, its clients by name; `mode` and `tills` from its row. */
export async function readAccess(
  executor: Executor,
  list: AccessList,
  recordId: string,
  row: { mode: "all" | "selected"; tills: boolean },
): Promise<ApiAccess> {
  const clients: AccessClient[] = await executor
    .select({ id: apiClients.id, name: apiClients.name, clientKey: apiClients.clientKey })
    .from(list.members)
    .innerJoin(apiClients, eq(apiClients.id, list.memberClient))
    .where(eq(list.memberRecord, recordId))
    .orderBy(asc(sql`lower(${apiClients.name})`));
  return { mode: row.mode, tills: row.tills, clients };
}

export type SetAccessResult = { ok: true } | { ok: false; error: "not_found" | "unknown_client" };

/** Replaces the record's access list as a whole, audited in the same transaction. */
export async function setAccess(
  db: Database,
  list: AccessList,
  recordId: string,
  access: ApiAccessInput,
  context: ChangeContext,
): Promise<SetAccessResult> {
  const clientIds = access.mode === "selected" ? [...new Set(access.clientIds)] : [];
  const tills = access.mode === "selected" && access.tills === true;
  const column = (of: AnyPgColumn) => sql.identifier(of.name);
  try {
    const found = await db.transaction(async (tx) => {
      const updated = await queryRows(
        tx,
        sql`update ${list.table} set ${column(list.mode)} = ${access.mode}, ${column(list.tills)} = ${tills}
            where ${list.id} = ${recordId} returning 1`,
      );
      if (updated.length === 0) return false;
      await tx.execute(sql`delete from ${list.members} where ${list.memberRecord} = ${recordId}`);
      if (clientIds.length > 0) {
        const rows = clientIds.map((clientId) => sql`(${recordId}, ${clientId})`);
        await tx.execute(
          sql`insert into ${list.members} (${column(list.memberRecord)}, ${column(list.memberClient)})
              values ${sql.join(rows, sql`, `)}`,
        );
      }
      await recordAudit(tx, {
        actor: context.actor,
        action: list.auditAction,
        target: { type: list.targetType, id: recordId },
        clientAddress: context.clientAddress,
        details: { mode: access.mode, clients: clientIds.length, tills },
      });
      return true;
    });
    return found ? { ok: true } : { ok: false, error: "not_found" };
  } catch (error) {
    // A client deleted while the form was open: its id no longer satisfies the foreign key.
    if (isForeignKeyViolation(error)) return { ok: false, error: "unknown_client" };
    throw error;
  }
}

/**
 * API clients whose name or key contains `search`, for the console's access picker: the first
 * `limit` of the API clients list's own query, so the same indexes serve it.
 */
export async function searchAccessCandidates(
  executor: Executor,
  search: string,
  limit = 20,
): Promise<AccessClient[]> {
  const page = await listApiClients(executor, { search, limit });
  return page.items.map(({ id, name, clientKey }) => ({ id, name, clientKey }));
}
