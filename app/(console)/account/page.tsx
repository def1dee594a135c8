import type { Metadata } from "next";
import { AccountView } from "@/components/account/account-view";
import { listSessions } from "@/lib/auth/account";
import { adminSessionListOutput } from "@/lib/auth/account-contract";
import { requireSignedIn, sessionPolicy } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const admin = await requireSignedIn();
  const sessions = await listSessions(await getDb(), admin.id, admin.sessionId, sessionPolicy());
  return (
    <AccountView
      email={admin.email}
      // Parsed through the allowlist, like every action result: only these fields are sent.
      initialSessions={adminSessionListOutput.parse(sessions)}
    />
  );
}
