"use client";

import { CopyPlus, Lock, Replace, TriangleAlert, Zap } from "lucide-react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { ApiAccessPanel } from "@/components/shared/api-access-panel";
import { AboutSection, DetailRow, DetailSection } from "@/components/shared/detail";
import { DetailCard, DetailPane } from "@/components/shared/detail-pane";
import { ScopeChips } from "@/components/shared/scope-chips";
import { Button } from "@/components/ui/button";
import { AUTH_CONFIG_TYPE_LABEL, type AuthConfigDetail } from "@/lib/auth-configs/contract";
import { AUTH_METHOD_LABELS } from "@/lib/auth-configs/schema";
import { DeleteAuthConfigDialog } from "./delete-auth-config-dialog";
import { useAuthConfig, useSetAuthConfigAccess, useTestAuthConfig } from "./queries";
import { TestResultPanel } from "./test-result-panel";

export type AuthConfigDetailPaneProps = {
  id: string;
  initial?: { id: string; config: AuthConfigDetail | null };
  onDuplicate: (config: AuthConfigDetail) => void;
  onReplace: (config: AuthConfigDetail) => void;
  onDeleted: (deleted: { id: string; identifier: string }) => void;
  onClearSelection: () => void;
};

/** The right pane: one config, read-only, loaded through the detail query. */
export function AuthConfigDetailPane({
  id,
  initial,
  onDuplicate,
  onReplace,
  onDeleted,
  onClearSelection,
}: AuthConfigDetailPaneProps) {
  const detail = useAuthConfig(id, initial);
  return (
    <DetailPane query={detail} noun="auth config" onClearSelection={onClearSelection}>
      {(config) => (
        <AuthConfigDetailCard
          config={config}
          onDuplicate={onDuplicate}
          onReplace={onReplace}
          onDeleted={onDeleted}
        />
      )}
    </DetailPane>
  );
}

function AuthConfigDetailCard({
  config,
  onDuplicate,
  onReplace,
  onDeleted,
}: {
  config: AuthConfigDetail;
  onDuplicate: (config: AuthConfigDetail) => void;
  onReplace: (config: AuthConfigDetail) => void;
  onDeleted: (deleted: { id: string; identifier: string }) => void;
}) {
  const test = useTestAuthConfig(config.id);
  // Test too: it fetches a token with the stored secret and is audited, so it is an Admin's.
  const canChange = useCan("admin");

  return (
    <DetailCard
      title={config.identifier}
      titleClassName="break-all font-mono"
      recordId={config.id}
      deleteButton={
        canChange ? <DeleteAuthConfigDialog config={config} onDeleted={onDeleted} /> : null
      }
      actions={
        canChange ? (
          <>
            <Button
              variant="secondary"
              size="sm"
              pending={test.isPending}
              onClick={() => test.mutate()}
            >
              {test.isPending ? null : <Zap aria-hidden="true" />}
              {test.isPending ? "Testing…" : "Test"}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => onReplace(config)}>
              <Replace aria-hidden="true" />
              Replace
            </Button>
            <Button variant="secondary" size="sm" onClick={() => onDuplicate(config)}>
              <CopyPlus aria-hidden="true" />
              Duplicate
            </Button>
          </>
        ) : undefined
      }
      notice={
        <div aria-live="polite">
          {config.unreadable ? <UnreadableNotice message={config.unreadable.message} /> : null}
          {test.data ? (
            <div className="px-5 pt-5">
              <TestResultPanel
                outcome={test.data}
                requestedScope={config.scope ?? ""}
                onDismiss={() => test.reset()}
              />
            </div>
          ) : null}
        </div>
      }
      readOnlyNote={
        canChange ? (
          <>
            Read-only: auth configs cannot be modified after creation. To rotate the upstream client
            secret or change a setting, use <strong className="font-medium">Replace</strong>: same
            identifier, no gap for callers. <strong className="font-medium">Duplicate</strong> makes
            a second config under a new identifier, to run both side by side.
          </>
        ) : (
          VIEWER_CAN_ONLY_LOOK
        )
      }
    >
      <DetailSection title="Token request">
        <DetailRow label="Type">{AUTH_CONFIG_TYPE_LABEL}</DetailRow>
        <DetailRow label="Access Token URL">
          {config.tokenUrl === null ? (
            <CannotBeRead />
          ) : (
            <span className="break-all font-mono">{config.tokenUrl}</span>
          )}
        </DetailRow>
        <DetailRow label="Scope">
          {config.scope === null ? <CannotBeRead /> : <ScopeChips scope={config.scope} />}
        </DetailRow>
        <DetailRow label="Client ID">
          {config.clientId === null ? (
            <CannotBeRead />
          ) : (
            <span className="break-all font-mono">{config.clientId}</span>
          )}
        </DetailRow>
        <DetailRow label="Client Secret">
          {config.unreadable?.fields.includes("clientSecret") ? (
            <CannotBeRead />
          ) : (
            <span className="inline-flex items-center gap-1.5 text-fg-muted">
              <Lock className="size-3.5 shrink-0" aria-hidden="true" />
              Stored encrypted
            </span>
          )}
        </DetailRow>
        <DetailRow label="Client authentication">{AUTH_METHOD_LABELS[config.authMethod]}</DetailRow>
        <DetailRow label="Audience">
          {config.audience ? (
            <span className="break-all font-mono">{config.audience}</span>
          ) : (
            <span className="text-fg-subtle">Not set</span>
          )}
        </DetailRow>
      </DetailSection>

      <section aria-labelledby="auth-config-access-heading" className="@container grid gap-3">
        <div>
          <h3
            id="auth-config-access-heading"
            className="font-medium text-fg-subtle text-xs uppercase tracking-wide"
          >
            API access
          </h3>
          <p className="mt-1 text-fg-muted text-sm">
            Policy, not part of the config: it can change at any time, and every change is audited.
            The Test button works whatever is chosen here.
          </p>
        </div>
        <AuthConfigApiAccess config={config} />
      </section>

      <AboutSection record={config}>
        <DetailRow label="Tokens fetched">
          <span className="tabular-nums">{config.tokensFetched.toLocaleString("en-US")}</span>
        </DetailRow>
        {config.replacesId ? (
          <DetailRow label="Replaces">
            <span className="font-mono">{config.replacesId}</span>
            <span className="block text-fg-muted text-xs">
              Created by a Replace; usage figures include the replaced config&apos;s.
            </span>
          </DetailRow>
        ) : null}
      </AboutSection>
    </DetailCard>
  );
}

/**
 * Sealed credentials that do not open with this server's keys: the server's words (the token
 * route and Test say the same), and Replace as the one-step way to create it again.
 */
function UnreadableNotice({ message }: { message: string }) {
  return (
    <div className="px-5 pt-5">
      <div
        role="alert"
        className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text"
      >
        <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        <div className="grid gap-1">
          <p className="font-medium">Stored credentials cannot be read</p>
          <p>{message}</p>
          <p>
            <strong className="font-medium">Replace</strong> does both in one step: same identifier
            and API access, with the credentials entered again.
          </p>
        </div>
      </div>
    </div>
  );
}

function CannotBeRead() {
  return (
    <span className="inline-flex items-center gap-1.5 text-warning-text">
      <TriangleAlert className="size-3.5 shrink-0" aria-hidden="true" />
      Cannot be read
    </span>
  );
}

/** Who may fetch this config's tokens through POST /api/v1/auth-configs/{identifier}/token. */
function AuthConfigApiAccess({ config }: { config: AuthConfigDetail }) {
  const setAccess = useSetAuthConfigAccess(config.id);
  return (
    <ApiAccessPanel
      access={config.apiAccess}
      wording={{ purpose: "fetch this config's tokens", scope: "all:read" }}
      saving={setAccess.isPending}
      onSave={async (input) => {
        try {
          const result = await setAccess.mutateAsync(input);
          if (result.ok) return { ok: true, access: result.access };
          return { ok: false, error: result.fieldErrors.clientIds ?? "Check the API clients." };
        } catch {
          return undefined; // the hook has shown a toast
        }
      }}
    />
  );
}
