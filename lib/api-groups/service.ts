import "server-only";
import { count, eq, inArray } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { apiClientPermissions, apiGroups } from "@/db/schema";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import { newId } from "@/lib/ids";
import { forgetSupportedScopes } from "@/lib/oauth/metadata";
import { cappedCount } from "@/lib/paging/list-query";
import type { CreateApiGroupInput } from "./schema";

export interface ApiGroupView {
  id: string;
  slug: string;
  name: string;
  /** Seeded by the migrations; cannot be deleted. */
  builtIn: boolean;
  createdAt: Date;
}

export interface ApiGroupListItem extends ApiGroupView {
  /** API clients holding View only or Modify on this group. */
  clientCount: number;
}

/** The seed's order (migration 0003 inserts all four in one statement, so no timestamp helps). */
const BUILT_IN_ORDER = ["grp_target_groups", "grp_transaction", "grp_integrations", "grp_all"];

/** Built-in groups first in the seed's order, then the organisation's own by name. */
export function compareApiGroups(
  a: Pick<ApiGroupView, "id" | "name" | "builtIn">,
  b: Pick<ApiGroupView, "id" | "name" | "builtIn">,
): number {
  if (a.builtIn !== b.builtIn) return a.builtIn ? -1 : 1;
  const rank = (group: { id: string }) => {
    const index = BUILT_IN_ORDER.indexOf(group.id);
    return index === -1 ? BUILT_IN_ORDER.length : index;
  };
  return (
    rank(a) - rank(b) ||
    a.name.localeCompare(b.name, "en", { sensitivity: "base" }) ||
    a.id.localeCompare(b.id)
  );
}

const viewColumns = {
  id: apiGroups.id,
  slug: apiGroups.slug,
  name: apiGroups.name,
  builtIn: apiGroups.builtIn,
  createdAt: apiGroups.createdAt,
};

export async function listApiGroups(executor: Executor): Promise<ApiGroupListItem[]> {
  // Each group's clients counted up to one past COUNT_CAP: the API clients page and the settings
  // page read the groups on every render, and a full count grew with every client registered.
  const rows = await executor
    .select({
      ...viewColumns,
      clientCount: cappedCount(
        executor,
        apiClientPermissions.groupId,
        apiGroups.id,
        apiClientPermissions.clientId,
      ),
    })
    .from(apiGroups);
  return rows.sort(compareApiGroups);
}

export type CreateApiGroupResult =
  | { ok: true; group: ApiGroupView }
  | { ok: false; error: "slug_taken" };

export async function createApiGroup(
  db: Database,
  input: CreateApiGroupInput,
  context: ChangeContext,
): Promise<CreateApiGroupResult> {
  try {
    const group = await db.transaction(async (tx) => {
      const [inserted] = await tx
        .insert(apiGroups)
        .values({ id: newId("grp"), slug: input.slug, name: input.name, builtIn: false })
        .returning(viewColumns);
      const created = inserted as ApiGroupView;
      await recordAudit(tx, {
        actor: context.actor,
        action: "api_group.created",
        target: { type: "api_group", id: created.id },
        clientAddress: context.clientAddress,
        details: { slug: created.slug, name: created.name },
      });
      return created;
    });
    forgetSupportedScopes();
    return { ok: true, group };
  } catch (error) {
    // The unique index on slug decides races, and covers the built-in groups' slugs too.
    if (isUniqueViolation(error)) return { ok: false, error: "slug_taken" };
    throw error;
  }
}

export interface GroupDeletionPreview {
  group: ApiGroupView;
  /** API clients that lose their permission on this group if it is deleted. */
  affectedClients: number;
}

/** What the delete confirmation says; null when the group does not exist. */
export async function describeGroupDeletion(
  executor: Executor,
  id: string,
): Promise<GroupDeletionPreview | null> {
  const [group] = await executor.select(viewColumns).from(apiGroups).where(eq(apiGroups.id, id));
  if (!group) return null;
  return { group, affectedClients: await countGrants(executor, id) };
}

export type DeleteApiGroupResult =
  | {
      ok: true;
      deleted: ApiGroupView;
      affectedClients: number;
    }
  | { ok: false; error: "not_found" | "built_in" };

/**
 * Deletes a custom group; its grants go with it (ON DELETE CASCADE). Live access tokens that
 * carry the group's scopes lose them on their next use: a token's scopes count only while its
 * client still holds them (lib/oauth/client-scopes.ts, effectiveScopes).
 */
export async function deleteApiGroup(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<DeleteApiGroupResult> {
  const result = await db.transaction(async (tx): Promise<DeleteApiGroupResult> => {
    // Locking the row makes a registration that grants this group wait (its foreign key check
    // needs a share lock), so the count below is the number of grants the delete removes.
    const [group] = await tx
      .select(viewColumns)
      .from(apiGroups)
      .where(eq(apiGroups.id, id))
      .for("update");
    if (!group) return { ok: false, error: "not_found" };
    if (group.builtIn) return { ok: false, error: "built_in" };
    const affectedClients = await countGrants(tx, id);
    await tx.delete(apiGroups).where(eq(apiGroups.id, id));
    await recordAudit(tx, {
      actor: context.actor,
      action: "api_group.deleted",
      target: { type: "api_group", id },
      clientAddress: context.clientAddress,
      details: {
        slug: group.slug,
        name: group.name,
        affectedClients,
      },
    });
    return { ok: true, deleted: group, affectedClients };
  });
  // After the commit, so the metadata's next read sees the group gone.
  if (result.ok) forgetSupportedScopes();
  return result;
}

async function countGrants(executor: Executor, groupId: string): Promise<number> {
  const [row] = await executor
    .select({ total: count() })
    .from(apiClientPermissions)
    .where(eq(apiClientPermissions.groupId, groupId));
  return row?.total ?? 0;
}

/** Which of these group ids name no group (deleted meanwhile), for a permission matrix's check. */
export async function missingGroups(executor: Executor, groupIds: string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const found = await executor
    .select({ id: apiGroups.id })
    .from(apiGroups)
    .where(inArray(apiGroups.id, groupIds));
  const existing = new Set(found.map((group) => group.id));
  return groupIds.filter((groupId) => !existing.has(groupId));
}
