"use client";

import {
  ConfirmDelete,
  DeleteDialog,
  DeleteFacts,
  DeleteWarning,
  useDeleteDialog,
} from "@/components/shared/delete-dialog";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { AUTH_TYPE_INFO } from "@/lib/integrations/schema";
import { ConnectionsAtStake } from "./connections-at-stake";
import { useDeleteIntegration, useIntegrationImpact } from "./queries";

type Deleted = { id: string; name: string; connectionsDeleted: number };

/**
 * The red trash button beside the name and its confirmation, which says how many connections go
 * with the integration: counted when it opens, since programs add them through the API.
 */
export function DeleteIntegrationDialog({
  integration,
  onDeleted,
}: {
  integration: IntegrationDetail;
  onDeleted: (deleted: Deleted) => void;
}) {
  const dialog = useDeleteDialog();
  const impact = useIntegrationImpact(integration.id, dialog.open);
  const remove = useDeleteIntegration();

  const confirm = () =>
    dialog.closeAfter(
      remove.mutateAsync({ id: integration.id, name: integration.name }),
      onDeleted,
    );

  return (
    <DeleteDialog
      open={dialog.open}
      onOpenChange={dialog.changeOpen}
      triggerLabel={`Delete ${integration.name}`}
    >
      <ConfirmDelete
        title={`Delete ${integration.name}?`}
        titleClassName="break-words"
        description="The integration, its auth configuration, its OAuth client and its API access list are deleted for good. This cannot be undone."
        confirmLabel="Delete integration"
        pending={remove.isPending}
        confirmDisabled={!impact.data}
        onConfirm={confirm}
      >
        <DeleteFacts>
          <dt className="text-fg-muted">Auth type</dt>
          <dd className="text-fg">{AUTH_TYPE_INFO[integration.authType].label}</dd>
        </DeleteFacts>
        <ConnectionsAtStake impact={impact}>
          {(count) => (
            <DeleteWarning>
              <strong className="font-semibold">{connectionsGo(count)}</strong> with it, with the
              credentials stored for them. Programs that use this integration get 404 from now on.
            </DeleteWarning>
          )}
        </ConnectionsAtStake>
      </ConfirmDelete>
    </DeleteDialog>
  );
}

function connectionsGo(count: number): string {
  return count === 1
    ? "1 connection is deleted"
    : `${count.toLocaleString("en-US")} connections are deleted`;
}
