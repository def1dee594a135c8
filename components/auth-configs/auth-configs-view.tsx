"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Plus, ShieldCheck } from "lucide-react";
import { useRef } from "react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { ListDetailLayout, NoSelection } from "@/components/shared/list-detail-layout";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { useSelectionInUrl } from "@/components/shared/use-selection-in-url";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { toast } from "@/components/ui/toast";
import type { AuthConfigDetail, AuthConfigListItem } from "@/lib/auth-configs/contract";
import type { Page } from "@/lib/paging/contract";
import { AuthConfigDetailPane } from "./auth-config-detail";
import { AuthConfigList, SEARCH_LABEL } from "./auth-config-list";
import { type AuthConfigFormPrefill, CreateAuthConfigDialog } from "./create-auth-config-dialog";
import { authConfigKeys, useAuthConfigList } from "./queries";

export type AuthConfigsViewProps = {
  /** The list's first page, from the server render. */
  initialPage: Page<AuthConfigListItem>;
  /** The config named by `?id=` when the page was loaded (`config: null` if there is none). */
  initialSelected: { id: string; config: AuthConfigDetail | null } | null;
  /** The server's setting, so the browser validates token URLs with the server's rules. */
  allowPrivateTokenUrls: boolean;
};

/**
 * The auth-configs page: list on the left, the selected config on the right (stacked on narrow
 * screens), the selection in `?id=` (see useSelectionInUrl).
 */
export function AuthConfigsView({
  initialPage,
  initialSelected,
  allowPrivateTokenUrls,
}: AuthConfigsViewProps) {
  const queryClient = useQueryClient();
  const { selectedId, initialDetail, detailRef, hrefFor, select } =
    useSelectionInUrl(initialSelected);
  const list = useAuthConfigList(initialPage);
  const dialog = useFormDialog<AuthConfigFormPrefill>();
  const listRef = useRef<HTMLDivElement>(null);
  const canChange = useCan("admin");

  const created = (config: AuthConfigDetail) => {
    dialog.setOpen(false);
    const replaced = dialog.prefill?.replace ? dialog.prefill.config : null;
    toast.success(replaced ? "Auth config replaced" : "Auth config created", {
      description: config.identifier,
    });
    // A search that hides the new config would make it look as if nothing happened.
    list.setSearch("");
    // After a replace, Back should not lead to the old config's page, which is gone.
    select(config.id, { reveal: true, replace: replaced !== null });
    if (replaced) queryClient.setQueryData(authConfigKeys.detail(replaced.id), null);
  };

  const deleted = (config: { id: string; identifier: string }) => {
    toast.success("Auth config deleted", { description: config.identifier });
    // Replace, not push: Back should not lead to the deleted config's page.
    select(null, { replace: true });
    // Marked gone only now that the pane has moved on (see useDeleteAuthConfig).
    queryClient.setQueryData(authConfigKeys.detail(config.id), null);
    listRef.current
      ?.querySelector<HTMLInputElement>(`input[aria-label="${SEARCH_LABEL}"]`)
      ?.focus();
  };

  const createButton = canChange ? (
    <Button onClick={() => dialog.show()}>
      <Plus aria-hidden="true" />
      Create auth config
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Auth configs"
        description="Outbound credentials: OAuth 2.0 client-credentials settings the platform exchanges for access tokens to call other APIs. Stored encrypted; read-only once created."
        actions={list.empty ? null : createButton}
      />

      {list.empty ? (
        <EmptyState
          icon={<ShieldCheck />}
          title="No auth configs yet"
          description={
            canChange
              ? "An auth config holds a token URL, scope, client ID and client secret. Authdesk stores them encrypted and fetches and caches access tokens for the API calls that use it."
              : `They appear here once an admin creates one. ${VIEWER_CAN_ONLY_LOOK}`
          }
          action={createButton}
        />
      ) : (
        <ListDetailLayout
          listRef={listRef}
          detailRef={detailRef}
          list={
            <AuthConfigList
              list={list}
              selectedId={selectedId}
              hrefFor={hrefFor}
              onSelect={(id) => select(id, { reveal: true })}
            />
          }
          detail={
            selectedId ? (
              <AuthConfigDetailPane
                key={selectedId}
                id={selectedId}
                initial={initialDetail ?? undefined}
                onDuplicate={(config) => dialog.show({ config, replace: false })}
                onReplace={(config) => dialog.show({ config, replace: true })}
                onDeleted={deleted}
                onClearSelection={() => select(null)}
              />
            ) : (
              <NoSelection title="Select an auth config">
                {canChange
                  ? "Pick one from the list to see its settings, test it, replace, duplicate or delete it."
                  : "Pick one from the list to see its settings."}
              </NoSelection>
            )
          }
        />
      )}

      <CreateAuthConfigDialog
        open={dialog.open}
        onOpenChange={dialog.setOpen}
        prefill={dialog.prefill}
        formKey={dialog.key}
        allowPrivateTokenUrls={allowPrivateTokenUrls}
        onCreated={created}
      />
    </>
  );
}
