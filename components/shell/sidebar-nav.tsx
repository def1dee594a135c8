"use client";

import {
  Blocks,
  BookOpen,
  KeyRound,
  type LucideIcon,
  ScrollText,
  Settings,
  ShieldCheck,
  Users,
} from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/utils/cn";

type NavItem = { href: string; label: string; icon: LucideIcon };

const sections: { label?: string; items: NavItem[] }[] = [
  {
    items: [
      { href: "/auth-configs", label: "Auth configs", icon: ShieldCheck },
      { href: "/api-clients", label: "API clients", icon: KeyRound },
      { href: "/integrations", label: "Integrations", icon: Blocks },
    ],
  },
  {
    label: "Organisation",
    items: [
      { href: "/settings", label: "Settings", icon: Settings },
      { href: "/admins", label: "Admins", icon: Users },
      { href: "/audit", label: "Audit log", icon: ScrollText },
    ],
  },
  {
    label: "Developers",
    items: [{ href: "/docs", label: "API docs", icon: BookOpen }],
  },
];

function isActive(pathname: string | null, href: string): boolean {
  return pathname !== null && (pathname === href || pathname.startsWith(`${href}/`));
}

/**
 * The links, marking the current area with aria-current. `pathname` is null in the Suspense
 * fallback, which renders the same links with none marked.
 */
export function NavLinks({ pathname }: { pathname: string | null }) {
  return (
    <nav aria-label="Main" className="grid gap-6">
      {sections.map((section, index) => (
        <div key={section.label ?? index} className="grid gap-0.5">
          {section.label ? (
            <p className="px-2.5 pb-1.5 font-medium text-fg-subtle text-xs">{section.label}</p>
          ) : null}
          <ul className="grid gap-0.5">
            {section.items.map(({ href, label, icon: Icon }) => {
              const active = isActive(pathname, href);
              return (
                <li key={href}>
                  <Link
                    href={href}
                    aria-current={active ? "page" : undefined}
                    className={cn(
                      "group flex h-9 items-center gap-2.5 rounded-md px-2.5 font-medium text-fg-muted text-sm transition-colors",
                      "hover:bg-surface-muted hover:text-fg focus-visible:outline-2 focus-visible:-outline-offset-1 focus-visible:outline-accent",
                      active && "bg-surface text-fg shadow-xs ring-1 ring-line hover:bg-surface",
                    )}
                  >
                    <Icon
                      className={cn(
                        "size-4 shrink-0 text-fg-subtle group-hover:text-fg-muted",
                        active && "text-accent group-hover:text-accent",
                      )}
                      aria-hidden="true"
                    />
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      ))}
    </nav>
  );
}

export function SidebarNav() {
  return <NavLinks pathname={usePathname()} />;
}
