"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Blocks, Plus } from "lucide-react";
import { useRef } from "react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { plural } from "@/components/shared/format";
import { ListDetailLayout, NoSelection } from "@/components/shared/list-detail-layout";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { useSelectionInUrl } from "@/components/shared/use-selection-in-url";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { toast } from "@/components/ui/toast";
import type { IntegrationDetail, IntegrationListItem } from "@/lib/integrations/contract";
import type { Page } from "@/lib/paging/contract";
import { CreateIntegrationDialog } from "./create-integration-dialog";
import { IntegrationDetailPane } from "./integration-detail";
import { IntegrationList, SEARCH_LABEL } from "./integration-list";
import { integrationKeys, useIntegrationList } from "./queries";

export type IntegrationsViewProps = {
  /** The list's first page, from the server render. */
  initialPage: Page<IntegrationListItem>;
  /** The integration named by `?id=` when the page was loaded (`null` if there is none). */
  initialSelected: { id: string; integration: IntegrationDetail | null } | null;
  /** The server's setting, so the editor checks OAuth URLs with the server's rules. */
  allowPrivateUrls: boolean;
};

/**
 * The integrations page: list on the left, the selected integration on the right (stacked on
 * narrow screens), the selection in `?id=` (see useSelectionInUrl).
 */
export function IntegrationsView({
  initialPage,
  initialSelected,
  allowPrivateUrls,
}: IntegrationsViewProps) {
  const queryClient = useQueryClient();
  const { selectedId, initialDetail, detailRef, hrefFor, select } =
    useSelectionInUrl(initialSelected);
  const list = useIntegrationList(initialPage);
  const dialog = useFormDialog();
  const listRef = useRef<HTMLDivElement>(null);
  const canChange = useCan("admin");

  const created = (integration: IntegrationDetail) => {
    dialog.setOpen(false);
    toast.success("Integration created", { description: integration.name });
    // A search that hides the new integration would make it look as if nothing happened.
    list.setSearch("");
    select(integration.id, { reveal: true });
  };

  const deleted = (integration: { id: string; name: string; connectionsDeleted: number }) => {
    toast.success("Integration deleted", {
      description:
        integration.connectionsDeleted === 0
          ? integration.name
          : `${integration.name}, with ${plural(integration.connectionsDeleted, "connection", "connections")}`,
    });
    // Replace, not push: Back should not lead to the deleted integration's page.
    select(null, { replace: true });
    // Marked gone only now that the pane has moved on (see useDeleteIntegration).
    queryClient.setQueryData(integrationKeys.detail(integration.id), null);
    listRef.current
      ?.querySelector<HTMLInputElement>(`input[aria-label="${SEARCH_LABEL}"]`)
      ?.focus();
  };

  const createButton = canChange ? (
    <Button onClick={() => dialog.show()}>
      <Plus aria-hidden="true" />
      Create integration
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Integrations"
        description="How end users connect to external services: each integration's auth type, the fields end users fill in, the code that tests their credentials, and the connections made so far."
        actions={list.empty ? null : createButton}
      />

      {list.empty ? (
        <EmptyState
          icon={<Blocks />}
          title="No integrations yet"
          description={
            canChange
              ? "Create an integration, then choose how end users authenticate: no credentials, API key fields, OAuth 2.0 (with or without dynamic registration) or one shared service account."
              : `They appear here once an admin creates one. ${VIEWER_CAN_ONLY_LOOK}`
          }
          action={createButton}
        />
      ) : (
        <ListDetailLayout
          listRef={listRef}
          detailRef={detailRef}
          list={
            <IntegrationList
              list={list}
              selectedId={selectedId}
              hrefFor={hrefFor}
              onSelect={(id) => select(id, { reveal: true })}
            />
          }
          detail={
            selectedId ? (
              <IntegrationDetailPane
                key={selectedId}
                id={selectedId}
                initial={initialDetail ?? undefined}
                allowPrivateUrls={allowPrivateUrls}
                onDeleted={deleted}
                onClearSelection={() => select(null)}
              />
            ) : (
              <NoSelection title="Select an integration">
                {canChange
                  ? "Pick one from the list to configure its authentication, see its connections or choose which API clients may manage it."
                  : "Pick one from the list to see its authentication, its connections and which API clients may manage it."}
              </NoSelection>
            )
          }
        />
      )}

      <CreateIntegrationDialog
        open={dialog.open}
        onOpenChange={dialog.setOpen}
        formKey={dialog.key}
        onCreated={created}
      />
    </>
  );
}
