"use client";

import { keepPreviousData, type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { ListPageResult, ListQuery, Page } from "@/lib/paging/contract";

/** A list page the server refused, put into words for people (the cause is in its log). */
export class ListPageError extends Error {
  override name = "ListPageError";
}

/**
 * A console list a page at a time (lib/paging): the first page without a search comes from the
 * server render, "Load more" asks for the page after the last cursor, and the previous results
 * stay up while a new search loads. `queryKey` names the list without its search; the search is
 * appended, so invalidating `queryKey` refreshes every search of it.
 */
export function usePagedList<Item>({
  queryKey,
  list,
  search,
  initialPage,
}: {
  queryKey: QueryKey;
  list: (input: ListQuery) => Promise<ListPageResult<Item>>;
  search: string;
  initialPage?: Page<Item>;
}) {
  const query = useInfiniteQuery({
    queryKey: [...queryKey, { search }],
    queryFn: async ({ pageParam }): Promise<Page<Item>> => {
      const result = await list({ search: search || undefined, after: pageParam ?? undefined });
      if (!result.ok) throw new ListPageError(result.formError);
      return { items: result.items, nextCursor: result.nextCursor };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    initialData:
      search === "" && initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
    placeholderData: keepPreviousData,
  });
  const items = useMemo(() => query.data?.pages.flatMap((page) => page.items), [query.data]);
  return { ...query, items };
}
