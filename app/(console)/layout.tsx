import type * as React from "react";
import { signOutAction } from "@/app/(auth)/actions";
import { AppShell } from "@/components/shell/app-shell";
import { requireSignedIn } from "@/lib/auth/session";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // Each page checks the session again itself: layouts are not re-run on client navigation.
  // Not requireAdmin: the account pages must render while two-factor set-up is still owed.
  const admin = await requireSignedIn();
  return (
    <AppShell adminEmail={admin.email} role={admin.role} signOutAction={signOutAction}>
      {children}
    </AppShell>
  );
}
