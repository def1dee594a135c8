"use client";

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { listAuditEventsAction, searchAuditActorsAction } from "@/app/(console)/audit/actions";
import type { AuditEventsPage } from "@/lib/audit/contract";
import type { AuditFilters } from "@/lib/audit/schema";

/** One place that names every audit query. */
export const auditKeys = {
  all: ["audit"] as const,
  lists: () => [...auditKeys.all, "list"] as const,
  /**
   * A list is keyed by its server render too: each visit to the page starts from the newest
   * events the server just read, never from older pages cached by an earlier visit.
   */
  list: (filters: AuditFilters, renderedAt: number) =>
    [...auditKeys.lists(), { ...filters, renderedAt }] as const,
  actors: (prefix: string) => [...auditKeys.all, "actors", prefix] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class AuditActionError extends Error {
  override name = "AuditActionError";
}

/** The events under `filters`, the first page from the server render, older pages on demand. */
export function useAuditEvents(
  filters: AuditFilters,
  firstPage: AuditEventsPage,
  renderedAt: number,
) {
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters, renderedAt),
    queryFn: async ({ pageParam }): Promise<AuditEventsPage> => {
      // The first page is always the render's (initialData), so every fetch here has a cursor.
      if (!pageParam) return firstPage;
      const result = await listAuditEventsAction({ ...filters, cursor: pageParam });
      if (!result.ok) throw new AuditActionError(result.formError);
      return { events: result.events, nextCursor: result.nextCursor };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [firstPage], pageParams: [null] },
    // The log only grows at the top; pages already shown never need refetching.
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Actor labels that start with `prefix` (any case); the previous ones stay up while typing. */
export function useActorSuggestions(prefix: string, enabled: boolean) {
  return useQuery({
    queryKey: auditKeys.actors(prefix),
    queryFn: async () => {
      const result = await searchAuditActorsAction(prefix);
      if (!result.ok) throw new AuditActionError(result.formError);
      return result.actors;
    },
    enabled,
    placeholderData: keepPreviousData,
  });
}
