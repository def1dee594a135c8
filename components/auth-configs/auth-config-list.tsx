"use client";

import { RecordLink } from "@/components/shared/record-list";
import { SearchedRecordList } from "@/components/shared/searched-record-list";
import type { SearchedList } from "@/components/shared/use-searched-list";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigListItem } from "@/lib/auth-configs/contract";

export const SEARCH_LABEL = "Search by identifier";

/** The left pane: the configs, searchable by identifier. */
export function AuthConfigList({
  list,
  selectedId,
  hrefFor,
  onSelect,
}: {
  list: SearchedList<AuthConfigListItem>;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
}) {
  return (
    <SearchedRecordList
      list={list}
      label="Auth config list"
      searchLabel={SEARCH_LABEL}
      searchedIn="identifier"
      noun={["auth config", "auth configs"]}
      skeletonSubtitleWidth="w-48"
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
    </SearchedRecordList>
  );
}
