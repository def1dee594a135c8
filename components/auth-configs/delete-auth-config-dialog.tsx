"use client";

import { useQueryClient } from "@tanstack/react-query";
import {
  ConfirmDelete,
  DeleteDialog,
  DeleteFacts,
  DeleteWarning,
  LastUsedFact,
  useDeleteDialog,
} from "@/components/shared/delete-dialog";
import { plural } from "@/components/shared/format";
import type { AuthConfigDetail } from "@/lib/auth-configs/contract";
import { authConfigKeys, useDeleteAuthConfig } from "./queries";

/**
 * The red trash button beside the identifier and its confirmation. The dialog says how much the
 * config is in use, because deleting one that workflows rely on makes them fail.
 */
export function DeleteAuthConfigDialog({
  config,
  onDeleted,
}: {
  config: AuthConfigDetail;
  onDeleted: (deleted: { id: string; identifier: string }) => void;
}) {
  const queryClient = useQueryClient();
  const remove = useDeleteAuthConfig();
  const dialog = useDeleteDialog(() => {
    // Usage may have moved since the detail loaded (another tab, the API); show today's figures.
    void queryClient.invalidateQueries({ queryKey: authConfigKeys.detail(config.id) });
  });

  const confirm = () =>
    dialog.closeAfter(
      remove.mutateAsync({ id: config.id, identifier: config.identifier }),
      onDeleted,
    );

  return (
    <DeleteDialog
      open={dialog.open}
      onOpenChange={dialog.changeOpen}
      triggerLabel={`Delete ${config.identifier}`}
    >
      <ConfirmDelete
        title={
          <>
            Delete <span className="break-all font-mono">{config.identifier}</span>?
          </>
        }
        description="The auth config and its cached access token are deleted for good. This cannot be undone."
        confirmLabel="Delete auth config"
        pending={remove.isPending}
        onConfirm={confirm}
      >
        <DeleteFacts>
          <LastUsedFact date={config.lastUsedAt} />
          <dt className="text-fg-muted">Tokens fetched</dt>
          <dd className="text-fg tabular-nums">
            {plural(config.tokensFetched, "token", "tokens")}
          </dd>
        </DeleteFacts>

        <DeleteWarning>
          Workflows and API calls that use{" "}
          <span className="break-all font-mono">{config.identifier}</span> will fail. Authdesk does
          not check whether it is still referenced.
        </DeleteWarning>
      </ConfirmDelete>
    </DeleteDialog>
  );
}
