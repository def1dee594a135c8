import type { Metadata } from "next";
import { z } from "zod";
import { SettingsView } from "@/components/settings/settings-view";
import { apiGroupOutput } from "@/lib/api-groups/contract";
import { listApiGroups } from "@/lib/api-groups/service";
import { requireAdmin } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";
import { organizationSettingsOutput } from "@/lib/settings/contract";
import { getOrganizationSettings } from "@/lib/settings/service";
import { tillListPageOutput } from "@/lib/tills/contract";
import { listTills } from "@/lib/tills/service";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const admin = await requireAdmin();
  const db = await getDb();
  const [settings, tills, groups] = await Promise.all([
    getOrganizationSettings(db),
    listTills(db),
    listApiGroups(db),
  ]);
  return (
    <SettingsView
      // Parsed through the allowlists, like every action result: only these fields are sent.
      initialSettings={organizationSettingsOutput.parse(settings)}
      initialTills={tillListPageOutput.parse(tills)}
      initialGroups={z.array(apiGroupOutput).parse(groups)}
      twoFactor={{
        required: admin.twoFactorRequired,
        ownTwoFactorEnabled: admin.twoFactorEnabled,
      }}
    />
  );
}
