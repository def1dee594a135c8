import type * as React from "react";
import { signOutAction } from "@/app/(auth)/actions";
import { AppShell } from "@/components/shell/app-shell";
import { requireAdmin } from "@/lib/auth/session";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // Each page checks the session again itself: layouts are not re-run on client navigation.
  const admin = await requireAdmin();
  return (
    <AppShell adminEmail={admin.email} signOutAction={signOutAction}>
      {children}
    </AppShell>
  );
}
