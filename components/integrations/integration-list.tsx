"use client";

import { RecordLink } from "@/components/shared/record-list";
import { SearchedRecordList } from "@/components/shared/searched-record-list";
import type { SearchedList } from "@/components/shared/use-searched-list";
import type { IntegrationListItem } from "@/lib/integrations/contract";
import { AUTH_TYPE_INFO } from "@/lib/integrations/schema";

export const SEARCH_LABEL = "Search by name";

/** The left pane: the integrations with their auth type, searchable by name. */
export function IntegrationList({
  list,
  selectedId,
  hrefFor,
  onSelect,
}: {
  list: SearchedList<IntegrationListItem>;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
}) {
  return (
    <SearchedRecordList
      list={list}
      label="Integration list"
      searchLabel={SEARCH_LABEL}
      searchedIn="name"
      noun={["integration", "integrations"]}
      skeletonSubtitleWidth="w-20"
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
    </SearchedRecordList>
  );
}
