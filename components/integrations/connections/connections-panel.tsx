"use client";

import { Cable, Info, TriangleAlert } from "lucide-react";
import { useId, useRef } from "react";
import { useCan } from "@/components/auth/role-context";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { ConnectionOutput, IntegrationDetail } from "@/lib/integrations/contract";
import { isOAuthType } from "../auth/auth-draft";
import { useConnections } from "../queries";
import { ConnectLinksSection } from "./connect-links";
import { DeleteConnectionDialog } from "./delete-connection-dialog";
import { connectionName, STATUS_BADGES } from "./format";
import { ServiceConnectionForm } from "./service-connection-form";

/**
 * The Connections tab: how connections are made for this type, the service connection's form for
 * a SERVICE_ACCOUNT integration, and the connections newest first, a page at a time.
 */
export function ConnectionsPanel({ integration }: { integration: IntegrationDetail }) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const query = useConnections(integration.id);
  const connections = query.data?.pages.flatMap((page) => page.connections);
  const serviceConnection = connections?.some((connection) => connection.endUserId === null);
  const canChange = useCan("admin");

  // A deleted row takes its trash button with it; the list's heading is the nearest landmark.
  const afterDelete = () => headingRef.current?.focus();

  return (
    <div className="grid min-w-0 gap-5">
      {integration.authType === "SERVICE_ACCOUNT" ? (
        canChange ? (
          <ServiceConnectionForm integration={integration} exists={Boolean(serviceConnection)} />
        ) : null
      ) : (
        <>
          <HowConnectionsAreMade integration={integration} />
          <ConnectLinksSection integration={integration} />
        </>
      )}

      <section aria-labelledby={headingId} className="grid min-w-0 gap-3">
        <h3
          id={headingId}
          ref={headingRef}
          tabIndex={-1}
          className="font-medium text-fg text-sm outline-hidden"
        >
          Connections
        </h3>
        {query.isPending ? (
          <p role="status" className="text-fg-muted text-sm">
            Loading connections…
          </p>
        ) : query.isError && !connections ? (
          <div role="alert" className="grid justify-items-start gap-3 text-sm">
            <p className="text-fg-muted">{query.error.message}</p>
            <Button variant="secondary" size="sm" onClick={() => query.refetch()}>
              Try again
            </Button>
          </div>
        ) : !connections || connections.length === 0 ? (
          <EmptyState
            icon={<Cable />}
            headingLevel={3}
            title="No connections yet"
            description={
              integration.authType !== "SERVICE_ACCOUNT"
                ? "Connections appear here as end users connect."
                : canChange
                  ? "Add the service connection above."
                  : "The service connection appears here once an admin adds it."
            }
            className="py-8 sm:py-10"
          />
        ) : (
          <>
            <ReconnectNotice connections={connections} partial={Boolean(query.hasNextPage)} />
            <ConnectionTable connections={connections} onDeleted={canChange ? afterDelete : null} />
            <ConnectionList connections={connections} onDeleted={canChange ? afterDelete : null} />
            {query.hasNextPage ? (
              <div>
                <Button
                  variant="secondary"
                  size="sm"
                  pending={query.isFetchingNextPage}
                  onClick={() => query.fetchNextPage()}
                >
                  Load more
                </Button>
              </div>
            ) : null}
          </>
        )}
      </section>
    </div>
  );
}

function HowConnectionsAreMade({ integration }: { integration: IntegrationDetail }) {
  return (
    <div className="flex gap-2.5 rounded-lg border border-info-text/20 bg-info-subtle px-3 py-2.5 text-info-text text-sm">
      <Info className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      {isOAuthType(integration.authType) ? (
        <p>
          End users connect by signing in at the service through the OAuth flow, from a connect link
          (below). Their connections are listed here.
        </p>
      ) : (
        <p className="min-w-0">
          Programs make connections through the public API:{" "}
          <code className="font-mono text-xs [overflow-wrap:anywhere]">
            POST /api/integrations/v1/{integration.id}/connections
          </code>{" "}
          with the end user&apos;s id
          {integration.authType === "NONE" ? "" : " and their values for the auth fields"}, or end
          users fill them in themselves from a connect link (below).
          {integration.authTestCode ? " The test code runs first; only a pass is stored." : ""}
        </p>
      )}
    </div>
  );
}

/** `onDeleted: null` for a Viewer, who gets no delete buttons. */
type RowsProps = { connections: ConnectionOutput[]; onDeleted: (() => void) | null };

/** The table, once the pane is 32rem wide, enough for its five columns (a container query). */
function ConnectionTable({ connections, onDeleted }: RowsProps) {
  return (
    <Table aria-label="Connections" containerClassName="hidden @lg:block">
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>End user</TableHead>
          <TableHead>Created</TableHead>
          <TableHead>Last tested</TableHead>
          <TableHead>Status</TableHead>
          {onDeleted ? (
            <TableHead className="w-12">
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {connections.map((connection) => (
          <TableRow key={connection.id}>
            <TableCell className="max-w-48">
              <EndUser connection={connection} />
            </TableCell>
            <TableCell className="whitespace-nowrap text-fg-muted">
              <When date={connection.createdAt} />
            </TableCell>
            <TableCell className="whitespace-nowrap text-fg-muted">
              <When date={connection.lastTestedAt} />
            </TableCell>
            <TableCell>
              <StatusBadge connection={connection} />
            </TableCell>
            {onDeleted ? (
              <TableCell className="py-1.5 text-right">
                <DeleteConnectionDialog connection={connection} onDeleted={onDeleted} />
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The same connections stacked, where five columns would scroll sideways. */
function ConnectionList({ connections, onDeleted }: RowsProps) {
  return (
    <ul
      aria-label="Connections"
      className="divide-y divide-line rounded-lg border border-line bg-surface @lg:hidden"
    >
      {connections.map((connection) => (
        <li key={connection.id} className="flex items-start gap-2 py-2.5 pr-2 pl-4 text-sm">
          <div className="grid min-w-0 flex-1 gap-1">
            <div className="flex flex-wrap items-center gap-2">
              <EndUser connection={connection} />
              <StatusBadge connection={connection} />
            </div>
            <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 text-fg-muted text-xs">
              <dt>Created</dt>
              <dd>
                <When date={connection.createdAt} />
              </dd>
              <dt>Last tested</dt>
              <dd>
                <When date={connection.lastTestedAt} />
              </dd>
            </dl>
          </div>
          {onDeleted ? (
            <DeleteConnectionDialog connection={connection} onDeleted={onDeleted} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function EndUser({ connection }: { connection: ConnectionOutput }) {
  return connection.endUserId === null ? (
    <span className="font-medium text-fg">{connectionName(connection)}</span>
  ) : (
    <span className="min-w-0 break-all font-mono text-fg">{connection.endUserId}</span>
  );
}

function StatusBadge({ connection }: { connection: ConnectionOutput }) {
  const badge = STATUS_BADGES[connection.status];
  return (
    <Badge variant={badge.variant} title={badge.hint}>
      {badge.label}
    </Badge>
  );
}

/** Says what "Needs reconnect" means where it appears, since a badge's title is easy to miss. */
function ReconnectNotice({
  connections,
  partial,
}: {
  connections: ConnectionOutput[];
  /** More pages exist: the count covers only the connections loaded so far. */
  partial: boolean;
}) {
  const count = connections.filter((c) => c.status === "needs_reconnect").length;
  if (count === 0) return null;
  return (
    <p className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <span className="min-w-0">
        {count === 1 ? "One connection" : `${count} connections`}
        {partial ? " of those listed" : ""} {count === 1 ? "needs" : "need"} reconnecting.{" "}
        {STATUS_BADGES.needs_reconnect.hint}
      </span>
    </p>
  );
}

function When({ date }: { date: Date | null }) {
  if (!date) return <span className="text-fg-subtle">Never</span>;
  return (
    <span title={formatDateTime(date)}>
      <RelativeTime date={date} />
    </span>
  );
}
