"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Trash2, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
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
import type { ApiClientDetail } from "./contract";
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
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const remove = useDeleteApiClient();

  const changeOpen = (next: boolean) => {
    setOpen(next);
    // Last used may have moved since the detail loaded; show today's.
    if (next) void queryClient.invalidateQueries({ queryKey: apiClientKeys.detail(client.id) });
  };

  const confirm = async () => {
    try {
      // Awaited rather than mutate's callbacks: those are skipped once this component unmounts,
      // which is what deleting the selected client does.
      const deleted = await remove.mutateAsync({ id: client.id, name: client.name });
      setOpen(false);
      onDeleted(deleted);
    } catch {
      setOpen(false); // the hook has already said what went wrong
    }
  };

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={`Delete ${client.name}`}
          title="Delete"
          className="text-danger hover:bg-danger-subtle hover:text-danger-hover focus-visible:outline-danger"
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle className="break-words">Delete {client.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            The API client is deleted for good and its tokens stop working immediately, on every
            instance. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>

        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-2 rounded-lg border border-line bg-surface-subtle px-4 py-3 text-sm">
          <dt className="text-fg-muted">Client key</dt>
          <dd className="truncate font-mono text-fg">{keyPrefix(client.clientKey)}</dd>
          <dt className="text-fg-muted">Last used</dt>
          <dd className="text-fg">
            {client.lastUsedAt ? (
              <>
                <RelativeTime date={client.lastUsedAt} />
                <span className="block text-fg-subtle text-xs">
                  {formatDateTime(client.lastUsedAt)}
                </span>
              </>
            ) : (
              "Never"
            )}
          </dd>
        </dl>

        <div className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <p>
            Systems that call the API with this client get{" "}
            <code className="font-mono text-xs">invalid_client</code> or{" "}
            <code className="font-mono text-xs">invalid_token</code> from now on.
          </p>
        </div>

        <AlertDialogFooter>
          <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" pending={remove.isPending} onClick={confirm}>
            Delete API client
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
