"use client";

import { useWindowVirtualizer, type Virtualizer } from "@tanstack/react-virtual";
import { ScrollText } from "lucide-react";
import {
  Fragment,
  useCallback,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { Badge, type BadgeVariant } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { AuditEventView as AuditEvent } from "@/lib/audit/contract";
import { cn } from "@/lib/utils/cn";
import { formatDetails } from "./format";

/** Tailwind's `xl`: the table from here up, the stacked list below. */
const WIDE_QUERY = "(min-width: 80rem)";
/** Rows rendered beyond each edge of the window. */
const OVERSCAN = 10;
/** A table row's and a stacked item's usual heights; each is measured once it renders. */
const ROW_ESTIMATE = 65;
const ITEM_ESTIMATE = 118;

function actionVariant(action: string): BadgeVariant {
  if (action.endsWith("_failed")) return "danger";
  if (action.endsWith(".created") || action.endsWith(".signed_in")) return "success";
  if (action.endsWith(".deleted")) return "warning";
  return "neutral";
}

/** UTC (the column says so), so admins in different places read the same time for one event. */
function formatTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * The events as a table from the `xl` breakpoint, and as a stacked list below it, where five
 * columns would only scroll sideways.
 *
 * Both are virtualised against the window's scroll: after many "Older events" the log holds
 * thousands of events, and only those near the window are in the DOM. Only one of the two is
 * rendered once the width is known, since a hidden list measures every row as empty and would
 * render them all. The server render and hydration do not know the width: they render both,
 * whole, as before (the first page only, 25 events), and CSS shows one.
 */
export function AuditTable({
  events,
  filtered,
  hasMore = false,
}: {
  events: AuditEvent[];
  filtered: boolean;
  /** Older events exist beyond the loaded ones: the lists' length is unknown. */
  hasMore?: boolean;
}) {
  const wide = useMediaQuery(WIDE_QUERY);
  if (events.length === 0) {
    return (
      <EmptyState
        icon={<ScrollText />}
        title={filtered ? "No events match these filters" : "No events yet"}
        description={
          filtered
            ? "Try another action or actor, or clear the filters."
            : "Sign-ins, admin changes and every create or delete will be listed here."
        }
      />
    );
  }
  if (wide === null) {
    return (
      <>
        <EventTable events={events} hasMore={hasMore} virtual={false} />
        <EventList events={events} hasMore={hasMore} virtual={false} />
      </>
    );
  }
  return wide ? (
    <EventTable events={events} hasMore={hasMore} virtual />
  ) : (
    <EventList events={events} hasMore={hasMore} virtual />
  );
}

/** Whether the media query matches; `null` on the server and while hydrating. */
function useMediaQuery(query: string): boolean | null {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    [query],
  );
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => null,
  );
}

type Rows = {
  /** The indexes to render, with each one's measuring ref. */
  indexes: number[];
  measure: (element: Element | null) => void;
  /** The space the unrendered events above and below take. */
  before: number;
  after: number;
};

/**
 * The events in and near the window, for a list whose scroll is the page's. `container` is the
 * element the rows start in (tbody, ul): its distance from the top of the page is measured on
 * every render, since the filters and the header above it change height.
 */
function useWindowRows<Container extends HTMLElement>(
  count: number,
  estimate: number,
  enabled: boolean,
): Rows & { container: React.RefObject<Container | null> } {
  const container = useRef<Container | null>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  const virtualizer: Virtualizer<Window, Element> = useWindowVirtualizer({
    count,
    estimateSize: () => estimate,
    overscan: OVERSCAN,
    scrollMargin,
    enabled,
    // Rendered on the client only (see AuditTable), so the first render can fill the window.
    initialRect:
      typeof window === "undefined"
        ? undefined
        : { width: window.innerWidth, height: window.innerHeight },
    // React warns about flushSync inside its own updates; the overscan covers a frame's delay.
    useFlushSync: false,
  });
  useLayoutEffect(() => {
    const element = container.current;
    if (!enabled || !element) return;
    const top = element.getBoundingClientRect().top + window.scrollY;
    // The same value bails out of the render.
    setScrollMargin(Math.round(top));
  });
  if (!enabled) {
    return {
      container,
      indexes: Array.from({ length: count }, (_, index) => index),
      measure: () => undefined,
      before: 0,
      after: 0,
    };
  }
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items.at(-1);
  return {
    container,
    indexes: items.map((item) => item.index),
    measure: virtualizer.measureElement,
    before: first ? first.start - scrollMargin : 0,
    after: last ? virtualizer.getTotalSize() - (last.end - scrollMargin) : 0,
  };
}

/**
 * The table's columns, fixed: virtual rows come and go, and an automatic layout would resize the
 * columns to fit whichever are rendered. Time and address stack under other cells so that the
 * details, the only long column, keep most of a 1280 px window.
 */
const COLUMNS = [
  { label: "Time (UTC)", width: "8rem" },
  { label: "Actor", width: "11.5rem" },
  { label: "Action", width: "12.5rem" },
  { label: "Target", width: "8rem" },
  { label: "Details", width: undefined },
] as const;

function EventTable({
  events,
  hasMore,
  virtual,
}: {
  events: AuditEvent[];
  hasMore: boolean;
  virtual: boolean;
}) {
  const rows = useWindowRows<HTMLTableSectionElement>(events.length, ROW_ESTIMATE, virtual);
  return (
    <Table
      aria-label="Audit events"
      // The header row is row 1.
      aria-rowcount={hasMore ? -1 : events.length + 1}
      className="table-fixed"
      containerClassName={virtual ? undefined : "hidden xl:block"}
    >
      <colgroup>
        {COLUMNS.map((column) => (
          <col key={column.label} style={{ width: column.width }} />
        ))}
      </colgroup>
      <TableHeader>
        <TableRow aria-rowindex={1}>
          {COLUMNS.map((column) => (
            <TableHead key={column.label}>{column.label}</TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody ref={rows.container}>
        {rows.before > 0 ? <Spacer height={rows.before} /> : null}
        {rows.indexes.map((index) => {
          const event = events[index];
          if (!event) return null;
          return (
            <TableRow
              key={event.id}
              ref={rows.measure}
              data-index={index}
              aria-rowindex={index + 2}
            >
              <TableCell className="whitespace-nowrap text-fg-muted tabular-nums">
                {/* The date over the time: one line each, so the column stays narrow. */}
                <time dateTime={event.occurredAt.toISOString()} className="grid">
                  <span>{formatTime(event.occurredAt).slice(0, 10)}</span>
                  <span>{formatTime(event.occurredAt).slice(11)}</span>
                </time>
              </TableCell>
              <TableCell className="break-words">
                <div className="font-medium text-fg">{event.actorLabel ?? "—"}</div>
                <div className="text-fg-subtle text-xs">
                  {event.actorType !== "admin" ? `${actorTypeLabel(event.actorType)} · ` : null}
                  <span className="font-mono">
                    <span className="sr-only">from </span>
                    {event.clientAddress ?? "—"}
                  </span>
                </div>
              </TableCell>
              <TableCell>
                <Badge variant={actionVariant(event.action)} className="font-mono">
                  {/* A name longer than the column wraps after its area. */}
                  <ActionName action={event.action} />
                </Badge>
              </TableCell>
              <TableCell
                className="truncate font-mono text-fg-muted text-xs"
                title={event.targetId ?? undefined}
              >
                {event.targetId ?? "—"}
              </TableCell>
              <TableCell className="text-fg-muted text-xs [overflow-wrap:anywhere]">
                {formatDetails(event.details) || "—"}
              </TableCell>
            </TableRow>
          );
        })}
        {rows.after > 0 ? <Spacer height={rows.after} /> : null}
      </TableBody>
    </Table>
  );
}

/** The height of the rows not rendered, so the table keeps its full height and scroll. */
function Spacer({ height }: { height: number }) {
  return (
    // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a row with nothing in it takes no focus
    <tr aria-hidden="true" className="border-0">
      <td colSpan={COLUMNS.length} style={{ height, padding: 0 }} />
    </tr>
  );
}

/**
 * An action's name that may wrap after its area (`integration.` / `connection_deleted`), in
 * one span: the badge is a flex box, where loose text would not wrap.
 */
function ActionName({ action }: { action: string }) {
  const parts = action.split(".");
  return (
    <span className="min-w-0 whitespace-normal">
      {parts.map((part, index) => (
        // The parts of one name, in order: their index is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Fragment key={index}>
          {index > 0 ? (
            <>
              .<wbr />
            </>
          ) : null}
          {part}
        </Fragment>
      ))}
    </span>
  );
}

function EventList({
  events,
  hasMore,
  virtual,
}: {
  events: AuditEvent[];
  hasMore: boolean;
  virtual: boolean;
}) {
  const rows = useWindowRows<HTMLUListElement>(events.length, ITEM_ESTIMATE, virtual);
  return (
    <ul
      ref={rows.container}
      aria-label="Audit events"
      className={cn("rounded-lg border border-line bg-surface", virtual ? undefined : "xl:hidden")}
      style={{ paddingTop: rows.before, paddingBottom: rows.after }}
    >
      {rows.indexes.map((index) => {
        const event = events[index];
        if (!event) return null;
        return (
          <li
            key={event.id}
            ref={rows.measure}
            data-index={index}
            aria-setsize={hasMore ? -1 : events.length}
            aria-posinset={index + 1}
            className={cn(
              "space-y-1.5 px-4 py-3 text-sm",
              index < events.length - 1 && "border-line border-b",
            )}
          >
            <div className="flex flex-wrap items-center justify-between gap-2">
              <Badge variant={actionVariant(event.action)} className="font-mono">
                {event.action}
              </Badge>
              <time
                dateTime={event.occurredAt.toISOString()}
                className="text-fg-muted text-xs tabular-nums"
              >
                {formatTime(event.occurredAt)} UTC
              </time>
            </div>
            <div className="font-medium text-fg">
              {event.actorLabel ?? "—"}
              {event.actorType !== "admin" ? (
                <span className="ml-1.5 font-normal text-fg-subtle text-xs">
                  {actorTypeLabel(event.actorType)}
                </span>
              ) : null}
            </div>
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-fg-muted text-xs">
              <dt>Target</dt>
              <dd className="break-all font-mono">{event.targetId ?? "—"}</dd>
              <dt>Address</dt>
              <dd className="font-mono">{event.clientAddress ?? "—"}</dd>
              <dt>Details</dt>
              <dd className="[overflow-wrap:anywhere]">{formatDetails(event.details) || "—"}</dd>
            </dl>
          </li>
        );
      })}
    </ul>
  );
}

/** Who acted, in words; admins are the norm and carry no label. */
function actorTypeLabel(type: string): string {
  const labels: Record<string, string> = { api_client: "API client", till: "till" };
  return labels[type] ?? type;
}
