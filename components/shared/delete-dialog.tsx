"use client";

import { Trash2, TriangleAlert } from "lucide-react";
import type * as React from "react";
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

/**
 * Open state for a delete confirmation. `onOpen` runs each time it opens, e.g. to fetch afresh
 * the figures it shows.
 */
export function useDeleteDialog(onOpen?: () => void) {
  const [open, setOpen] = useState(false);

  const changeOpen = (next: boolean) => {
    setOpen(next);
    if (next) onOpen?.();
  };

  /**
   * Awaits the deletion, closes the dialog whether it worked or not, then hands the result on.
   * Awaited rather than mutate's callbacks: those are skipped once the component unmounts, which
   * is what deleting the selected record does.
   */
  const closeAfter = async <Result,>(
    deletion: Promise<Result>,
    onDeleted: (result: Result) => void,
  ) => {
    try {
      const result = await deletion;
      setOpen(false);
      onDeleted(result);
    } catch {
      setOpen(false); // the hook has already said what went wrong
    }
  };

  return { open, changeOpen, closeAfter };
}

/** The red trash button and the alert dialog it opens; `children` is the dialog's content. */
export function DeleteDialog({
  open,
  onOpenChange,
  triggerLabel,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The button's name for screen readers, e.g. "Delete till hq-01". */
  triggerLabel: string;
  children: React.ReactNode;
}) {
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogTrigger asChild>
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label={triggerLabel}
          title="Delete"
          className="text-danger hover:bg-danger-subtle hover:text-danger-hover focus-visible:outline-danger"
        >
          <Trash2 aria-hidden="true" />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>{children}</AlertDialogContent>
    </AlertDialog>
  );
}

/**
 * A delete confirmation: what goes, what else it affects (`children`), and Cancel beside the red
 * button. Both buttons wait while the deletion runs.
 */
export function ConfirmDelete({
  title,
  titleClassName,
  description,
  confirmLabel,
  pending,
  confirmDisabled,
  onConfirm,
  children,
}: {
  title: React.ReactNode;
  titleClassName?: string;
  description: React.ReactNode;
  confirmLabel: string;
  pending: boolean;
  confirmDisabled?: boolean;
  onConfirm: () => void;
  children?: React.ReactNode;
}) {
  return (
    <>
      <AlertDialogHeader>
        <AlertDialogTitle className={titleClassName}>{title}</AlertDialogTitle>
        <AlertDialogDescription>{description}</AlertDialogDescription>
      </AlertDialogHeader>
      {children}
      <AlertDialogFooter>
        <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
        <Button
          variant="destructive"
          pending={pending}
          disabled={confirmDisabled}
          onClick={onConfirm}
        >
          {confirmLabel}
        </Button>
      </AlertDialogFooter>
    </>
  );
}

/** Facts about the record that help judge the deletion, as label–value pairs. */
export function DeleteFacts({ children }: { children: React.ReactNode }) {
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-2 rounded-lg border border-line bg-surface-subtle px-4 py-3 text-sm">
      {children}
    </dl>
  );
}

/** When the record was last used: a recent use means something still relies on it. */
export function LastUsedFact({ date }: { date: Date | null }) {
  return (
    <>
      <dt className="text-fg-muted">Last used</dt>
      <dd className="text-fg">
        {date ? (
          <>
            <RelativeTime date={date} />
            <span className="block text-fg-subtle text-xs">{formatDateTime(date)}</span>
          </>
        ) : (
          "Never"
        )}
      </dd>
    </>
  );
}

/** What stops working once the record is gone. */
export function DeleteWarning({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex gap-2.5 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <p>{children}</p>
    </div>
  );
}
