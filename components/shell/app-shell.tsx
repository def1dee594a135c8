import Link from "next/link";
import type * as React from "react";
import { Suspense } from "react";
import { RoleProvider } from "@/components/auth/role-context";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { Logo } from "./logo";
import { MobileNav } from "./mobile-nav";
import { NavLinks, SidebarNav } from "./sidebar-nav";
import { SignOutButton } from "./sign-out-button";

export type AppShellProps = {
  adminEmail: string;
  role: Role;
  signOutAction: () => Promise<void>;
  children: React.ReactNode;
};

/**
 * The signed-in console frame: a fixed sidebar from the `lg` breakpoint up, a top bar with a
 * drawer below it. Rendered by the console layout around every signed-in page.
 */
export function AppShell({ adminEmail, role, signOutAction, children }: AppShellProps) {
  const sidebar = (
    <SidebarContents adminEmail={adminEmail} role={role} signOutAction={signOutAction} />
  );
  return (
    <RoleProvider role={role}>
      <div className="min-h-dvh bg-surface">
        <a
          href="#main"
          className="sr-only rounded-md bg-surface px-3 py-2 font-medium text-fg text-sm shadow-lg ring-1 ring-line focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-[60] focus:outline-2 focus:outline-accent"
        >
          Skip to content
        </a>
        <aside className="fixed inset-y-0 left-0 z-30 hidden w-64 border-line border-r bg-surface-subtle lg:flex lg:flex-col">
          {sidebar}
        </aside>
        <MobileNav>{sidebar}</MobileNav>
        <main id="main" tabIndex={-1} className="outline-hidden lg:pl-64">
          <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 sm:py-8 lg:px-10 lg:py-10">
            {children}
          </div>
        </main>
      </div>
    </RoleProvider>
  );
}

function SidebarContents({ adminEmail, role, signOutAction }: Omit<AppShellProps, "children">) {
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="flex h-14 shrink-0 items-center px-5">
        <Logo />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto px-3 py-3">
        {/* The pathname can suspend under dynamic routes; the fallback is the same links unmarked. */}
        <Suspense fallback={<NavLinks pathname={null} />}>
          <SidebarNav />
        </Suspense>
      </div>
      <div className="shrink-0 border-line border-t p-3">
        <Link
          href="/account"
          className="flex items-center gap-2.5 rounded-md px-2.5 py-2 hover:bg-surface-muted focus-visible:outline-2 focus-visible:-outline-offset-1 focus-visible:outline-accent"
        >
          <span
            className="flex size-7 shrink-0 items-center justify-center rounded-full bg-accent-subtle font-semibold text-accent-text text-xs uppercase"
            aria-hidden="true"
          >
            {adminEmail.charAt(0)}
          </span>
          <div className="min-w-0">
            <p className="truncate font-medium text-fg text-sm" title={adminEmail}>
              {adminEmail}
            </p>
            <p className="text-fg-subtle text-xs">{ROLE_LABELS[role]} · Your account</p>
          </div>
        </Link>
        <form action={signOutAction} className="mt-1">
          <SignOutButton />
        </form>
      </div>
    </div>
  );
}
