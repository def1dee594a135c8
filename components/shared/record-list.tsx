"use client";

import { defaultRangeExtractor, type Range, useVirtualizer } from "@tanstack/react-virtual";
import type * as React from "react";
import { useCallback, useEffect, useEffectEvent, useRef, useState } from "react";
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
  /**
   * Called when the last loaded rows scroll into view, to load the next page before the reader
   * gets there. Give it only while the server has rows after the loaded ones: the list then
   * tells assistive technology that its length is unknown. It is called at most once per end
   * reached, so a failed page is not retried in a loop; the `more` slot's button stays the way
   * to retry, and the keyboard's and screen readers' way to the next page.
   */
  onEndReached?: () => void;
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
  onEndReached,
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
          <VirtualRecordList
            items={items}
            dimmed={dimmed}
            belowToolbar={Boolean(toolbar)}
            onEndReached={onEndReached}
          >
            {children}
          </VirtualRecordList>
          {more}
          <p className="border-line border-t bg-surface-subtle px-4 py-2 text-fg-subtle text-xs">
            {countLabel(items.length)}
          </p>
        </>
      )}
    </section>
  );
}

/** A row's usual height (py-3, a 20px title, a 16px subtitle 2px below it, a 1px rule). */
const ROW_ESTIMATE = 63;
/** Rows rendered beyond each edge of the window, so fast scrolls and Tab rarely meet a gap. */
const OVERSCAN = 8;
/** The end counts as reached this many rows before the last loaded one is in view. */
const END_THRESHOLD = 5;
/**
 * The window assumed before the list is measured: the server render and the browser's first
 * render show the same first rows (about a screenful), so hydration matches.
 */
const INITIAL_RECT = { width: 320, height: 640 };

/**
 * The rows, virtualised: however many pages were loaded, only the rows in and near the list's
 * window are in the DOM, so a list of thousands scrolls and re-renders as fast as one of fifty.
 * The list scrolls within its own box at every width: on phones too, where a bounded height
 * keeps the detail below it a short scroll away rather than thousands of rows down.
 *
 * Rows are measured as they render (their height is about ROW_ESTIMATE, but a longer title or
 * a larger font changes it). A focused row stays rendered while it is scrolled away, so focus
 * is never dropped onto the page; Tab onto the last rendered row scrolls it into view, which
 * renders the rows after it.
 */
function VirtualRecordList<Item extends { id: string }>({
  items,
  dimmed,
  belowToolbar,
  onEndReached,
  children,
}: {
  items: Item[];
  dimmed: boolean;
  belowToolbar: boolean;
  onEndReached?: () => void;
  children: (item: Item) => React.ReactNode;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusedIndex, setFocusedIndex] = useState<number | null>(null);
  const count = items.length;

  const getItemKey = useCallback((index: number) => items[index]?.id ?? index, [items]);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focusedIndex === null || focusedIndex >= range.count || indexes.includes(focusedIndex))
        return indexes;
      return [...indexes, focusedIndex].sort((a, b) => a - b);
    },
    [focusedIndex],
  );
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: OVERSCAN,
    getItemKey,
    rangeExtractor,
    initialRect: INITIAL_RECT,
    // React warns about flushSync inside its own updates; a frame's delay on a fast scroll is
    // covered by the overscan.
    useFlushSync: false,
  });
  const rows = virtualizer.getVirtualItems();
  const visibleEnd = virtualizer.range?.endIndex ?? -1;
  const endInView = visibleEnd >= count - 1 - END_THRESHOLD;

  // Once per end reached: again only when more rows arrived (or the end left the window and
  // came back), not on every render while a failed page leaves the list as it was.
  const reachEnd = useEffectEvent(() => onEndReached?.());
  useEffect(() => {
    if (endInView && count > 0) reachEnd();
  }, [endInView, count]);

  // A new search (another first row) starts at the top, not at the old results' depth.
  const firstId = items[0]?.id;
  useEffect(() => {
    if (firstId !== undefined && scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [firstId]);

  const indexOf = (element: EventTarget | null) => {
    const row = element instanceof Element ? element.closest<HTMLElement>("[data-index]") : null;
    return row ? Number(row.dataset.index) : null;
  };

  return (
    <div
      ref={scrollRef}
      className={cn(
        "max-h-[min(60dvh,30rem)] overflow-y-auto",
        // Beside the detail the list fills the window's height; a toolbar leaves it less room.
        belowToolbar ? "lg:max-h-[calc(100dvh-19rem)]" : "lg:max-h-[calc(100dvh-16rem)]",
      )}
    >
      <ul
        className={cn("relative", dimmed && "opacity-60 transition-opacity")}
        style={{ height: virtualizer.getTotalSize() }}
        onFocus={(event) => setFocusedIndex(indexOf(event.target))}
        onBlur={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null))
            setFocusedIndex(null);
        }}
      >
        {rows.map((row) => {
          const item = items[row.index];
          if (!item) return null;
          return (
            <li
              key={row.key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              aria-setsize={onEndReached ? -1 : count}
              aria-posinset={row.index + 1}
              className={cn(
                "absolute inset-x-0 top-0",
                row.index < count - 1 && "border-line border-b",
              )}
              style={{ transform: `translateY(${row.start}px)` }}
            >
              {children(item)}
            </li>
          );
        })}
      </ul>
    </div>
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
