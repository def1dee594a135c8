"use client";

import type * as React from "react";
import { formatDate, formatDateTime, plural } from "@/components/shared/format";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils/cn";
import type { ApiClientListItem } from "./contract";
import { keyPrefix } from "./format";

export type ApiClientListProps = {
  clients: ApiClientListItem[] | undefined;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

/**
 * The left pane. Items are real links to `?id=…`, so they can be opened in a new tab; a plain
 * click is taken over and switches the detail without a page load.
 */
export function ApiClientList({
  clients,
  error,
  onRetry,
  selectedId,
  hrefFor,
  onSelect,
}: ApiClientListProps) {
  const select = (event: React.MouseEvent<HTMLAnchorElement>, id: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0)
      return;
    event.preventDefault();
    onSelect(id);
  };

  return (
    <section
      aria-label="API client list"
      className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs"
    >
      {error && !clients ? (
        <div role="alert" className="grid justify-items-start gap-3 px-4 py-6 text-sm">
          <p className="text-fg-muted">{error.message}</p>
          <Button variant="secondary" size="sm" onClick={onRetry}>
            Try again
          </Button>
        </div>
      ) : !clients ? (
        <div className="divide-y divide-line" role="status" aria-label="Loading API clients">
          {[0, 1, 2].map((row) => (
            <div key={row} className="grid gap-2 px-4 py-3.5">
              <div className="h-3.5 w-32 animate-pulse rounded bg-surface-muted" />
              <div className="h-3 w-24 animate-pulse rounded bg-surface-muted" />
            </div>
          ))}
        </div>
      ) : (
        <>
          <ul className="divide-y divide-line lg:max-h-[calc(100dvh-16rem)] lg:overflow-y-auto">
            {clients.map((client) => {
              const selected = client.id === selectedId;
              return (
                <li key={client.id}>
                  <a
                    href={hrefFor(client.id)}
                    onClick={(event) => select(event, client.id)}
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
                          selected && "text-accent-text",
                        )}
                      >
                        {client.name}
                      </p>
                      <time
                        dateTime={client.createdAt.toISOString()}
                        title={`Created ${formatDateTime(client.createdAt)}`}
                        className="shrink-0 text-fg-subtle text-xs tabular-nums"
                      >
                        <span className="sr-only">created </span>
                        {formatDate(client.createdAt)}
                      </time>
                    </div>
                    <p className="mt-0.5 truncate font-mono text-fg-muted text-xs">
                      <span className="sr-only">client key </span>
                      {keyPrefix(client.clientKey)}
                    </p>
                  </a>
                </li>
              );
            })}
          </ul>
          <p className="border-line border-t bg-surface-subtle px-4 py-2 text-fg-subtle text-xs">
            {plural(clients.length, "API client", "API clients")}
          </p>
        </>
      )}
    </section>
  );
}
