"use client";

import type * as React from "react";
import { plural } from "./format";
import { ListSearchBox, NoMatches } from "./list-search";
import { LoadMore, pagedCount } from "./load-more";
import { RecordListPane } from "./record-list";
import type { SearchedList } from "./use-searched-list";

/**
 * The left pane of a list-and-detail page whose list is paged and searched on the server
 * (useSearchedList): the search box, the rows (loading the next page as they scroll, or with
 * Load more), "No matches", and a count without a total.
 */
export function SearchedRecordList<Item extends { id: string }>({
  list,
  label,
  searchLabel,
  searchedIn,
  noun,
  skeletonSubtitleWidth,
  children,
}: {
  list: SearchedList<Item>;
  /** Names the pane, e.g. "API client list". */
  label: string;
  /** The search box's label and placeholder, e.g. "Search by name or key". */
  searchLabel: string;
  /** What a search looks in, for "No matches in …", e.g. "name or client key". */
  searchedIn: string;
  /** What one row is, singular and plural, e.g. ["API client", "API clients"]. */
  noun: [string, string];
  skeletonSubtitleWidth: string;
  children: (item: Item) => React.ReactNode;
}) {
  const loadMoreWhenIdle = () => {
    // Not while a page or a new search is on its way: the rows shown may be the last search's.
    if (!list.loadingMore && !list.searching) list.loadMore();
  };
  return (
    <RecordListPane
      label={label}
      items={list.items}
      error={list.error}
      onRetry={list.retry}
      loadingLabel={`Loading ${noun[1]}`}
      skeletonSubtitleWidth={skeletonSubtitleWidth}
      toolbar={
        <ListSearchBox
          label={searchLabel}
          search={list.search}
          onSearchChange={list.setSearch}
          loading={list.searching}
        />
      }
      whenEmpty={
        <NoMatches
          searchedFor={list.searchedFor}
          searchedIn={searchedIn}
          onClear={() => list.setSearch("")}
        />
      }
      dimmed={list.searching}
      onEndReached={list.hasMore ? loadMoreWhenIdle : undefined}
      more={
        <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onLoadMore={list.loadMore} />
      }
      countLabel={(count) =>
        pagedCount(
          list.hasMore,
          list.searchedFor ? plural(count, "match", "matches") : plural(count, ...noun),
        )
      }
    >
      {children}
    </RecordListPane>
  );
}
