"use client";

import { plural } from "@/components/shared/format";
import { ListSearchBox, NoMatches } from "@/components/shared/list-search";
import { LoadMore, pagedCount } from "@/components/shared/load-more";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import type { ApiClientListItem } from "@/lib/api-clients/contract";
import { keyPrefix } from "./format";

export const SEARCH_LABEL = "Search by name or key";

export type ApiClientListProps = {
  clients: ApiClientListItem[] | undefined;
  search: string;
  onSearchChange: (search: string) => void;
  /** The search the shown results are for; differs from `search` while typing. */
  searchedFor: string;
  /** A new search is on its way. */
  loading: boolean;
  /** Whether the server has clients after the loaded ones, and how to ask for them. */
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

/**
 * The left pane: the clients by name, with the start of each one's key, a page at a time. The
 * search is the server's: an organisation with a large platform has tens of thousands of
 * clients, and the browser holds only the pages it asked for.
 */
export function ApiClientList({
  clients,
  search,
  onSearchChange,
  searchedFor,
  loading,
  hasMore,
  loadingMore,
  onLoadMore,
  error,
  onRetry,
  selectedId,
  hrefFor,
  onSelect,
}: ApiClientListProps) {
  return (
    <RecordListPane
      label="API client list"
      items={clients}
      error={error}
      onRetry={onRetry}
      loadingLabel="Loading API clients"
      skeletonSubtitleWidth="w-24"
      toolbar={
        <ListSearchBox
          label={SEARCH_LABEL}
          search={search}
          onSearchChange={onSearchChange}
          loading={loading}
        />
      }
      whenEmpty={
        <NoMatches
          searchedFor={searchedFor}
          searchedIn="name or client key"
          onClear={() => onSearchChange("")}
        />
      }
      dimmed={loading}
      onEndReached={
        hasMore
          ? () => {
              // Not while a new search is on its way: the rows shown are the previous search's.
              if (!loadingMore && !loading) onLoadMore();
            }
          : undefined
      }
      more={<LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />}
      countLabel={(count) =>
        pagedCount(
          hasMore,
          searchedFor
            ? plural(count, "match", "matches")
            : plural(count, "API client", "API clients"),
        )
      }
    >
      {(client) => (
        <RecordLink
          href={hrefFor(client.id)}
          selected={client.id === selectedId}
          onSelect={() => onSelect(client.id)}
          title={client.name}
          createdAt={client.createdAt}
          subtitle={
            <>
              <span className="sr-only">client key </span>
              {keyPrefix(client.clientKey)}
            </>
          }
          subtitleClassName="font-mono"
        />
      )}
    </RecordListPane>
  );
}
