"use client";

import {
  ConfirmDelete,
  DeleteDialog,
  DeleteWarning,
  useDeleteDialog,
} from "@/components/shared/delete-dialog";
import { toast } from "@/components/ui/toast";
import type { ConnectionOutput } from "@/lib/integrations/contract";
import { useDeleteConnection } from "../queries";
import { connectionName } from "./format";

/** A connection's trash button and its confirmation. */
export function DeleteConnectionDialog({
  connection,
  onDeleted,
}: {
  connection: ConnectionOutput;
  /** After the row is gone, e.g. to put the focus somewhere that still exists. */
  onDeleted: () => void;
}) {
  const dialog = useDeleteDialog();
  const remove = useDeleteConnection(connection.integrationId);
  const name = connectionName(connection);

  const confirm = () =>
    dialog.closeAfter(remove.mutateAsync({ id: connection.id, name }), () => {
      toast.success("Connection deleted", { description: name });
      onDeleted();
    });

  return (
    <DeleteDialog
      open={dialog.open}
      onOpenChange={dialog.changeOpen}
      triggerLabel={`Delete the connection of ${name}`}
    >
      <ConfirmDelete
        title={
          connection.endUserId === null
            ? "Delete the service connection?"
            : `Delete the connection of ${name}?`
        }
        titleClassName="break-words"
        description="The connection and the credentials stored for it are deleted for good. This cannot be undone."
        confirmLabel="Delete connection"
        pending={remove.isPending}
        onConfirm={confirm}
      >
        <DeleteWarning>
          {connection.endUserId === null
            ? "Every end user of this integration loses its service credentials until an admin adds them again."
            : "The end user has to connect again before the integration works for them."}
        </DeleteWarning>
      </ConfirmDelete>
    </DeleteDialog>
  );
}
