"use client";

import { LoaderCircle, Search, SearchX } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

/** The search field at the top of a record list (RecordListPane's toolbar). */
export function ListSearchBox({
  label,
  search,
  onSearchChange,
  loading = false,
}: {
  /** Also the placeholder: say what is searched, e.g. "Search by identifier". */
  label: string;
  search: string;
  onSearchChange: (search: string) => void;
  loading?: boolean;
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
          placeholder={label}
          aria-label={label}
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

/** What a record list shows when a search matches nothing. */
export function NoMatches({
  searchedFor,
  searchedIn,
  onClear,
}: {
  searchedFor: string;
  /** Completes "No … contains", e.g. "identifier". */
  searchedIn: ReactNode;
  onClear: () => void;
}) {
  return (
    <div className="flex flex-col items-center px-6 py-10 text-center">
      <SearchX className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
      <p className="font-medium text-fg text-sm">No matches</p>
      <p className="mt-1 text-fg-muted text-sm">
        No {searchedIn} contains{" "}
        <span className="font-mono text-fg [overflow-wrap:anywhere]">{searchedFor}</span>.
      </p>
      <Button variant="ghost" size="sm" className="mt-3" onClick={onClear}>
        Clear search
      </Button>
    </div>
  );
}
