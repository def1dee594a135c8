import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { organizationSettings } from "@/db/schema";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";

export interface OrganizationSettings {
  basicAuthEnabled: boolean;
  updatedAt: Date;
}

/** Migration 0003 inserts the single row and a check constraint keeps it single. */
const SETTINGS_ROW = 1;

export async function getOrganizationSettings(executor: Executor): Promise<OrganizationSettings> {
  const [row] = await executor
    .select({
      basicAuthEnabled: organizationSettings.basicAuthEnabled,
      updatedAt: organizationSettings.updatedAt,
    })
    .from(organizationSettings)
    .where(eq(organizationSettings.id, SETTINGS_ROW));
  // Guessing a value here would silently decide whether Basic auth is accepted, so a database
  // without the migrated row is an error, not a default.
  if (!row) throw new Error("organization_settings has no row: run the database migrations");
  return row;
}

export type SetBasicAuthEnabledResult = {
  ok: true;
  /** False when the setting already had this value: nothing was written or audited. */
  changed: boolean;
  settings: OrganizationSettings;
};

export async function setBasicAuthEnabled(
  db: Database,
  enabled: boolean,
  context: ChangeContext,
): Promise<SetBasicAuthEnabledResult> {
  return db.transaction(async (tx) => {
    // The condition makes the update itself decide whether anything changes, so two admins
    // flipping the switch the same way at once give one change and one audit event.
    const [updated] = await tx
      .update(organizationSettings)
      .set({ basicAuthEnabled: enabled, updatedAt: sql`now()` })
      .where(
        and(
          eq(organizationSettings.id, SETTINGS_ROW),
          ne(organizationSettings.basicAuthEnabled, enabled),
        ),
      )
      .returning({
        basicAuthEnabled: organizationSettings.basicAuthEnabled,
        updatedAt: organizationSettings.updatedAt,
      });
    if (!updated) return { ok: true, changed: false, settings: await getOrganizationSettings(tx) };
    await recordAudit(tx, {
      actor: context.actor,
      action: "settings.basic_auth_changed",
      target: { type: "organization_settings", id: String(SETTINGS_ROW) },
      clientAddress: context.clientAddress,
      details: { enabled },
    });
    return { ok: true, changed: true, settings: updated };
  });
}
