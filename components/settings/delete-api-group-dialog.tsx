"use client";

import { LoaderCircle, Trash2, TriangleAlert } from "lucide-react";
import { useState } from "react";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import type { ApiGroup } from "./contract";
import { useDeleteApiGroup, useGroupDeletionPreview } from "./queries";

/**
 * Deleting a custom group takes its permission away from every client that has one, and their
 * live tokens with that group's scopes stop working. The confirmation asks the server how many
 * clients that is at the moment it opens.
 */
export function DeleteApiGroupDialog({ group }: { group: ApiGroup }) {
  const [open, setOpen] = useState(false);
  const preview = useGroupDeletionPreview(group.id, open);
  const remove = useDeleteApiGroup();

  const confirm = async () => {
    try {
      const result = await remove.mutateAsync({ id: group.id, name: group.name });
      setOpen(false);
      toast.success("API group deleted", {
        description:
          result.affectedClients === 0
            ? `${result.deleted.name} (${result.deleted.slug})`
            : `${result.deleted.name}: ${clientsLose(result.affectedClients)} access.`,
      });
    } catch {
      setOpen(false); // the hook has already said what went wrong
    }
  };

  const affected = preview.data?.affectedClients;
  return (
    <AlertDialog open={open} onOpenChange={setOpen}>
      <AlertDialogTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Delete group ${group.name}`}
          title="Delete"
          className="text-danger hover:bg-danger-subtle hover:text-danger-hover focus-visible:outline-danger"
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {group.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            The group <span className="font-mono text-fg">{group.slug}</span> and every permission
            on it are deleted. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>

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
            <div className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
              <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              <p>
                <strong className="font-semibold">{clientsLose(affected ?? 0)} access.</strong>{" "}
                Their access tokens with <span className="font-mono">{group.slug}:read</span> or{" "}
                <span className="font-mono">{group.slug}:write</span> stop working at once.
              </p>
            </div>
          )}
        </div>

        <AlertDialogFooter>
          <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
          <Button
            variant="destructive"
            pending={remove.isPending}
            disabled={!preview.data}
            onClick={confirm}
          >
            Delete group
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

function clientsLose(count: number): string {
  return count === 1 ? "1 API client loses" : `${count.toLocaleString("en-US")} API clients lose`;
}
