import type { Metadata } from "next";
import { AdminsView } from "@/components/admins/admins-view";
import { adminsOverviewOutput } from "@/lib/admins/contract";
import { listAdmins } from "@/lib/admins/service";
import { requireAdmin } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "Admins" };

/** Every role may see the team; the view shows owners the buttons that change it. */
export default async function AdminsPage() {
  const admin = await requireAdmin();
  const overview = adminsOverviewOutput.parse(await listAdmins(await getDb()));
  return <AdminsView initial={overview} youId={admin.id} />;
}
