import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Admins" };

// Placeholder until the Admins page lands (invitations, roles, removal).
export default async function AdminsPage() {
  await requireAdmin();
  return <PageHeader title="Admins" description="Who has access to this console." />;
}
