"use client";

import { CircleCheck, CircleX, X } from "lucide-react";
import type * as React from "react";
import { cn } from "@/lib/utils/cn";

/**
 * The frame of a test's outcome: green when it passed, red when not, a heading with its icon and
 * a note beside it (when it was tested, how long it took), and an optional dismiss button.
 */
export function OutcomePanel({
  ok,
  title,
  note,
  onDismiss,
  headingLevel: Heading = "h3",
  className,
  children,
}: {
  ok: boolean;
  title: string;
  /** Beside the heading, in small muted text. */
  note?: React.ReactNode;
  onDismiss?: () => void;
  /** The heading's level where it sits in the page's outline. */
  headingLevel?: "h3" | "h4";
  /** Spacing of the body, e.g. "grid gap-3". */
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <section
      aria-label="Test result"
      className={cn(
        "relative min-w-0 rounded-lg border px-4 py-3.5 text-sm",
        ok ? "border-success-text/20 bg-success-subtle" : "border-danger-text/20 bg-danger-subtle",
        className,
      )}
    >
      {onDismiss ? (
        <button
          type="button"
          onClick={onDismiss}
          aria-label="Dismiss test result"
          className="absolute top-2.5 right-2.5 inline-flex size-7 items-center justify-center rounded-md text-fg-subtle transition-colors hover:bg-fg/5 hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
        >
          <X className="size-4" aria-hidden="true" />
        </button>
      ) : null}
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 pr-8">
        {ok ? (
          <CircleCheck className="size-4 shrink-0 text-success-text" aria-hidden="true" />
        ) : (
          <CircleX className="size-4 shrink-0 text-danger-text" aria-hidden="true" />
        )}
        <Heading className={cn("font-medium", ok ? "text-success-text" : "text-danger-text")}>
          {title}
        </Heading>
        {note ? <span className="text-fg-muted text-xs tabular-nums">{note}</span> : null}
      </div>
      {children}
    </section>
  );
}
