import "server-only";
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { apiClientPermissions, apiGroups, tillPermissions } from "@/db/schema";
import { type PermissionLevel, scopesForPermissions } from "./scopes";

export interface PermissionRow {
  slug: string;
  level: PermissionLevel;
}

/**
 * A SQL expression for a client's current permissions as a JSON array of `{ slug, level }`, to
 * fold into the query that finds the client or its token: the permissions come with the same
 * round trip, through the (client_id, group_id) primary key.
 */
export function permissionsJson(clientId: AnyColumn | SQL): SQL<PermissionRow[]> {
  return sql<PermissionRow[]>`coalesce((
    select json_agg(json_build_object('slug', ${apiGroups.slug}, 'level', ${apiClientPermissions.level}))
    from ${apiClientPermissions}
    join ${apiGroups} on ${apiGroups.id} = ${apiClientPermissions.groupId}
    where ${apiClientPermissions.clientId} = ${clientId}
  ), '[]'::json)`;
}

/** A timestamp column as epoch seconds with its fraction (float8, so no driver parses it as text). */
export function epochSeconds(column: AnyColumn): SQL<number | null> {
  return sql<number | null>`extract(epoch from ${column})::float8`;
}

/**
 * The same for a till's permissions (Basic authentication), through its primary key; by slug,
 * so the console lists a till's scopes in a stable order.
 */
export function tillPermissionsJson(tillId: AnyColumn | SQL): SQL<PermissionRow[]> {
  return sql<PermissionRow[]>`coalesce((
    select json_agg(json_build_object('slug', ${apiGroups.slug}, 'level', ${tillPermissions.level}) order by ${apiGroups.slug})
    from ${tillPermissions}
    join ${apiGroups} on ${apiGroups.id} = ${tillPermissions.groupId}
    where ${tillPermissions.tillId} = ${tillId}
  ), '[]'::json)`;
}

/**
 * The scopes a token may use now: those it was issued with that the client still holds. A
 * token's scope is fixed when it is issued, but a permission that goes away (an admin deletes
 * the group it was on) takes its scopes from live tokens at once.
 */
export function effectiveScopes(issued: string, permissions: PermissionRow[]): string[] {
  const held = new Set(scopesForPermissions(permissions));
  return issued.split(" ").filter((scope) => scope !== "" && held.has(scope));
}

/** Every scope the groups can grant: each group's read and write, and INTEGRATION_API. */
export function allScopes(groupSlugs: string[]): string[] {
  return scopesForPermissions(groupSlugs.map((slug) => ({ slug, level: "write" as const })));
}
