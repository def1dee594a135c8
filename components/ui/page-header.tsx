import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type PageHeaderProps = {
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Buttons or links on the right (they wrap below the title on narrow screens). */
  actions?: React.ReactNode;
  className?: string;
};

/** The page's h1; every console page starts with one. */
export function PageHeader({ title, description, actions, className }: PageHeaderProps) {
  return (
    <header
      className={cn(
        "mb-8 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between",
        className,
      )}
    >
      <div className="min-w-0">
        <h1 className="font-semibold text-2xl text-fg tracking-tight">{title}</h1>
        {description ? (
          <p className="mt-1.5 max-w-2xl text-pretty text-fg-muted text-sm leading-relaxed">
            {description}
          </p>
        ) : null}
      </div>
      {actions ? <div className="flex shrink-0 flex-wrap items-center gap-2">{actions}</div> : null}
    </header>
  );
}
