"use client";

import { plural } from "@/components/shared/format";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import type { ApiClientListItem } from "./contract";
import { keyPrefix } from "./format";

export type ApiClientListProps = {
  clients: ApiClientListItem[] | undefined;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

/** The left pane: the clients by name, with the start of each one's key. */
export function ApiClientList({
  clients,
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
      countLabel={(count) => plural(count, "API client", "API clients")}
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
