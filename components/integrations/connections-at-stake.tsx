"use client";

import { LoaderCircle } from "lucide-react";
import type * as React from "react";
import type { useIntegrationImpact } from "./queries";

/**
 * The part of a confirmation that says how many connections a change deletes, counted when the
 * confirmation opened: a spinner meanwhile, the failure if counting failed, a plain sentence when
 * there are none, and `children(count)` otherwise.
 */
export function ConnectionsAtStake({
  impact,
  children,
}: {
  impact: ReturnType<typeof useIntegrationImpact>;
  children: (count: number) => React.ReactNode;
}) {
  return (
    <div aria-live="polite">
      {impact.isPending ? (
        <p className="flex items-center gap-2 text-fg-muted text-sm" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Counting its connections…
        </p>
      ) : impact.isError ? (
        <p role="alert" className="text-danger-text text-sm">
          {impact.error.message}
        </p>
      ) : impact.data === null ? (
        <p role="alert" className="text-fg-muted text-sm">
          This integration no longer exists. Someone may have deleted it.
        </p>
      ) : impact.data.connectionCount === 0 ? (
        <p className="rounded-lg border border-line bg-surface-subtle px-3 py-2.5 text-fg-muted text-sm">
          This integration has no connections, so none are deleted.
        </p>
      ) : (
        children(impact.data.connectionCount)
      )}
    </div>
  );
}
