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
import type { ApiClientDetail } from "@/lib/api-clients/contract";
import { keyPrefix } from "./format";
import { apiClientKeys, useDeleteApiClient } from "./queries";

/**
 * The red trash button beside the client's name and its confirmation. Deleting revokes at once,
 * so the dialog says when the client was last used: a recent use means a system still relies on
 * it.
 */
export function DeleteApiClientDialog({
  client,
  onDeleted,
}: {
  client: ApiClientDetail;
  onDeleted: (deleted: { id: string; name: string }) => void;
}) {
  const queryClient = useQueryClient();
  const remove = useDeleteApiClient();
  const dialog = useDeleteDialog(() => {
    // Last used may have moved since the detail loaded; show today's.
    void queryClient.invalidateQueries({ queryKey: apiClientKeys.detail(client.id) });
  });

  const confirm = () =>
    dialog.closeAfter(remove.mutateAsync({ id: client.id, name: client.name }), onDeleted);

  return (
    <DeleteDialog
      open={dialog.open}
      onOpenChange={dialog.changeOpen}
      triggerLabel={`Delete ${client.name}`}
    >
      <ConfirmDelete
        title={`Delete ${client.name}?`}
        titleClassName="break-words"
        description="The API client is deleted for good and its tokens stop working immediately, on every instance. This cannot be undone."
        confirmLabel="Delete API client"
        pending={remove.isPending}
        onConfirm={confirm}
      >
        <DeleteFacts>
          <dt className="text-fg-muted">Client key</dt>
          <dd className="truncate font-mono text-fg">{keyPrefix(client.clientKey)}</dd>
          <LastUsedFact date={client.lastUsedAt} />
        </DeleteFacts>

        <DeleteWarning>
          Systems that call the API with this client get{" "}
          <code className="font-mono text-xs">invalid_client</code> or{" "}
          <code className="font-mono text-xs">invalid_token</code> from now on.
        </DeleteWarning>
      </ConfirmDelete>
    </DeleteDialog>
  );
}
