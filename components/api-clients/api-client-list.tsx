"use client";

import { plural } from "@/components/shared/format";
import { ListSearchBox, NoMatches } from "@/components/shared/list-search";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import type { ApiClientListItem } from "@/lib/api-clients/contract";
import { keyPrefix } from "./format";

export const SEARCH_LABEL = "Search by name or key";

export type ApiClientListProps = {
  clients: ApiClientListItem[] | undefined;
  search: string;
  onSearchChange: (search: string) => void;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

/**
 * The left pane: the clients by name, with the start of each one's key. The search filters the
 * list the page already holds: an organisation has tens of clients, not thousands.
 */
export function ApiClientList({
  clients,
  search,
  onSearchChange,
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
        <ListSearchBox label={SEARCH_LABEL} search={search} onSearchChange={onSearchChange} />
      }
      whenEmpty={
        <NoMatches
          searchedFor={search.trim()}
          searchedIn="name or client key"
          onClear={() => onSearchChange("")}
        />
      }
      countLabel={(count) =>
        search.trim()
          ? plural(count, "match", "matches")
          : plural(count, "API client", "API clients")
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
