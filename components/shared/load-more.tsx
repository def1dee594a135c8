"use client";

import { LoaderCircle } from "lucide-react";
import { Button } from "@/components/ui/button";

/**
 * The foot of a paged list (RecordListPane's `more` slot): asks for the next page, or nothing
 * when there is none.
 */
export function LoadMore({
  hasMore,
  loading,
  onLoadMore,
}: {
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
}) {
  if (!hasMore) return null;
  return (
    <div className="border-line border-t p-2">
      <Button variant="ghost" size="sm" className="w-full" onClick={onLoadMore} disabled={loading}>
        {loading ? <LoaderCircle className="animate-spin" aria-hidden="true" /> : null}
        Load more
      </Button>
    </div>
  );
}

/** A list's count without a total: counting every row would cost what the pages save. */
export function pagedCount(hasMore: boolean, counted: string): string {
  return hasMore ? `First ${counted}` : counted;
}
