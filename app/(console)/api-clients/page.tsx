import { KeyRound } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API clients" };

export default async function ApiClientsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="API clients"
        description="Inbound credentials: the client keys and secrets other systems use to call the platform."
      />
      <EmptyState
        icon={<KeyRound />}
        title="No API clients yet"
        description="Each client gets a key and a secret shown once, a permission per API group and a token lifetime; Authdesk issues, checks and revokes its OAuth 2.0 access tokens. Registering them arrives in the next release."
      />
    </>
  );
}
