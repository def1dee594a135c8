"use client";

import { RecordLink } from "@/components/shared/record-list";
import { SearchedRecordList } from "@/components/shared/searched-record-list";
import type { SearchedList } from "@/components/shared/use-searched-list";
import type { ApiClientListItem } from "@/lib/api-clients/contract";
import { keyPrefix } from "./format";

export const SEARCH_LABEL = "Search by name or key";

/**
 * The left pane: the clients by name, with the start of each one's key, a page at a time. The
 * search is the server's: an organisation with a large platform has tens of thousands of
 * clients, and the browser holds only the pages it asked for.
 */
export function ApiClientList({
  list,
  selectedId,
  hrefFor,
  onSelect,
}: {
  list: SearchedList<ApiClientListItem>;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
}) {
  return (
    <SearchedRecordList
      list={list}
      label="API client list"
      searchLabel={SEARCH_LABEL}
      searchedIn="name or client key"
      noun={["API client", "API clients"]}
      skeletonSubtitleWidth="w-24"
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
    </SearchedRecordList>
  );
}
