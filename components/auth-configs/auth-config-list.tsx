"use client";

import { plural } from "@/components/shared/format";
import { ListSearchBox, NoMatches } from "@/components/shared/list-search";
import { LoadMore, pagedCount } from "@/components/shared/load-more";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigListItem } from "@/lib/auth-configs/contract";

export type AuthConfigListProps = {
  configs: AuthConfigListItem[] | undefined;
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

export const SEARCH_LABEL = "Search by identifier";

/** The left pane: the configs, searchable by identifier. */
export function AuthConfigList({
  configs,
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
}: AuthConfigListProps) {
  return (
    <RecordListPane
      label="Auth config list"
      items={configs}
      error={error}
      onRetry={onRetry}
      loadingLabel="Loading auth configs"
      skeletonSubtitleWidth="w-48"
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
          searchedIn="identifier"
          onClear={() => onSearchChange("")}
        />
      }
      dimmed={loading}
      more={<LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} />}
      countLabel={(count) =>
        pagedCount(
          hasMore,
          searchedFor
            ? plural(count, "match", "matches")
            : plural(count, "auth config", "auth configs"),
        )
      }
    >
      {(config) => (
        <RecordLink
          href={hrefFor(config.id)}
          selected={config.id === selectedId}
          onSelect={() => onSelect(config.id)}
          title={config.identifier}
          titleClassName="font-mono"
          createdAt={config.createdAt}
          subtitle={AUTH_CONFIG_TYPE_LABEL}
        />
      )}
    </RecordListPane>
  );
}
