"use client";

import { CopyPlus, FileQuestionMark, Lock, Zap } from "lucide-react";
import { DetailRow, DetailSection, PaneMessage } from "@/components/shared/detail";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { ScopeChips } from "@/components/shared/scope-chips";
import { Button } from "@/components/ui/button";
import { AUTH_METHOD_LABELS } from "@/lib/auth-configs/schema";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigDetail } from "./contract";
import { DeleteAuthConfigDialog } from "./delete-auth-config-dialog";
import { useAuthConfig, useTestAuthConfig } from "./queries";
import { TestResultPanel } from "./test-result-panel";

export type AuthConfigDetailPaneProps = {
  id: string;
  initial?: { id: string; config: AuthConfigDetail | null };
  onDuplicate: (config: AuthConfigDetail) => void;
  onDeleted: (deleted: { id: string; identifier: string }) => void;
  onClearSelection: () => void;
};

/** The right pane: one config, read-only, loaded through the detail query. */
export function AuthConfigDetailPane({
  id,
  initial,
  onDuplicate,
  onDeleted,
  onClearSelection,
}: AuthConfigDetailPaneProps) {
  const detail = useAuthConfig(id, initial);

  if (detail.isPending) return <DetailSkeleton />;
  if (detail.isError) {
    return (
      <PaneMessage title="Could not load this auth config" role="alert">
        <p>{detail.error.message}</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={() => detail.refetch()}>
          Try again
        </Button>
      </PaneMessage>
    );
  }
  if (detail.data === null) {
    return (
      <PaneMessage title="Auth config not found" icon={<FileQuestionMark />}>
        <p>It may have been deleted. Pick another one from the list.</p>
        <Button variant="secondary" size="sm" className="mt-4" onClick={onClearSelection}>
          Clear selection
        </Button>
      </PaneMessage>
    );
  }
  return (
    <AuthConfigDetailCard config={detail.data} onDuplicate={onDuplicate} onDeleted={onDeleted} />
  );
}

function AuthConfigDetailCard({
  config,
  onDuplicate,
  onDeleted,
}: {
  config: AuthConfigDetail;
  onDuplicate: (config: AuthConfigDetail) => void;
  onDeleted: (deleted: { id: string; identifier: string }) => void;
}) {
  const test = useTestAuthConfig(config.id);
  const headingId = `auth-config-${config.id}`;

  return (
    <section
      aria-labelledby={headingId}
      className="rounded-xl border border-line bg-surface shadow-xs"
    >
      <header className="flex flex-col gap-4 border-line border-b px-5 py-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <div className="flex min-w-0 items-center gap-1">
            <h2
              id={headingId}
              className="min-w-0 break-all font-mono font-semibold text-fg text-lg leading-7"
            >
              {config.identifier}
            </h2>
            <DeleteAuthConfigDialog config={config} onDeleted={onDeleted} />
          </div>
          <p className="mt-0.5 font-mono text-fg-subtle text-xs">{config.id}</p>
        </div>
        <div className="flex shrink-0 gap-2">
          <Button
            variant="secondary"
            size="sm"
            pending={test.isPending}
            onClick={() => test.mutate()}
          >
            {test.isPending ? null : <Zap aria-hidden="true" />}
            {test.isPending ? "Testing…" : "Test"}
          </Button>
          <Button variant="secondary" size="sm" onClick={() => onDuplicate(config)}>
            <CopyPlus aria-hidden="true" />
            Duplicate
          </Button>
        </div>
      </header>

      <div aria-live="polite">
        {test.data ? (
          <div className="px-5 pt-5">
            <TestResultPanel
              outcome={test.data}
              requestedScope={config.scope}
              onDismiss={() => test.reset()}
            />
          </div>
        ) : null}
      </div>

      <div className="grid gap-6 px-5 py-5">
        <DetailSection title="Token request">
          <DetailRow label="Type">{AUTH_CONFIG_TYPE_LABEL}</DetailRow>
          <DetailRow label="Access Token URL">
            <span className="break-all font-mono">{config.tokenUrl}</span>
          </DetailRow>
          <DetailRow label="Scope">
            <ScopeChips scope={config.scope} />
          </DetailRow>
          <DetailRow label="Client ID">
            <span className="break-all font-mono">{config.clientId}</span>
          </DetailRow>
          <DetailRow label="Client Secret">
            <span className="inline-flex items-center gap-1.5 text-fg-muted">
              <Lock className="size-3.5 shrink-0" aria-hidden="true" />
              Stored encrypted
            </span>
          </DetailRow>
          <DetailRow label="Client authentication">
            {AUTH_METHOD_LABELS[config.authMethod]}
          </DetailRow>
          <DetailRow label="Audience">
            {config.audience ? (
              <span className="break-all font-mono">{config.audience}</span>
            ) : (
              <span className="text-fg-subtle">Not set</span>
            )}
          </DetailRow>
        </DetailSection>

        <DetailSection title="About">
          <DetailRow label="Description">
            {config.description ? (
              <span className="whitespace-pre-line break-words">{config.description}</span>
            ) : (
              <span className="text-fg-subtle">No description</span>
            )}
          </DetailRow>
          <DetailRow label="Created">
            <time dateTime={config.createdAt.toISOString()}>
              {formatDateTime(config.createdAt)}
            </time>
            <span className="text-fg-muted"> by {config.createdBy}</span>
          </DetailRow>
          <DetailRow label="Last used">
            {config.lastUsedAt ? (
              <>
                <RelativeTime date={config.lastUsedAt} />{" "}
                <span className="text-fg-muted">({formatDateTime(config.lastUsedAt)})</span>
              </>
            ) : (
              <span className="text-fg-subtle">Never</span>
            )}
          </DetailRow>
          <DetailRow label="Tokens fetched">
            <span className="tabular-nums">{config.tokensFetched.toLocaleString("en-US")}</span>
          </DetailRow>
        </DetailSection>
      </div>

      <footer className="flex gap-2 rounded-b-xl border-line border-t bg-surface-subtle px-5 py-3 text-fg-muted text-xs leading-relaxed">
        <Lock className="mt-0.5 size-3.5 shrink-0" aria-hidden="true" />
        <p>
          Read-only: auth configs cannot be modified after creation. To change one, duplicate it,
          then delete the original.
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
      aria-label="Loading auth config"
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
