"use client";

import type * as React from "react";
import { formatDate, formatDateTime } from "@/components/shared/format";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils/cn";

export type RecordListPaneProps<Item extends { id: string }> = {
  /** Names the pane for screen readers, e.g. "API client list". */
  label: string;
  items: Item[] | undefined;
  error: Error | null;
  onRetry: () => void;
  /** Names the placeholder rows shown before the first load, e.g. "Loading API clients". */
  loadingLabel: string;
  /** The placeholder rows' second line, about as wide as the real subtitles, e.g. "w-24". */
  skeletonSubtitleWidth: string;
  /** Above the list, e.g. a search box. */
  toolbar?: React.ReactNode;
  /** Shown instead of an empty list, e.g. "No matches". */
  whenEmpty?: React.ReactNode;
  /** Dims the list while newer results are on their way. */
  dimmed?: boolean;
  /** The count under the list, e.g. "3 API clients". */
  countLabel: (count: number) => string;
  /** Between the list and its count, e.g. a "Load more" button for a paged list. */
  more?: React.ReactNode;
  /** One item's link, usually a RecordLink. */
  children: (item: Item) => React.ReactNode;
};

/**
 * The left pane of a list-and-detail page: the records as links, or the skeleton before they
 * first load, or the failure to load them with a retry.
 */
export function RecordListPane<Item extends { id: string }>({
  label,
  items,
  error,
  onRetry,
  loadingLabel,
  skeletonSubtitleWidth,
  toolbar,
  whenEmpty,
  dimmed = false,
  countLabel,
  more,
  children,
}: RecordListPaneProps<Item>) {
  return (
    <section
      aria-label={label}
      className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs"
    >
      {toolbar}
      {error && !items ? (
        <div role="alert" className="grid justify-items-start gap-3 px-4 py-6 text-sm">
          <p className="text-fg-muted">{error.message}</p>
          <Button variant="secondary" size="sm" onClick={onRetry}>
            Try again
          </Button>
        </div>
      ) : !items ? (
        <ListSkeleton label={loadingLabel} subtitleWidth={skeletonSubtitleWidth} />
      ) : items.length === 0 && whenEmpty ? (
        whenEmpty
      ) : (
        <>
          <ul
            className={cn(
              "divide-y divide-line lg:overflow-y-auto",
              // The list scrolls within the window; a toolbar above it leaves it less room.
              toolbar ? "lg:max-h-[calc(100dvh-19rem)]" : "lg:max-h-[calc(100dvh-16rem)]",
              dimmed && "opacity-60 transition-opacity",
            )}
          >
            {items.map((item) => (
              <li key={item.id}>{children(item)}</li>
            ))}
          </ul>
          {more}
          <p className="border-line border-t bg-surface-subtle px-4 py-2 text-fg-subtle text-xs">
            {countLabel(items.length)}
          </p>
        </>
      )}
    </section>
  );
}

/**
 * One record in the list: a real link to its `?id=`, so it can be opened in a new tab, whose
 * plain clicks are taken over to switch the detail without a page load.
 */
export function RecordLink({
  href,
  selected,
  onSelect,
  title,
  titleClassName,
  createdAt,
  subtitle,
  subtitleClassName,
}: {
  href: string;
  selected: boolean;
  onSelect: () => void;
  title: string;
  titleClassName?: string;
  createdAt: Date;
  subtitle: React.ReactNode;
  subtitleClassName?: string;
}) {
  const select = (event: React.MouseEvent<HTMLAnchorElement>) => {
    // A modified or middle click is the browser's: a new tab, a new window, a download.
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0)
      return;
    event.preventDefault();
    onSelect();
  };

  return (
    <a
      href={href}
      onClick={select}
      aria-current={selected ? "page" : undefined}
      className={cn(
        "relative block px-4 py-3 transition-colors",
        "hover:bg-surface-subtle focus-visible:outline-2 focus-visible:outline-accent focus-visible:-outline-offset-2",
        selected &&
          "bg-accent-subtle hover:bg-accent-subtle before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-accent",
      )}
    >
      <div className="flex items-baseline justify-between gap-3">
        <p
          className={cn(
            "min-w-0 truncate font-medium text-fg text-sm",
            titleClassName,
            selected && "text-accent-text",
          )}
        >
          {title}
        </p>
        <time
          dateTime={createdAt.toISOString()}
          title={`Created ${formatDateTime(createdAt)}`}
          className="shrink-0 text-fg-subtle text-xs tabular-nums"
        >
          <span className="sr-only">created </span>
          {formatDate(createdAt)}
        </time>
      </div>
      <p className={cn("mt-0.5 truncate text-fg-muted text-xs", subtitleClassName)}>{subtitle}</p>
    </a>
  );
}

function ListSkeleton({ label, subtitleWidth }: { label: string; subtitleWidth: string }) {
  return (
    <div className="divide-y divide-line" role="status" aria-label={label}>
      {[0, 1, 2].map((row) => (
        <div key={row} className="grid gap-2 px-4 py-3.5">
          <div className="h-3.5 w-32 animate-pulse rounded bg-surface-muted" />
          <div className={cn("h-3 animate-pulse rounded bg-surface-muted", subtitleWidth)} />
        </div>
      ))}
    </div>
  );
}
