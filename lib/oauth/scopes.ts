/**
 * Scopes follow an API client's permissions: View only on a group grants `<slug>:read`,
 * Modify grants `<slug>:read <slug>:write`, and Modify on the Integrations group also grants
 * `INTEGRATION_API`, the scope the integrations API checks.
 */
export type PermissionLevel = "read" | "write";

export const INTEGRATION_API_SCOPE = "INTEGRATION_API";
export const INTEGRATIONS_GROUP_SLUG = "integrations";

export function scopesForPermissions(
  permissions: { slug: string; level: PermissionLevel }[],
): string[] {
  const scopes = permissions.flatMap(({ slug, level }) => {
    if (level === "read") return [`${slug}:read`];
    const granted = [`${slug}:read`, `${slug}:write`];
    return slug === INTEGRATIONS_GROUP_SLUG ? [...granted, INTEGRATION_API_SCOPE] : granted;
  });
  return [...new Set(scopes)].sort();
}

/** The scopes Modify on a group grants, which include View only's: what the console lists. */
export function scopesOfGroup(slug: string): string[] {
  return scopesForPermissions([{ slug, level: "write" }]);
}
