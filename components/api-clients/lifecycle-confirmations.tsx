"use client";

import { Ban } from "lucide-react";
import type * as React from "react";
import { ConfirmDelete, DeleteWarning, useDeleteDialog } from "@/components/shared/delete-dialog";
import { AlertDialog, AlertDialogContent, AlertDialogTrigger } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import type { ApiClientDetail } from "@/lib/api-clients/contract";
import { useExpireOldSecret, useRevokeApiClientTokens } from "./queries";

/**
 * The two one-click lifecycle changes, each behind a confirmation: "Revoke all tokens" (header
 * action) and "Expire old secret now" (beside the old secret while its grace period runs).
 */
export function RevokeTokensDialog({ client }: { client: ApiClientDetail }) {
  const revoke = useRevokeApiClientTokens(client);
  return (
    <ConfirmedChange
      trigger={
        <Button variant="secondary" size="sm">
          <Ban aria-hidden="true" />
          Revoke all tokens
        </Button>
      }
      title={`Revoke all tokens of ${client.name}?`}
      description="Every access token issued to this client so far stops working at once, on every instance. The client and its secret stay."
      confirmLabel="Revoke all tokens"
      run={revoke.mutateAsync}
      pending={revoke.isPending}
    >
      <DeleteWarning>
        Its systems get <code className="font-mono text-xs">invalid_token</code> on their next API
        call, and a new token from <code className="font-mono text-xs">POST /oauth/token</code> with
        their secret. Roll the secret too if it may have leaked.
      </DeleteWarning>
    </ConfirmedChange>
  );
}

export function ExpireOldSecretDialog({ client }: { client: ApiClientDetail }) {
  const expire = useExpireOldSecret(client);
  return (
    <ConfirmedChange
      trigger={
        <Button variant="secondary" size="sm">
          Expire old secret now
        </Button>
      }
      title="Expire the old secret now?"
      description={
        <>
          The old secret <span className="font-mono">{client.previousSecretPrefix}</span> stops
          working at once instead of at the end of its grace period.
        </>
      }
      confirmLabel="Expire old secret"
      run={expire.mutateAsync}
      pending={expire.isPending}
    >
      <DeleteWarning>
        Systems still using it get <code className="font-mono text-xs">invalid_client</code> from
        now on. Tokens they already have keep working until they expire.
      </DeleteWarning>
    </ConfirmedChange>
  );
}

function ConfirmedChange({
  trigger,
  title,
  description,
  confirmLabel,
  run,
  pending,
  children,
}: {
  trigger: React.ReactNode;
  title: string;
  description: React.ReactNode;
  confirmLabel: string;
  run: () => Promise<unknown>;
  pending: boolean;
  children: React.ReactNode;
}) {
  const dialog = useDeleteDialog();
  return (
    <AlertDialog open={dialog.open} onOpenChange={dialog.changeOpen}>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <ConfirmDelete
          title={title}
          titleClassName="break-words"
          description={description}
          confirmLabel={confirmLabel}
          pending={pending}
          onConfirm={() => dialog.closeAfter(run(), () => undefined)}
        >
          {children}
        </ConfirmDelete>
      </AlertDialogContent>
    </AlertDialog>
  );
}
