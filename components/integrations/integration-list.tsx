"use client";

import { plural } from "@/components/shared/format";
import { ListSearchBox, NoMatches } from "@/components/shared/list-search";
import { LoadMore, pagedCount } from "@/components/shared/load-more";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import type { IntegrationListItem } from "@/lib/integrations/contract";
import { AUTH_TYPE_INFO } from "@/lib/integrations/schema";

export type IntegrationListProps = {
  integrations: IntegrationListItem[] | undefined;
  search: string;
  onSearchChange: (search: string) => void;
  /** The search the shown results are for; differs from `search` while typing. */
  searchedFor: string;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

export const SEARCH_LABEL = "Search by name";

/** The left pane: the integrations with their auth type, searchable by name. */
export function IntegrationList({
  integrations,
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
}: IntegrationListProps) {
  return (
    <RecordListPane
      label="Integration list"
      items={integrations}
      error={error}
      onRetry={onRetry}
      loadingLabel="Loading integrations"
      skeletonSubtitleWidth="w-20"
      toolbar={
        <ListSearchBox
          label={SEARCH_LABEL}
          search={search}
          onSearchChange={onSearchChange}
          loading={loading}
        />
      }
      whenEmpty={
        <NoMatches searchedFor={searchedFor} searchedIn="name" onClear={() => onSearchChange("")} />
      }
      dimmed={loading}
      more={<LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />}
      countLabel={(count) =>
        pagedCount(
          hasMore,
          searchedFor
            ? plural(count, "match", "matches")
            : plural(count, "integration", "integrations"),
        )
      }
    >
      {(integration) => (
        <RecordLink
          href={hrefFor(integration.id)}
          selected={integration.id === selectedId}
          onSelect={() => onSelect(integration.id)}
          title={integration.name}
          createdAt={integration.createdAt}
          subtitle={AUTH_TYPE_INFO[integration.authType].label}
        />
      )}
    </RecordListPane>
  );
}
