import { ShieldCheck } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Auth configs" };

export default async function AuthConfigsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="Auth configs"
        description="Outbound credentials: the OAuth 2.0 client-credentials settings the platform uses to call other APIs."
      />
      <EmptyState
        icon={<ShieldCheck />}
        title="No auth configs yet"
        description="Each config holds a token URL, scope, client ID and client secret, stored encrypted and exchanged for access tokens by a token broker that caches them. Creating them arrives in the next release."
      />
    </>
  );
}
