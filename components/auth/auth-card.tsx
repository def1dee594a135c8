import type * as React from "react";
import { LogoMark } from "@/components/shell/logo";

export type AuthCardProps = {
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Small print under the card, e.g. a note on how to get an account. */
  footer?: React.ReactNode;
  children: React.ReactNode;
};

/** The whole page for sign-in and first-run setup: logo, then one centred card. */
export function AuthCard({ title, description, footer, children }: AuthCardProps) {
  return (
    <main className="flex min-h-dvh flex-col items-center bg-surface-subtle px-4 py-12 sm:justify-center sm:py-16">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center justify-center gap-2.5">
          <LogoMark className="size-8" />
          <span className="font-semibold text-fg text-lg tracking-tight">Authdesk</span>
        </div>
        <div className="rounded-xl border border-line bg-surface p-6 shadow-sm sm:p-8">
          <h1 className="font-semibold text-fg text-xl tracking-tight">{title}</h1>
          {description ? (
            <p className="mt-1.5 text-pretty text-fg-muted text-sm leading-relaxed">
              {description}
            </p>
          ) : null}
          <div className="mt-6">{children}</div>
        </div>
        {footer ? (
          <div className="mt-6 text-pretty text-center text-fg-subtle text-sm">{footer}</div>
        ) : null}
      </div>
    </main>
  );
}
