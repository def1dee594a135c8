"use client";

import { LoaderCircle, Search, SearchX } from "lucide-react";
import type * as React from "react";
import { formatDate, formatDateTime, plural } from "@/components/shared/format";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils/cn";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigListItem } from "./contract";

export type AuthConfigListProps = {
  configs: AuthConfigListItem[] | undefined;
  search: string;
  onSearchChange: (search: string) => void;
  /** The search the shown results are for; differs from `search` while typing. */
  searchedFor: string;
  loading: boolean;
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
export function AuthConfigList({
  configs,
  search,
  onSearchChange,
  searchedFor,
  loading,
  error,
  onRetry,
  selectedId,
  hrefFor,
  onSelect,
}: AuthConfigListProps) {
  const select = (event: React.MouseEvent<HTMLAnchorElement>, id: string) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0)
      return;
    event.preventDefault();
    onSelect(id);
  };

  return (
    <section
      aria-label="Auth config list"
      className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs"
    >
      <div className="border-line border-b p-3">
        <div className="relative">
          <Search
            className="-translate-y-1/2 pointer-events-none absolute top-1/2 left-2.5 size-4 text-fg-subtle"
            aria-hidden="true"
          />
          <Input
            type="search"
            value={search}
            onChange={(event) => onSearchChange(event.target.value)}
            placeholder="Search by identifier"
            aria-label="Search by identifier"
            maxLength={64}
            spellCheck={false}
            autoComplete="off"
            className="pr-8 pl-8"
          />
          {loading ? (
            <LoaderCircle
              className="-translate-y-1/2 absolute top-1/2 right-2.5 size-4 animate-spin text-fg-subtle"
              aria-label="Searching"
            />
          ) : null}
        </div>
      </div>

      {error && !configs ? (
        <div role="alert" className="grid justify-items-start gap-3 px-4 py-6 text-sm">
          <p className="text-fg-muted">{error.message}</p>
          <Button variant="secondary" size="sm" onClick={onRetry}>
            Try again
          </Button>
        </div>
      ) : !configs ? (
        <ListSkeleton />
      ) : configs.length === 0 ? (
        <div className="flex flex-col items-center px-6 py-10 text-center">
          <SearchX className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
          <p className="font-medium text-fg text-sm">No matches</p>
          <p className="mt-1 text-fg-muted text-sm">
            No identifier contains{" "}
            <span className="break-all font-mono text-fg">{searchedFor}</span>.
          </p>
          <Button variant="ghost" size="sm" className="mt-3" onClick={() => onSearchChange("")}>
            Clear search
          </Button>
        </div>
      ) : (
        <>
          <ul
            className={cn(
              "divide-y divide-line lg:max-h-[calc(100dvh-19rem)] lg:overflow-y-auto",
              loading && "opacity-60 transition-opacity",
            )}
          >
            {configs.map((config) => {
              const selected = config.id === selectedId;
              return (
                <li key={config.id}>
                  <a
                    href={hrefFor(config.id)}
                    onClick={(event) => select(event, config.id)}
                    aria-current={selected ? "page" : undefined}
                    className={cn(
                      "relative flex items-center gap-3 px-4 py-3 transition-colors",
                      "hover:bg-surface-subtle focus-visible:outline-2 focus-visible:outline-accent focus-visible:-outline-offset-2",
                      selected &&
                        "bg-accent-subtle hover:bg-accent-subtle before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-accent",
                    )}
                  >
                    <div className="min-w-0 flex-1">
                      <div className="flex items-baseline justify-between gap-3">
                        <p
                          className={cn(
                            "min-w-0 truncate font-medium font-mono text-fg text-sm",
                            selected && "text-accent-text",
                          )}
                        >
                          {config.identifier}
                        </p>
                        <time
                          dateTime={config.createdAt.toISOString()}
                          title={`Created ${formatDateTime(config.createdAt)}`}
                          className="shrink-0 text-fg-subtle text-xs tabular-nums"
                        >
                          <span className="sr-only">created </span>
                          {formatDate(config.createdAt)}
                        </time>
                      </div>
                      <p className="mt-0.5 truncate text-fg-muted text-xs">
                        {AUTH_CONFIG_TYPE_LABEL}
                      </p>
                    </div>
                  </a>
                </li>
              );
            })}
          </ul>
          <p className="border-line border-t bg-surface-subtle px-4 py-2 text-fg-subtle text-xs">
            {searchedFor
              ? `${plural(configs.length, "match", "matches")}`
              : plural(configs.length, "auth config", "auth configs")}
          </p>
        </>
      )}
    </section>
  );
}

function ListSkeleton() {
  return (
    <div className="divide-y divide-line" role="status" aria-label="Loading auth configs">
      {[0, 1, 2].map((row) => (
        <div key={row} className="grid gap-2 px-4 py-3.5">
          <div className="h-3.5 w-32 animate-pulse rounded bg-surface-muted" />
          <div className="h-3 w-48 animate-pulse rounded bg-surface-muted" />
        </div>
      ))}
    </div>
  );
}
