"use client";

import type { QueryKey } from "@tanstack/react-query";
import { useState } from "react";
import type { ListPageResult, ListQuery, Page } from "@/lib/paging/contract";
import { useDebouncedValue } from "./use-debounced-value";
import { usePagedList } from "./use-paged-list";

/**
 * A paged list with the search box that drives it: the text as typed, the search it settled on
 * (250 ms after the last key), and the pages for that search (see usePagedList). What the list
 * pane and the page around it need, in one object.
 */
export function useSearchedList<Item>(options: {
  queryKey: QueryKey;
  list: (input: ListQuery) => Promise<ListPageResult<Item>>;
  initialPage?: Page<Item>;
}) {
  const [search, setSearch] = useState("");
  const searchedFor = useDebouncedValue(search.trim(), 250);
  const pages = usePagedList({ ...options, search: searchedFor });
  return {
    search,
    setSearch,
    /** The search the shown rows are for; differs from `search` while typing. */
    searchedFor,
    items: pages.items,
    /** A new search is on its way: the rows shown are the previous one's. */
    searching: pages.isFetching && (pages.isPlaceholderData || search.trim() !== searchedFor),
    hasMore: pages.hasNextPage,
    loadingMore: pages.isFetchingNextPage,
    loadMore: () => void pages.fetchNextPage(),
    error: pages.error,
    retry: () => void pages.refetch(),
    /** There are no rows at all, not merely none that match. */
    empty: searchedFor === "" && search === "" && pages.items?.length === 0,
  };
}

export type SearchedList<Item> = ReturnType<typeof useSearchedList<Item>>;
