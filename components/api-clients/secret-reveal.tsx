"use client";

import { Plus } from "lucide-react";
import type * as React from "react";
import { type Ref, useEffect, useRef, useState } from "react";
import { OneTimeNotice } from "@/components/shared/one-time-notice";
import { useLeaveGuard } from "@/components/shared/use-leave-guard";
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
import { DialogFooter } from "@/components/ui/dialog";
import { CopyButton } from "./copy-button";

/**
 * The one-time screen: the client key and the client secret, each with a Copy button, and the
 * warning that the secret cannot be seen again. The secret exists only in the props of this
 * component (from the registration's or the roll's result); while it is mounted, leaving or
 * reloading the page makes the browser ask first.
 */
export function SecretReveal({
  clientName,
  clientKey,
  clientSecret,
  ifLost,
  notice,
  onDone,
  onNewClient,
}: {
  clientName: string;
  clientKey: string;
  clientSecret: string;
  /** What to do if the secret is lost; by default, delete the client and register a new one. */
  ifLost?: React.ReactNode;
  /** Below the credentials, e.g. until when the old secret still works after a roll. */
  notice?: React.ReactNode;
  onDone: () => void;
  /** Offers "New API client" beside Done (after a registration). */
  onNewClient?: () => void;
}) {
  const secretCopyRef = useRef<HTMLDivElement>(null);

  useLeaveGuard();

  // The form's Next button, which had the focus, is gone: put it where the next step is.
  useEffect(() => {
    secretCopyRef.current?.querySelector("button")?.focus();
  }, []);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="grid min-h-0 flex-1 gap-5 overflow-y-auto px-6 py-5">
        <OneTimeNotice title="Copy the client secret now. You won't see it again.">
          Authdesk keeps only a hash of it, so nobody can show it to you later.{" "}
          {ifLost ?? (
            <>
              If it is lost, delete <span className="font-medium">{clientName}</span> and register a
              new client.
            </>
          )}
        </OneTimeNotice>

        <CredentialRow label="Client key" value={clientKey} />
        <CredentialRow label="Client secret" value={clientSecret} copyRef={secretCopyRef} secret />
        {notice}

        <p className="text-fg-muted text-sm">
          Exchange them for an access token at{" "}
          <code className="font-mono text-fg text-xs">POST /oauth/token</code> with{" "}
          <code className="font-mono text-fg text-xs">grant_type=client_credentials</code>, sending
          the key and secret with HTTP Basic authentication.
        </p>
      </div>
      <DialogFooter
        className={
          onNewClient
            ? "border-line border-t bg-surface-subtle px-6 py-4 sm:justify-between"
            : "border-line border-t bg-surface-subtle px-6 py-4"
        }
      >
        {onNewClient ? (
          <Button type="button" variant="secondary" onClick={onNewClient}>
            <Plus aria-hidden="true" />
            New API client
          </Button>
        ) : null}
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  );
}

/**
 * Asked when the one-time screen is closed any way but its own buttons (Escape, ×, a click
 * outside): the secret cannot be shown again. `consequence` says what losing it means.
 */
export function ConfirmCloseWithoutSecret({
  open,
  onOpenChange,
  onConfirm,
  consequence,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onConfirm: () => void;
  consequence: string;
}) {
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Close without the secret?</AlertDialogTitle>
          <AlertDialogDescription>
            You won&apos;t be able to see this secret again. {consequence}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it open</AlertDialogCancel>
          <Button variant="destructive" onClick={onConfirm}>
            Close anyway
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/** A label, the value in mono (wrapping, selectable in one click) and its Copy button. */
function CredentialRow({
  label,
  value,
  secret = false,
  copyRef,
}: {
  label: string;
  value: string;
  secret?: boolean;
  copyRef?: Ref<HTMLDivElement>;
}) {
  return (
    <fieldset className="grid gap-1.5">
      {/* Floated so it lays out like a plain element; it still names the group. */}
      <legend className="float-left font-medium text-fg text-sm">{label}</legend>
      <div className="flex items-stretch gap-2">
        <code
          className={
            secret
              ? "min-w-0 flex-1 select-all break-all rounded-md border border-warning-text/25 bg-warning-subtle/50 px-3 py-2 font-mono text-fg text-sm leading-5"
              : "min-w-0 flex-1 select-all break-all rounded-md border border-line-strong bg-surface-subtle px-3 py-2 font-mono text-fg text-sm leading-5"
          }
        >
          {value}
        </code>
        <div ref={copyRef} className="flex items-start">
          <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} size="md" />
        </div>
      </div>
    </fieldset>
  );
}

/**
 * The state of a dialog that ends on the one-time screen: the result carrying the secret, kept
 * here and nowhere else, and the question asked before a close that is not Done.
 */
export function useOneTimeSecret<Result>(setOpen: (open: boolean) => void) {
  const [revealed, setRevealed] = useState<Result | null>(null);
  const [confirmingClose, setConfirmingClose] = useState(false);
  return {
    revealed,
    /** Also when the dialog was closed meanwhile: the secret is live, and this is its one showing. */
    reveal(result: Result) {
      setRevealed(result);
      setOpen(true);
    },
    /** Done, or a confirmed close: drops the secret, closes, and returns what was shown. */
    finish(): Result | null {
      setRevealed(null);
      setConfirmingClose(false);
      setOpen(false);
      return revealed;
    },
    /** "New API client": drops the secret and keeps the dialog open. */
    clear() {
      setRevealed(null);
    },
    /** For onOpenChange: true when this change is a close of the screen, which asks first. */
    closeAsksFirst(next: boolean): boolean {
      if (next || !revealed) return false;
      setConfirmingClose(true);
      return true;
    },
    /** The props of ConfirmCloseWithoutSecret's open state. */
    confirmClose: { open: confirmingClose, onOpenChange: setConfirmingClose },
  };
}
