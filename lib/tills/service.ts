import "server-only";
import { asc, count, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { isForeignKeyViolation, isUniqueViolation } from "@/db/errors";
import { apiClients, tills } from "@/db/schema";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/ids";
import type { CreateTillInput } from "./schema";

/** What anyone may see of a till: never its password hash. */
export interface TillView {
  id: string;
  code: string;
  name: string;
  createdAt: Date;
}

export interface TillListItem extends TillView {
  /** API clients that act as this till; while above zero the till cannot be deleted. */
  apiClientCount: number;
}

const viewColumns = {
  id: tills.id,
  code: tills.code,
  name: tills.name,
  createdAt: tills.createdAt,
};

export type CreateTillResult = { ok: true; till: TillView } | { ok: false; error: "code_taken" };

export async function createTill(
  db: Database,
  input: CreateTillInput,
  context: ChangeContext,
): Promise<CreateTillResult> {
  // Hashed before the transaction: scrypt takes a while and must not hold a connection.
  const passwordHash = await hashPassword(input.password);
  try {
    const till = await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(tills)
        .values({
          id: newId("till"),
          code: input.code,
          name: input.name,
          passwordHash,
          createdById: context.actor.id,
        })
        .returning(viewColumns);
      const created = inserted as TillView;
      await recordAudit(tx, {
        actor: context.actor,
        action: "till.created",
        target: { type: "till", id: created.id },
        clientAddress: context.clientAddress,
        details: { code: created.code, name: created.name },
      });
      return created;
    });
    return { ok: true, till };
  } catch (error) {
    // The unique index on lower(code) decides races between creates: the loser lands here.
    if (isUniqueViolation(error)) return { ok: false, error: "code_taken" };
    throw error;
  }
}

/** Every till by code, with how many API clients use it. */
export async function listTills(executor: Executor): Promise<TillListItem[]> {
  return executor
    .select({ ...viewColumns, apiClientCount: count(apiClients.id) })
    .from(tills)
    .leftJoin(apiClients, eq(apiClients.tillId, tills.id))
    .groupBy(tills.id)
    .orderBy(asc(sql`lower(${tills.code})`));
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
