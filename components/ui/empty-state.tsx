import type * as React from "react";
import { cn } from "@/lib/utils/cn";

export type EmptyStateProps = {
  /** An icon element, e.g. `<KeyRound />` from lucide-react. */
  icon?: React.ReactNode;
  title: React.ReactNode;
  description?: React.ReactNode;
  /** Buttons or links; leave out rather than show one that does nothing. */
  action?: React.ReactNode;
  /** 2 under a page's h1 (default), 3 inside a card that has its own heading. */
  headingLevel?: 2 | 3;
  className?: string;
};

export function EmptyState({
  icon,
  title,
  description,
  action,
  headingLevel = 2,
  className,
}: EmptyStateProps) {
  const Heading = headingLevel === 3 ? "h3" : "h2";
  return (
    <div
      className={cn(
        "flex flex-col items-center rounded-xl border border-line-strong border-dashed bg-surface px-6 py-12 text-center sm:py-16",
        className,
      )}
    >
      {icon ? (
        <div
          className="mb-4 flex size-11 items-center justify-center rounded-lg border border-line bg-surface-subtle text-fg-muted shadow-xs [&_svg]:size-5"
          aria-hidden="true"
        >
          {icon}
        </div>
      ) : null}
      <Heading className="font-semibold text-base text-fg">{title}</Heading>
      {description ? (
        <p className="mt-1.5 max-w-md text-pretty text-fg-muted text-sm leading-relaxed">
          {description}
        </p>
      ) : null}
      {action ? <div className="mt-6 flex flex-wrap justify-center gap-2">{action}</div> : null}
    </div>
  );
}
