"use client";

import { PageHeader } from "@/components/ui/page-header";
import type { ApiGroup } from "@/lib/api-groups/contract";
import type { Page } from "@/lib/paging/contract";
import type { OrganizationSettingsView } from "@/lib/settings/contract";
import type { Till } from "@/lib/tills/contract";
import { ApiGroupsCard } from "./api-groups-card";
import { BasicAuthCard } from "./basic-auth-card";
import { RequireTwoFactorCard, type TwoFactorRequirementView } from "./require-two-factor-card";
import { TillsCard } from "./tills-card";

export type SettingsViewProps = {
  initialSettings: OrganizationSettingsView;
  /** The first page of tills, from the server render. */
  initialTills: Page<Till>;
  initialGroups: ApiGroup[];
  twoFactor: TwoFactorRequirementView;
};

/** Organisation settings: the Basic-auth switch, the tills and the API groups. */
export function SettingsView({
  initialSettings,
  initialTills,
  initialGroups,
  twoFactor,
}: SettingsViewProps) {
  return (
    <>
      <PageHeader
        title="Settings"
        description="Organisation-wide authentication for the platform's public API: whether Basic authentication is accepted, the tills programs authenticate as, and the API groups that API clients get permissions on."
      />
      {/* minmax(0, 1fr): a wide table scrolls inside its card instead of widening the page. */}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
        <BasicAuthCard initial={initialSettings} />
        <TillsCard initial={initialTills} />
        <ApiGroupsCard initial={initialGroups} />
        <RequireTwoFactorCard initial={twoFactor} />
      </div>
    </>
  );
}
