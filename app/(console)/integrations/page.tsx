import { Blocks } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Custom integrations and how end users connect them to external services."
      />
      <EmptyState
        icon={<Blocks />}
        title="No integrations yet"
        description="Each integration's auth configuration (none, API key fields, OAuth, OAuth with dynamic client registration, or a service account) will be set here and through the public REST API. Creating integrations arrives in the next release."
      />
    </>
  );
}
