"use client";

import { Button } from "@/components/ui/button";
import type { AuditEventsPage } from "@/lib/audit/contract";
import type { AuditFilters } from "@/lib/audit/schema";
import { AuditTable } from "./audit-table";
import { AuditActionError, useAuditEvents } from "./queries";

interface AuditLogProps {
  filters: AuditFilters;
  firstPage: AuditEventsPage;
  renderedAt: number;
}

/**
 * The events loaded so far and a button for older ones. There is no total: counting millions
 * of events on every page is the cost keyset paging avoids (lib/audit/service.ts).
 */
export function AuditLog({ filters, firstPage, renderedAt }: AuditLogProps) {
  const query = useAuditEvents(filters, firstPage, renderedAt);
  const events = query.data.pages.flatMap((page) => page.events);
  const filtered = Boolean(filters.action || filters.actor);
  return (
    <>
      <AuditTable events={events} filtered={filtered} hasMore={query.hasNextPage} />
      {events.length > 0 ? (
        <nav
          aria-label="Audit log pages"
          className="flex flex-wrap items-center justify-between gap-4 text-fg-muted text-sm"
        >
          <p className="tabular-nums" aria-live="polite">
            {query.hasNextPage
              ? `Showing the newest ${events.length.toLocaleString("en")} events`
              : `All ${events.length.toLocaleString("en")} ${events.length === 1 ? "event" : "events"}`}
          </p>
          {query.isFetchNextPageError ? (
            <p role="alert" className="text-danger">
              {query.error instanceof AuditActionError
                ? query.error.message
                : "The server could not be reached. Check your connection and try again."}
            </p>
          ) : null}
          {query.hasNextPage ? (
            <Button
              variant="secondary"
              size="sm"
              disabled={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              {query.isFetchingNextPage ? "Loading…" : "Older events"}
            </Button>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}
