"use client";

import { FileQuestionMark, Lock } from "lucide-react";
import { DetailRow, DetailSection, PaneMessage } from "@/components/shared/detail";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { ScopeChips } from "@/components/shared/scope-chips";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { PERMISSION_LABELS } from "@/lib/api-clients/schema";
import type { ApiClientDetail } from "./contract";
import { CopyButton } from "./copy-button";
import { DeleteApiClientDialog } from "./delete-api-client-dialog";
import { describeTokenTtl } from "./format";
import { useApiClient } from "./queries";

export type ApiClientDetailPaneProps = {
  id: string;
  initial?: { id: string; client: ApiClientDetail | null };
  onDeleted: (deleted: { id: string; name: string }) => void;
  onClearSelection: () => void;
};

/** The right pane: one client, read-only, loaded through the detail query. */
export function ApiClientDetailPane({
  id,
  initial,
  onDeleted,
  onClearSelection,
}: ApiClientDetailPaneProps) {
  const detail = useApiClient(id, initial);

  if (detail.isPending) return <DetailSkeleton />;
  if (detail.isError) {
    return (
      <PaneMessage title="Could not load this API client" role="alert">
        <p>{detail.error.message}</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={() => detail.refetch()}>
          Try again
        </Button>
      </PaneMessage>
    );
  }
  if (detail.data === null) {
    return (
      <PaneMessage title="API client not found" icon={<FileQuestionMark />}>
        <p>It may have been deleted. Pick another one from the list.</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={onClearSelection}>
          Clear selection
        </Button>
      </PaneMessage>
    );
  }
  return <ApiClientDetailCard client={detail.data} onDeleted={onDeleted} />;
}

function ApiClientDetailCard({
  client,
  onDeleted,
}: {
  client: ApiClientDetail;
  onDeleted: (deleted: { id: string; name: string }) => void;
}) {
  const headingId = `api-client-${client.id}`;
  return (
    <section
      aria-labelledby={headingId}
      className="rounded-xl border border-line bg-surface shadow-xs"
    >
      <header className="border-line border-b px-5 py-4">
        <div className="flex min-w-0 items-center gap-1">
          <h2
            id={headingId}
            className="min-w-0 break-words font-semibold text-fg text-lg leading-7"
          >
            {client.name}
          </h2>
          <DeleteApiClientDialog client={client} onDeleted={onDeleted} />
        </div>
        <p className="mt-0.5 font-mono text-fg-subtle text-xs">{client.id}</p>
      </header>

      <div className="grid gap-6 px-5 py-5">
        <DetailSection title="Credentials">
          <DetailRow label="Client key">
            <div className="flex items-start gap-2">
              <span className="min-w-0 flex-1 break-all py-1 font-mono">{client.clientKey}</span>
              <CopyButton value={client.clientKey} label="Copy client key" size="icon-sm" />
            </div>
          </DetailRow>
          <DetailRow label="Client secret">
            <span className="font-mono">{client.secretPrefix}</span>
            <span className="mt-0.5 flex items-center gap-1.5 text-fg-muted text-xs">
              <Lock className="size-3 shrink-0" aria-hidden="true" />
              The secret was shown once, at registration. Only its hash is stored.
            </span>
          </DetailRow>
          <DetailRow label="Token expiry">{describeTokenTtl(client.tokenTtlMinutes)}</DetailRow>
        </DetailSection>

        <DetailSection title="Access">
          <DetailRow label="Permissions">
            {client.permissions.length === 0 ? (
              <span className="text-fg-subtle">None on every API group</span>
            ) : (
              <>
                <ul className="grid gap-1.5" aria-label="Permissions">
                  {client.permissions.map((permission) => (
                    <li key={permission.groupId} className="flex flex-wrap items-center gap-2">
                      <span>{permission.name}</span>
                      <Badge variant={permission.level === "write" ? "warning" : "info"}>
                        {PERMISSION_LABELS[permission.level]}
                      </Badge>
                    </li>
                  ))}
                </ul>
                <p className="mt-1.5 text-fg-subtle text-xs">None on every other API group.</p>
              </>
            )}
          </DetailRow>
          <DetailRow label="Scopes">
            {client.scopes.length === 0 ? (
              <span className="text-fg-subtle">No scopes</span>
            ) : (
              <ScopeChips scope={client.scopes.join(" ")} />
            )}
          </DetailRow>
          <DetailRow label="Till">
            <span className="font-mono">{client.till.code}</span>
            <span className="text-fg-muted"> · {client.till.name}</span>
          </DetailRow>
        </DetailSection>

        <DetailSection title="About">
          <DetailRow label="Description">
            {client.description ? (
              <span className="whitespace-pre-line break-words">{client.description}</span>
            ) : (
              <span className="text-fg-subtle">No description</span>
            )}
          </DetailRow>
          <DetailRow label="Created">
            <time dateTime={client.createdAt.toISOString()}>
              {formatDateTime(client.createdAt)}
            </time>
            <span className="text-fg-muted"> by {client.createdBy}</span>
          </DetailRow>
          <DetailRow label="Last used">
            {client.lastUsedAt ? (
              <>
                <RelativeTime date={client.lastUsedAt} />{" "}
                <span className="text-fg-muted">({formatDateTime(client.lastUsedAt)})</span>
              </>
            ) : (
              <span className="text-fg-subtle">Never</span>
            )}
          </DetailRow>
        </DetailSection>
      </div>

      <footer className="flex gap-2 rounded-b-xl border-line border-t bg-surface-subtle px-5 py-3 text-fg-muted text-xs leading-relaxed">
        <Lock className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
        <p>
          Read-only: API clients cannot be changed after registration. To change one, register a new
          client, move the calling system over, then delete this one.
        </p>
      </footer>
    </section>
  );
}

function DetailSkeleton() {
  return (
    <div
      className="rounded-xl border border-line bg-surface p-5 shadow-xs"
      role="status"
      aria-label="Loading API client"
    >
      <div className="h-6 w-48 animate-pulse rounded bg-surface-muted" />
      <div className="mt-2 h-3 w-36 animate-pulse rounded bg-surface-muted" />
      <div className="mt-8 grid gap-4">
        {[0, 1, 2, 3, 4, 5].map((row) => (
          <div key={row} className="grid gap-4 sm:grid-cols-[11rem_1fr]">
            <div className="h-4 w-24 animate-pulse rounded bg-surface-muted" />
            <div className="h-4 w-full max-w-xs animate-pulse rounded bg-surface-muted" />
          </div>
        ))}
      </div>
    </div>
  );
}
