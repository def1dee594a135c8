import type * as React from "react";
import { LogoMark } from "@/components/shell/logo";
import { cn } from "@/lib/utils/cn";

/**
 * The whole hosted connect page: one centred card, nothing from the console. End users arrive
 * from another app, so the card leads with what they are connecting; Authdesk signs quietly below.
 */
export function ConnectCard({
  icon,
  eyebrow,
  title,
  description,
  children,
  tone = "neutral",
}: {
  icon?: React.ReactNode;
  /** Above the title, e.g. the integration's name. */
  eyebrow?: React.ReactNode;
  title: React.ReactNode;
  description?: React.ReactNode;
  children?: React.ReactNode;
  tone?: "neutral" | "success" | "problem";
}) {
  return (
    <main className="flex min-h-dvh flex-col items-center bg-surface-subtle px-4 py-10 sm:justify-center sm:py-16">
      <div className="w-full max-w-md">
        <div className="rounded-xl border border-line bg-surface p-6 shadow-sm sm:p-8">
          {icon ? (
            <div
              className={cn(
                "mb-5 flex size-11 items-center justify-center rounded-full [&_svg]:size-5",
                tone === "success" && "bg-success-subtle text-success-text",
                tone === "problem" && "bg-warning-subtle text-warning-text",
                tone === "neutral" && "bg-surface-muted text-fg-muted",
              )}
              aria-hidden="true"
            >
              {icon}
            </div>
          ) : null}
          {eyebrow ? (
            <p className="mb-1 break-words font-medium text-fg-muted text-sm">{eyebrow}</p>
          ) : null}
          <h1 className="text-balance break-words font-semibold text-fg text-xl tracking-tight">
            {title}
          </h1>
          {description ? (
            <div className="mt-2 grid gap-2 text-pretty text-fg-muted text-sm leading-relaxed">
              {description}
            </div>
          ) : null}
          {children ? <div className="mt-6">{children}</div> : null}
        </div>
        <p className="mt-6 flex items-center justify-center gap-2 text-fg-subtle text-xs">
          <LogoMark className="size-4" />
          Secured by Authdesk
        </p>
      </div>
    </main>
  );
}
