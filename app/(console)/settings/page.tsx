import { Settings } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="Settings"
        description="Organisation-wide authentication settings for the platform's public API."
      />
      <EmptyState
        icon={<Settings />}
        title="Nothing to configure yet"
        description="This is where you will switch Basic authentication (till code and password) on or off and manage the tills that API clients act as. These settings arrive in the next release."
      />
    </>
  );
}
