"use client";

import { useState } from "react";
import { useCan } from "@/components/auth/role-context";
import { ApiAccessPanel } from "@/components/shared/api-access-panel";
import { DetailCard, DetailPane } from "@/components/shared/detail-pane";
import { formatDateTime } from "@/components/shared/format";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { AuthEditor } from "./auth/auth-editor";
import { ConnectionsPanel } from "./connections/connections-panel";
import { DeleteIntegrationDialog } from "./delete-integration-dialog";
import { useIntegration, useSetApiAccess } from "./queries";

export type IntegrationDetailPaneProps = {
  id: string;
  initial?: { id: string; integration: IntegrationDetail | null };
  allowPrivateUrls: boolean;
  onDeleted: (deleted: { id: string; name: string; connectionsDeleted: number }) => void;
  onClearSelection: () => void;
};

/** The right pane: one integration, loaded through the detail query. */
export function IntegrationDetailPane({
  id,
  initial,
  allowPrivateUrls,
  onDeleted,
  onClearSelection,
}: IntegrationDetailPaneProps) {
  const detail = useIntegration(id, initial);
  return (
    <DetailPane query={detail} noun="integration" onClearSelection={onClearSelection}>
      {(integration) => (
        <IntegrationDetailCard
          integration={integration}
          allowPrivateUrls={allowPrivateUrls}
          onDeleted={onDeleted}
        />
      )}
    </DetailPane>
  );
}

type Tab = "auth" | "connections" | "access";

/**
 * The integration under its name, in three tabs: tabs rather than one long page because the
 * auth editor alone is taller than a phone screen, and each tab is a separate job. The Auth
 * panel stays mounted while hidden, so unsaved edits survive a look at the connections.
 */
function IntegrationDetailCard({
  integration,
  allowPrivateUrls,
  onDeleted,
}: {
  integration: IntegrationDetail;
  allowPrivateUrls: boolean;
  onDeleted: IntegrationDetailPaneProps["onDeleted"];
}) {
  const [tab, setTab] = useState<Tab>("auth");
  const canChange = useCan("admin");
  return (
    <DetailCard
      title={integration.name}
      titleClassName="break-words"
      recordId={integration.id}
      deleteButton={
        canChange ? (
          <DeleteIntegrationDialog integration={integration} onDeleted={onDeleted} />
        ) : null
      }
      notice={<About integration={integration} />}
    >
      <Tabs value={tab} onValueChange={(value) => setTab(value as Tab)} className="@container">
        <TabsList aria-label="Integration settings">
          <TabsTrigger value="auth">Auth</TabsTrigger>
          <TabsTrigger value="connections">
            Connections
            <span className="rounded-full bg-surface-muted px-1.5 text-fg-muted text-xs tabular-nums leading-5">
              {integration.connectionCount.toLocaleString("en-US")}
            </span>
          </TabsTrigger>
          <TabsTrigger value="access">API access</TabsTrigger>
        </TabsList>
        <TabsContent value="auth" forceMount className="pt-5">
          <AuthEditor integration={integration} allowPrivateUrls={allowPrivateUrls} />
        </TabsContent>
        <TabsContent value="connections" className="pt-5">
          <ConnectionsPanel integration={integration} />
        </TabsContent>
        <TabsContent value="access" className="pt-5">
          <IntegrationApiAccess integration={integration} />
        </TabsContent>
      </Tabs>
    </DetailCard>
  );
}

/** The description and who created it, between the name and the tabs. */
function About({ integration }: { integration: IntegrationDetail }) {
  return (
    <div className="grid gap-1 border-line border-b px-5 py-3 text-sm">
      {integration.description ? (
        <p className="whitespace-pre-line break-words text-fg">{integration.description}</p>
      ) : null}
      <p className="text-fg-muted text-xs">
        Created{" "}
        <time dateTime={integration.createdAt.toISOString()}>
          {formatDateTime(integration.createdAt)}
        </time>{" "}
        by {integration.createdBy}
        {integration.authUpdatedAt ? (
          <>
            {" "}
            · auth last changed{" "}
            <time dateTime={integration.authUpdatedAt.toISOString()}>
              {formatDateTime(integration.authUpdatedAt)}
            </time>
          </>
        ) : null}
      </p>
    </div>
  );
}

/** The API access tab: the shared access list, in an integration's words. */
function IntegrationApiAccess({ integration }: { integration: IntegrationDetail }) {
  const setAccess = useSetApiAccess(integration.id);
  return (
    <ApiAccessPanel
      access={integration.apiAccess}
      wording={{ purpose: "manage this integration", scope: "INTEGRATION_API" }}
      saving={setAccess.isPending}
      onSave={async (input) => {
        try {
          const result = await setAccess.mutateAsync(input);
          if (result.ok) return { ok: true, access: result.integration.apiAccess };
          return { ok: false, error: result.fieldErrors.clientIds ?? "Check the API clients." };
        } catch {
          return undefined; // the hook has shown a toast
        }
      }}
    />
  );
}
