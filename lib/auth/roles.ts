import { ADMIN_ROLES } from "@/db/schema/admins";

/*
 * What each role may do. Owner: everything, including Settings, Admins and key operations.
 * Admin: create and delete auth configs, API clients, integrations, tills and API groups.
 * Viewer: read everything an admin can read, change nothing. Every server action checks the
 * role itself (`refuseUnless`); the UI only hides what a role cannot do.
 *
 * No "server-only" here: client components import the names and `roleAllows` to hide buttons.
 */

export { ADMIN_ROLES };
export type Role = (typeof ADMIN_ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, admin: 1, owner: 2 };

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including Settings and Admins",
  admin: "Creates and deletes auth configs, API clients, integrations, tills and API groups",
  viewer: "Reads everything, changes nothing",
};

export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** The answer of an action the admin's role may not use: an ordinary form error, marked. */
export type RoleRefusal = { ok: false; formError: string; forbidden: true };

const REFUSALS: Record<Exclude<Role, "viewer">, string> = {
  admin:
    "Your role is Viewer: you can look, but not change anything. Ask an owner for the Admin role.",
  owner: "Only an owner can do this. Ask an owner of this organisation.",
};

/** Null when `admin` may go on, else the refusal the action returns as it is. */
export function refuseUnless(
  admin: { role: Role },
  needed: Exclude<Role, "viewer">,
): RoleRefusal | null {
  if (roleAllows(admin.role, needed)) return null;
  return { ok: false, formError: REFUSALS[needed], forbidden: true };
}
