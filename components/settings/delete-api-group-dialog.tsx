"use client";

import { LoaderCircle } from "lucide-react";
import {
  ConfirmDelete,
  DeleteDialog,
  DeleteWarning,
  useDeleteDialog,
} from "@/components/shared/delete-dialog";
import { toast } from "@/components/ui/toast";
import type { ApiGroup } from "@/lib/api-groups/contract";
import { useDeleteApiGroup, useGroupDeletionPreview } from "./queries";

/**
 * Deleting a custom group takes its permission away from every client that has one, and their
 * live tokens lose that group's scopes on their next use. The confirmation asks the server how
 * many clients that is at the moment it opens.
 */
export function DeleteApiGroupDialog({ group }: { group: ApiGroup }) {
  const dialog = useDeleteDialog();
  const preview = useGroupDeletionPreview(group.id, dialog.open);
  const remove = useDeleteApiGroup();

  const confirm = () =>
    dialog.closeAfter(remove.mutateAsync({ id: group.id, name: group.name }), (result) =>
      toast.success("API group deleted", {
        description:
          result.affectedClients === 0
            ? `${result.deleted.name} (${result.deleted.slug})`
            : `${result.deleted.name}: ${clientsLose(result.affectedClients)} access.`,
      }),
    );

  const affected = preview.data?.affectedClients;
  return (
    <DeleteDialog
      open={dialog.open}
      onOpenChange={dialog.changeOpen}
      triggerLabel={`Delete group ${group.name}`}
    >
      <ConfirmDelete
        title={`Delete ${group.name}?`}
        description={
          <>
            The group <span className="font-mono text-fg">{group.slug}</span> and every permission
            on it are deleted. This cannot be undone.
          </>
        }
        confirmLabel="Delete group"
        pending={remove.isPending}
        confirmDisabled={!preview.data}
        onConfirm={confirm}
      >
        <div aria-live="polite">
          {preview.isPending ? (
            <p className="flex items-center gap-2 text-fg-muted text-sm" role="status">
              <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
              Counting the API clients that use it…
            </p>
          ) : preview.isError ? (
            <p role="alert" className="text-danger-text text-sm">
              {preview.error.message}
            </p>
          ) : preview.data === null ? (
            <p role="alert" className="text-fg-muted text-sm">
              This group no longer exists. Someone may have deleted it.
            </p>
          ) : affected === 0 ? (
            <p className="rounded-lg border border-line bg-surface-subtle px-3 py-2.5 text-fg-muted text-sm">
              No API client has access to this group.
            </p>
          ) : (
            <DeleteWarning>
              <strong className="font-semibold">{clientsLose(affected ?? 0)} access.</strong> Their
              access tokens lose <span className="font-mono">{group.slug}:read</span> and{" "}
              <span className="font-mono">{group.slug}:write</span> at once.
            </DeleteWarning>
          )}
        </div>
      </ConfirmDelete>
    </DeleteDialog>
  );
}

function clientsLose(count: number): string {
  return count === 1 ? "1 API client loses" : `${count.toLocaleString("en-US")} API clients lose`;
}
