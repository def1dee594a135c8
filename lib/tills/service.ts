import "server-only";
import { count, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import { apiClients, tillPermissions, tills } from "@/db/schema";
import { missingGroups } from "@/lib/api-groups/service";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/ids";
import { type PermissionRow, tillPermissionsJson } from "@/lib/oauth/client-scopes";
import { scopesForPermissions } from "@/lib/oauth/scopes";
import type { Page } from "@/lib/paging/contract";
import { pageFrom } from "@/lib/paging/keyset";
import {
  cappedCount,
  type ListOptions,
  type ListSpec,
  listOrder,
  listWhere,
  pageLimit,
} from "@/lib/paging/list-query";
import type { CreateTillInput } from "./schema";

/** What anyone may see of a till: never its password hash. */
export interface TillView {
  id: string;
  code: string;
  name: string;
  createdAt: Date;
  /** What Basic requests as the till carry, from its permissions (one per API group). */
  scopes: string[];
}

export interface TillListItem extends TillView {
  /**
   * API clients that act as this till, counted up to one past COUNT_CAP; while above
   * zero the till cannot be deleted.
   */
  apiClientCount: number;
}

const viewColumns = {
  id: tills.id,
  code: tills.code,
  name: tills.name,
  createdAt: tills.createdAt,
  // Spelled out: a select from one table renders its columns unqualified, and inside the
  // subquery a bare "id" would be api_groups' own.
  permissions: tillPermissionsJson(sql`${tills}.${sql.identifier(tills.id.name)}`),
};

function toView<Row extends { permissions: PermissionRow[] }>({ permissions, ...row }: Row) {
  return { ...row, scopes: scopesForPermissions(permissions) };
}

export type CreateTillResult =
  | { ok: true; till: TillView }
  | { ok: false; error: "code_taken" }
  | { ok: false; error: "group_not_found"; groupIds: string[] };

export async function createTill(
  db: Database,
  input: CreateTillInput,
  context: ChangeContext,
): Promise<CreateTillResult> {
  const grants = Object.entries(input.permissions).flatMap(([groupId, level]) =>
    level === "none" ? [] : [{ groupId, level }],
  );
  // Hashed before the transaction: scrypt takes a while and must not hold a connection.
  const passwordHash = await hashPassword(input.password);
  const id = newId("till");
  try {
    return await db.transaction(async (tx): Promise<CreateTillResult> => {
      const missing = await missingGroups(
        tx,
        grants.map((grant) => grant.groupId),
      );
      if (missing.length) return { ok: false, error: "group_not_found", groupIds: missing };
      await tx.insert(tills).values({
        id,
        code: input.code,
        name: input.name,
        passwordHash,
        createdById: context.actor.id,
      });
      if (grants.length) {
        await tx.insert(tillPermissions).values(grants.map((grant) => ({ tillId: id, ...grant })));
      }
      const [row] = await tx.select(viewColumns).from(tills).where(eq(tills.id, id));
      const till = toView(row as NonNullable<typeof row>);
      await recordAudit(tx, {
        actor: context.actor,
        action: "till.created",
        target: { type: "till", id },
        clientAddress: context.clientAddress,
        details: { code: till.code, name: till.name, scopes: till.scopes },
      });
      return { ok: true, till };
    });
  } catch (error) {
    // The unique index on lower(code) decides races between creates: the loser lands here.
    if (isUniqueViolation(error)) return { ok: false, error: "code_taken" };
    // A granted group deleted between the check and the insert: its foreign key refused the row.
    if (isForeignKeyViolation(error)) {
      const missing = await missingGroups(
        db,
        grants.map((grant) => grant.groupId),
      );
      if (missing.length) return { ok: false, error: "group_not_found", groupIds: missing };
    }
    throw error;
  }
}

/** The console list's order, keyset and search (lib/paging/list-query.ts). */
const listSpec: ListSpec = {
  key: tills.code,
  id: tills.id,
  // The expression of `tills_search_trgm_idx`, letter for letter.
  contains: [sql`(${tills.code} || ' ' || ${tills.name})`],
  prefix: [tills.code, tills.name],
};

/**
 * One page of tills by code (any case), then id, on `tills_code_order_idx`; `search` matches
 * part of the code or name. Each till's API clients are counted for its row only, on
 * `api_clients_till_idx`, and only up to one past COUNT_CAP: a till used by 100,000
 * clients costs a page no more than one used by a thousand. Throws InvalidCursorError for a
 * cursor that is not ours.
 */
export async function listTills(
  executor: Executor,
  options: ListOptions = {},
): Promise<Page<TillListItem>> {
  const limit = pageLimit(options.limit);
  const rows = await tillPageQuery(executor, options, limit);
  const page = pageFrom(rows, (till) => till.code, limit);
  return { items: page.items.map(toView), nextCursor: page.nextCursor };
}

/** The query behind a page, unrun: the plan tests and the bench EXPLAIN it. */
export function tillPageQuery(executor: Executor, options: ListOptions, limit: number) {
  return executor
    .select({
      ...viewColumns,
      apiClientCount: cappedCount(executor, apiClients.tillId, tills.id, apiClients.id),
    })
    .from(tills)
    .where(listWhere(listSpec, options))
    .orderBy(...listOrder(listSpec))
    .limit(limit + 1);
}

export type DeleteTillResult =
  | { ok: true; deleted: { id: string; code: string; name: string } }
  | { ok: false; error: "not_found" }
  | { ok: false; error: "till_in_use"; apiClientCount: number; message: string };

export async function deleteTill(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<DeleteTillResult> {
  try {
    return await db.transaction(async (tx): Promise<DeleteTillResult> => {
      const users = await countApiClientsOf(tx, id);
      if (users > 0) return tillInUse(users);
      const [deleted] = await tx
        .delete(tills)
        .where(eq(tills.id, id))
        .returning({ id: tills.id, code: tills.code, name: tills.name });
      if (!deleted) return { ok: false, error: "not_found" };
      await recordAudit(tx, {
        actor: context.actor,
        action: "till.deleted",
        target: { type: "till", id },
        clientAddress: context.clientAddress,
        details: { code: deleted.code, name: deleted.name },
      });
      return { ok: true, deleted };
    });
  } catch (error) {
    // A client registered for this till between the count and the delete: the foreign key
    // (ON DELETE RESTRICT) refused the delete, which is the same answer as the count's.
    // At least one: that client may already be gone again, but it held the till a moment ago.
    if (isForeignKeyViolation(error))
      return tillInUse(Math.max(1, await countApiClientsOf(db, id)));
    throw error;
  }
}

async function countApiClientsOf(executor: Executor, tillId: string): Promise<number> {
  const [row] = await executor
    .select({ total: count() })
    .from(apiClients)
    .where(eq(apiClients.tillId, tillId));
  return row?.total ?? 0;
}

function tillInUse(apiClientCount: number): DeleteTillResult {
  const clients = apiClientCount === 1 ? "1 API client uses" : `${apiClientCount} API clients use`;
  return {
    ok: false,
    error: "till_in_use",
    apiClientCount,
    message: `${clients} this till. Delete ${apiClientCount === 1 ? "that client" : "those clients"} first.`,
  };
}
