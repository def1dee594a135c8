"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Trash2, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { formatDateTime, plural } from "@/components/shared/format";
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
import type { AuthConfigDetail } from "./contract";
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
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const remove = useDeleteAuthConfig();

  const changeOpen = (next: boolean) => {
    setOpen(next);
    // Usage may have moved since the detail loaded (another tab, the API); show today's figures.
    if (next) void queryClient.invalidateQueries({ queryKey: authConfigKeys.detail(config.id) });
  };

  const confirm = async () => {
    try {
      // Awaited rather than mutate's callbacks: those are skipped once this component unmounts,
      // which is what deleting the selected config does.
      const deleted = await remove.mutateAsync({ id: config.id, identifier: config.identifier });
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
          aria-label={`Delete ${config.identifier}`}
          title="Delete"
          className="text-danger hover:bg-danger-subtle hover:text-danger-hover focus-visible:outline-danger"
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>
            Delete <span className="break-all font-mono">{config.identifier}</span>?
          </AlertDialogTitle>
          <AlertDialogDescription>
            The auth config and its cached access token are deleted for good. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>

        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-2 rounded-lg border border-line bg-surface-subtle px-4 py-3 text-sm">
          <dt className="text-fg-muted">Last used</dt>
          <dd className="text-fg">
            {config.lastUsedAt ? (
              <>
                <RelativeTime date={config.lastUsedAt} />
                <span className="block text-fg-subtle text-xs">
                  {formatDateTime(config.lastUsedAt)}
                </span>
              </>
            ) : (
              "Never"
            )}
          </dd>
          <dt className="text-fg-muted">Tokens fetched</dt>
          <dd className="text-fg tabular-nums">
            {plural(config.tokensFetched, "token", "tokens")}
          </dd>
        </dl>

        <div className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <p>
            Workflows and API calls that use{" "}
            <span className="break-all font-mono">{config.identifier}</span> will fail. Authdesk
            does not check whether it is still referenced.
          </p>
        </div>

        <AlertDialogFooter>
          <AlertDialogCancel disabled={remove.isPending}>Cancel</AlertDialogCancel>
          <Button variant="destructive" pending={remove.isPending} onClick={confirm}>
            Delete auth config
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
