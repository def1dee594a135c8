"use client";

import { LoaderCircle, Search, SearchX } from "lucide-react";
import { plural } from "@/components/shared/format";
import { RecordLink, RecordListPane } from "@/components/shared/record-list";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigListItem } from "./contract";

export type AuthConfigListProps = {
  configs: AuthConfigListItem[] | undefined;
  search: string;
  onSearchChange: (search: string) => void;
  /** The search the shown results are for; differs from `search` while typing. */
  searchedFor: string;
  loading: boolean;
  error: Error | null;
  onRetry: () => void;
  selectedId: string | null;
  hrefFor: (id: string) => string;
  onSelect: (id: string) => void;
};

/** The left pane: the configs, searchable by identifier. */
export function AuthConfigList({
  configs,
  search,
  onSearchChange,
  searchedFor,
  loading,
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
      toolbar={<SearchBox search={search} onSearchChange={onSearchChange} loading={loading} />}
      whenEmpty={<NoMatches searchedFor={searchedFor} onClear={() => onSearchChange("")} />}
      dimmed={loading}
      countLabel={(count) =>
        searchedFor
          ? plural(count, "match", "matches")
          : plural(count, "auth config", "auth configs")
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

function SearchBox({
  search,
  onSearchChange,
  loading,
}: {
  search: string;
  onSearchChange: (search: string) => void;
  loading: boolean;
}) {
  return (
    <div className="border-line border-b p-3">
      <div className="relative">
        <Search
          className="-translate-y-1/2 pointer-events-none absolute top-1/2 left-2.5 size-4 text-fg-subtle"
          aria-hidden="true"
        />
        <Input
          type="search"
          value={search}
          onChange={(event) => onSearchChange(event.target.value)}
          placeholder="Search by identifier"
          aria-label="Search by identifier"
          maxLength={64}
          spellCheck={false}
          autoComplete="off"
          className="pr-8 pl-8"
        />
        {loading ? (
          <LoaderCircle
            className="-translate-y-1/2 absolute top-1/2 right-2.5 size-4 animate-spin text-fg-subtle"
            aria-label="Searching"
          />
        ) : null}
      </div>
    </div>
  );
}

function NoMatches({ searchedFor, onClear }: { searchedFor: string; onClear: () => void }) {
  return (
    <div className="flex flex-col items-center px-6 py-10 text-center">
      <SearchX className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
      <p className="font-medium text-fg text-sm">No matches</p>
      <p className="mt-1 text-fg-muted text-sm">
        No identifier contains <span className="break-all font-mono text-fg">{searchedFor}</span>.
      </p>
      <Button variant="ghost" size="sm" className="mt-3" onClick={onClear}>
        Clear search
      </Button>
    </div>
  );
}
