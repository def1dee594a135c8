import type { Metadata } from "next";
import { AccountView } from "@/components/account/account-view";
import { requireSignedIn } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const admin = await requireSignedIn();
  return <AccountView email={admin.email} />;
}
