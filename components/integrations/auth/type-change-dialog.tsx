"use client";

import { DeleteWarning } from "@/components/shared/delete-dialog";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { AUTH_TYPE_INFO, type AuthType } from "@/lib/integrations/schema";
import { ConnectionsAtStake } from "../connections-at-stake";
import { useIntegrationImpact } from "../queries";

/**
 * Asked before a save that changes the type, which deletes every connection and any OAuth client.
 * The count is read when the dialog opens: programs add connections while the page stays open.
 */
export function TypeChangeDialog({
  integrationId,
  open,
  onOpenChange,
  from,
  to,
  pending,
  onConfirm,
  onClosed,
}: {
  integrationId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  from: AuthType;
  to: AuthType;
  pending: boolean;
  onConfirm: () => void;
  /** Where the focus goes once the dialog has closed, instead of a Save button that is gone. */
  onClosed: (event: Event) => void;
}) {
  const impact = useIntegrationImpact(integrationId, open);
  const count = impact.data?.connectionCount ?? 0;
  return (
    <AlertDialog open={open} onOpenChange={(next) => (pending ? undefined : onOpenChange(next))}>
      <AlertDialogContent onCloseAutoFocus={onClosed}>
        <AlertDialogHeader>
          <AlertDialogTitle>Change the auth type?</AlertDialogTitle>
          <AlertDialogDescription>
            From <strong className="font-medium text-fg">{AUTH_TYPE_INFO[from].label}</strong> to{" "}
            <strong className="font-medium text-fg">{AUTH_TYPE_INFO[to].label}</strong>. End users
            will have to connect again. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <ConnectionsAtStake impact={impact}>
          {(total) => (
            <DeleteWarning>
              <strong className="font-semibold">
                {total === 1
                  ? "1 connection is deleted"
                  : `${total.toLocaleString("en-US")} connections are deleted`}
              </strong>
              , with the credentials stored for them.
            </DeleteWarning>
          )}
        </ConnectionsAtStake>
        {impact.data?.hasOAuthClient ? (
          <DeleteWarning>
            The OAuth client is deleted too, with its stored URLs and credentials.
          </DeleteWarning>
        ) : null}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <Button
            variant={count > 0 || impact.data?.hasOAuthClient ? "destructive" : "primary"}
            pending={pending}
            disabled={!impact.data}
            onClick={onConfirm}
          >
            Change type and save
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
