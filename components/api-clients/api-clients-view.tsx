"use client";

import { useQueryClient } from "@tanstack/react-query";
import { KeyRound, Plus } from "lucide-react";
import { useRef } from "react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { ListDetailLayout, NoSelection } from "@/components/shared/list-detail-layout";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { useSelectionInUrl } from "@/components/shared/use-selection-in-url";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { toast } from "@/components/ui/toast";
import type { ApiClientDetail, ApiClientListItem } from "@/lib/api-clients/contract";
import type { ApiGroup } from "@/lib/api-groups/contract";
import type { Page } from "@/lib/paging/contract";
import type { Till } from "@/lib/tills/contract";
import { ApiClientDetailPane } from "./api-client-detail";
import { ApiClientList, SEARCH_LABEL } from "./api-client-list";
import { apiClientKeys, useApiClientList } from "./queries";
import { RegisterApiClientDialog } from "./register-api-client-dialog";

export type ApiClientsViewProps = {
  /** The list's first page, from the server render. */
  initialPage: Page<ApiClientListItem>;
  /** The client named by `?id=` when the page was loaded (`client: null` if there is none). */
  initialSelected: { id: string; client: ApiClientDetail | null } | null;
  /** What the register form offers, as the server saw it when the page loaded. */
  initialTills: Page<Till>;
  initialGroups: ApiGroup[];
};

/**
 * The API-clients page: list on the left, the selected client on the right (stacked on narrow
 * screens), the selection in `?id=` (see useSelectionInUrl).
 */
export function ApiClientsView({
  initialPage,
  initialSelected,
  initialTills,
  initialGroups,
}: ApiClientsViewProps) {
  const queryClient = useQueryClient();
  const { selectedId, initialDetail, detailRef, hrefFor, select } =
    useSelectionInUrl(initialSelected);
  const list = useApiClientList(initialPage);
  const dialog = useFormDialog();
  const listRef = useRef<HTMLDivElement>(null);
  const canChange = useCan("admin");

  const deleted = (client: { id: string; name: string }) => {
    toast.success("API client deleted", {
      description: `${client.name}: its tokens no longer work.`,
    });
    // Replace, not push: Back should not lead to the deleted client's page.
    select(null, { replace: true });
    // Marked gone only now that the pane has moved on (see useDeleteApiClient).
    queryClient.setQueryData(apiClientKeys.detail(client.id), null);
    listRef.current
      ?.querySelector<HTMLInputElement>(`input[aria-label="${SEARCH_LABEL}"]`)
      ?.focus();
  };

  const registerButton = canChange ? (
    <Button onClick={() => dialog.show()}>
      <Plus aria-hidden="true" />
      Register
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        title="API clients"
        description="Inbound credentials: client keys and secrets that other systems exchange for OAuth 2.0 access tokens to call the platform, each with a permission per API group and a token lifetime."
        actions={list.empty ? null : registerButton}
      />

      {list.empty ? (
        <EmptyState
          icon={<KeyRound />}
          title="No API clients yet"
          description={
            canChange
              ? "Register a client to get a client key and a client secret, shown once. Authdesk issues, checks and revokes the OAuth 2.0 access tokens of each client."
              : `They appear here once an admin registers one. ${VIEWER_CAN_ONLY_LOOK}`
          }
          action={registerButton}
        />
      ) : (
        <ListDetailLayout
          listRef={listRef}
          detailRef={detailRef}
          list={
            <ApiClientList
              list={list}
              selectedId={selectedId}
              hrefFor={hrefFor}
              onSelect={(id) => select(id, { reveal: true })}
            />
          }
          detail={
            selectedId ? (
              <ApiClientDetailPane
                key={selectedId}
                id={selectedId}
                initial={initialDetail ?? undefined}
                onDeleted={deleted}
                onClearSelection={() => select(null)}
              />
            ) : (
              <NoSelection title="Select an API client">
                {canChange
                  ? "Pick one from the list to see its key, permissions and token lifetime, or to delete it."
                  : "Pick one from the list to see its key, permissions and token lifetime."}
              </NoSelection>
            )
          }
        />
      )}

      <RegisterApiClientDialog
        open={dialog.open}
        onOpenChange={dialog.setOpen}
        formKey={dialog.key}
        initialTills={initialTills}
        initialGroups={initialGroups}
        onFinished={(id) => {
          // A search that hides the new client would make it look as if nothing happened.
          list.setSearch("");
          select(id, { reveal: true });
        }}
      />
    </>
  );
}
