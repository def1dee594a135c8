"use client";

import { Lock } from "lucide-react";
import type * as React from "react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { AboutSection, DetailRow, DetailSection } from "@/components/shared/detail";
import { DetailCard, DetailPane } from "@/components/shared/detail-pane";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { ScopeChips } from "@/components/shared/scope-chips";
import { Badge } from "@/components/ui/badge";
import type { ApiClientDetail } from "@/lib/api-clients/contract";
import { PERMISSION_LABELS } from "@/lib/api-clients/schema";
import { CopyButton } from "./copy-button";
import { DeleteApiClientDialog } from "./delete-api-client-dialog";
import { describeTokenTtl } from "./format";
import { ExpireOldSecretDialog, RevokeTokensDialog } from "./lifecycle-confirmations";
import { useApiClient } from "./queries";
import { RollSecretDialog } from "./roll-secret-dialog";

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
  return (
    <DetailPane query={detail} noun="API client" onClearSelection={onClearSelection}>
      {(client) => <ApiClientDetailCard client={client} onDeleted={onDeleted} />}
    </DetailPane>
  );
}

function ApiClientDetailCard({
  client,
  onDeleted,
}: {
  client: ApiClientDetail;
  onDeleted: (deleted: { id: string; name: string }) => void;
}) {
  const canChange = useCan("admin");
  return (
    <DetailCard
      title={client.name}
      titleClassName="break-words"
      recordId={client.id}
      deleteButton={
        canChange ? <DeleteApiClientDialog client={client} onDeleted={onDeleted} /> : null
      }
      actions={
        canChange ? (
          <>
            <RollSecretDialog client={client} />
            <RevokeTokensDialog client={client} />
          </>
        ) : undefined
      }
      readOnlyNote={
        canChange
          ? "Read-only: a client's permissions, till and token expiry cannot be changed after registration. To change them, register a new client, move the calling system over, then delete this one. Roll secret and Revoke all tokens change only its credentials."
          : VIEWER_CAN_ONLY_LOOK
      }
    >
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
            {client.secretRolledAt
              ? `Shown once, when it was rolled on ${formatDateTime(client.secretRolledAt)}. Only its hash is stored.`
              : "The secret was shown once, at registration. Only its hash is stored."}
          </span>
        </DetailRow>
        {client.previousSecretPrefix && client.previousSecretExpiresAt ? (
          <DetailRow label="Old secret">
            <OldSecret
              prefix={client.previousSecretPrefix}
              expiresAt={client.previousSecretExpiresAt}
              action={canChange ? <ExpireOldSecretDialog client={client} /> : null}
            />
          </DetailRow>
        ) : null}
        <DetailRow label="Token expiry">{describeTokenTtl(client.tokenTtlMinutes)}</DetailRow>
        {client.tokensValidAfter ? (
          <DetailRow label="Tokens revoked">
            <time dateTime={client.tokensValidAfter.toISOString()}>
              {formatDateTime(client.tokensValidAfter)}
            </time>
            <span className="block text-fg-muted text-xs">
              Tokens issued before then are refused.
            </span>
          </DetailRow>
        ) : null}
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

      <AboutSection record={client} />
    </DetailCard>
  );
}

/** The previous secret during its grace period: still accepted, and until when. */
function OldSecret({
  prefix,
  expiresAt,
  action,
}: {
  prefix: string;
  expiresAt: Date;
  action: React.ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
      <div className="min-w-0">
        <span className="font-mono">{prefix}</span> <Badge variant="warning">Grace period</Badge>
        <span className="mt-0.5 block text-fg-muted text-xs">
          Still accepted until{" "}
          <time dateTime={expiresAt.toISOString()} className="font-medium text-fg">
            {formatDateTime(expiresAt)}
          </time>{" "}
          (<RelativeTime date={expiresAt} />)
        </span>
      </div>
      {action}
    </div>
  );
}
