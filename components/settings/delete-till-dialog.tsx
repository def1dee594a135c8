"use client";

import { useQueryClient } from "@tanstack/react-query";
import { CircleAlert } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { ConfirmDelete, DeleteDialog } from "@/components/shared/delete-dialog";
import {
  AlertDialogCancel,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";
import type { Till } from "@/lib/tills/contract";
import { SettingsActionError, settingsKeys, useDeleteTill } from "./queries";

/**
 * The trash button of a till row and its confirmation. A till that API clients act as cannot
 * be deleted (the database refuses too), so the dialog says so instead of offering the button.
 */
export function DeleteTillDialog({ till }: { till: Till }) {
  const [open, setOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const remove = useDeleteTill();

  const changeOpen = (next: boolean) => {
    setOpen(next);
    setRefusal(null);
    // Clients may have been registered since the table loaded; count them afresh.
    if (next) void queryClient.invalidateQueries({ queryKey: settingsKeys.tills() });
  };

  // Not useDeleteDialog's closeAfter: a refusal because the till is in use keeps the dialog open.
  const confirm = async () => {
    try {
      const deleted = await remove.mutateAsync({ id: till.id, code: till.code });
      setOpen(false);
      toast.success("Till deleted", { description: `${deleted.code} · ${deleted.name}` });
    } catch (error) {
      if (error instanceof SettingsActionError && error.reason === "inUse") {
        setRefusal(error.message);
      } else {
        setOpen(false); // the hook has already said what went wrong
      }
    }
  };

  return (
    <DeleteDialog open={open} onOpenChange={changeOpen} triggerLabel={`Delete till ${till.code}`}>
      {till.apiClientCount > 0 ? (
        <TillInUse till={till} />
      ) : (
        <ConfirmDelete
          title={
            <>
              Delete till <span className="break-all font-mono">{till.code}</span>?
            </>
          }
          description={
            <>
              Programs will no longer be able to authenticate as{" "}
              <span className="break-all font-mono text-fg">{till.code}</span> ({till.name}) with
              Basic authentication. This cannot be undone.
            </>
          }
          confirmLabel="Delete till"
          pending={remove.isPending}
          confirmDisabled={refusal !== null}
          onConfirm={confirm}
        >
          {refusal ? (
            <p
              role="alert"
              className="flex gap-2 rounded-lg border border-danger-text/20 bg-danger-subtle px-3 py-2.5 text-danger-text text-sm"
            >
              <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              {refusal}
            </p>
          ) : null}
        </ConfirmDelete>
      )}
    </DeleteDialog>
  );
}

/** Instead of a confirmation: who uses the till, and where to go about it. */
function TillInUse({ till }: { till: Till }) {
  const clients = till.apiClientCount === 1 ? "1 API client" : `${till.apiClientCount} API clients`;
  return (
    <>
      <AlertDialogHeader>
        <AlertDialogTitle>
          Till <span className="break-all font-mono">{till.code}</span> is in use
        </AlertDialogTitle>
        <AlertDialogDescription>
          Till <span className="break-all font-mono text-fg">{till.code}</span> is used by {clients}
          ; delete or re-register them first. API clients cannot be changed, so register a new one
          with another till before deleting the old one.
        </AlertDialogDescription>
      </AlertDialogHeader>
      <AlertDialogFooter>
        <AlertDialogCancel>Close</AlertDialogCancel>
        <Button asChild variant="secondary">
          <Link href="/api-clients">Go to API clients</Link>
        </Button>
      </AlertDialogFooter>
    </>
  );
}
