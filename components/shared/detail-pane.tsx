"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import { FileQuestionMark, Lock } from "lucide-react";
import type * as React from "react";
import { useId } from "react";
import { PaneMessage } from "@/components/shared/detail";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils/cn";

/** "auth config" → "Auth config", for a title that starts with the noun; "API client" stays. */
function sentenceCase(noun: string): string {
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}

/**
 * The right pane of a list-and-detail page: the record from its detail query once it has one,
 * and until then a skeleton, a failure to load it with a retry, or "not found" (`null` data: it
 * was deleted, or never existed). `noun` names the record in those messages, e.g. "API client".
 */
export function DetailPane<Data>({
  query,
  noun,
  onClearSelection,
  children,
}: {
  query: UseQueryResult<Data | null>;
  noun: string;
  onClearSelection: () => void;
  children: (record: Data) => React.ReactNode;
}) {
  if (query.isPending) return <DetailSkeleton label={`Loading ${noun}`} />;
  if (query.isError) {
    return (
      <PaneMessage title={`Could not load this ${noun}`} role="alert">
        <p>{query.error.message}</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={() => query.refetch()}>
          Try again
        </Button>
      </PaneMessage>
    );
  }
  if (query.data === null) {
    return (
      <PaneMessage title={`${sentenceCase(noun)} not found`} icon={<FileQuestionMark />}>
        <p>It may have been deleted. Pick another one from the list.</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={onClearSelection}>
          Clear selection
        </Button>
      </PaneMessage>
    );
  }
  return children(query.data);
}

/**
 * One record: its name (the region's name for screen readers) with the delete button beside it
 * and the id under it, optional actions on the right, the detail sections, and, for a read-only
 * record, a footer that says why nothing here can be edited.
 */
export function DetailCard({
  title,
  titleClassName,
  recordId,
  deleteButton,
  actions,
  notice,
  readOnlyNote,
  children,
}: {
  title: string;
  /** How the name breaks and which face it is in, e.g. "break-all font-mono" for identifiers. */
  titleClassName: string;
  recordId: string;
  deleteButton: React.ReactNode;
  actions?: React.ReactNode;
  /** Between the header and the sections, e.g. the outcome of an action. */
  notice?: React.ReactNode;
  /** Why the record cannot be edited; left out for records that can be. */
  readOnlyNote?: React.ReactNode;
  /** The DetailSections. */
  children: React.ReactNode;
}) {
  const headingId = useId();
  const heading = (
    <>
      <div className="flex min-w-0 items-center gap-1">
        <h2
          id={headingId}
          className={cn("min-w-0 font-semibold text-fg text-lg leading-7", titleClassName)}
        >
          {title}
        </h2>
        {deleteButton}
      </div>
      <p className="mt-0.5 font-mono text-fg-subtle text-xs">{recordId}</p>
    </>
  );

  return (
    <section
      aria-labelledby={headingId}
      className="rounded-xl border border-line bg-surface shadow-xs"
    >
      {actions ? (
        <header className="flex flex-col gap-4 border-line border-b px-5 py-4 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0">{heading}</div>
          <div className="flex shrink-0 gap-2">{actions}</div>
        </header>
      ) : (
        <header className="border-line border-b px-5 py-4">{heading}</header>
      )}

      {notice}

      <div className="grid gap-6 px-5 py-5">{children}</div>

      {readOnlyNote ? (
        <footer className="flex gap-2 rounded-b-xl border-line border-t bg-surface-subtle px-5 py-3 text-fg-muted text-xs leading-relaxed">
          <Lock className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
          <p>{readOnlyNote}</p>
        </footer>
      ) : null}
    </section>
  );
}

function DetailSkeleton({ label }: { label: string }) {
  return (
    <div
      className="rounded-xl border border-line bg-surface p-5 shadow-xs"
      role="status"
      aria-label={label}
    >
      <div className="h-6 w-48 animate-pulse rounded bg-surface-muted" />
      <div className="mt-2 h-3 w-36 animate-pulse rounded bg-surface-muted" />
      <div className="mt-8 grid gap-4">
        {[0, 1, 2, 3, 4, 5].map((row) => (
          <div key={row} className="grid gap-4 sm:grid-cols-[11rem_1fr]">
            <div className="h-4 w-24 animate-pulse rounded bg-surface-muted" />
            <div className="h-4 w-full max-w-xs animate-pulse rounded bg-surface-muted" />
          </div>
        ))}
      </div>
    </div>
  );
}
