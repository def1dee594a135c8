"use client";

import { useState } from "react";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import type { ApiGroup } from "@/lib/api-groups/contract";
import type { Page } from "@/lib/paging/contract";
import type { Till } from "@/lib/tills/contract";
import type { RegisteredApiClient } from "./queries";
import { RegisterForm } from "./register-form";
import { ConfirmCloseWithoutSecret, SecretReveal, useOneTimeSecret } from "./secret-reveal";

export type RegisterApiClientDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** A new key per opening, so every opening starts from a blank form. */
  formKey: number;
  initialTills?: Page<Till>;
  initialGroups?: ApiGroup[];
  /** The one-time screen was closed (Done, or a confirmed close): show the new client. */
  onFinished: (clientId: string) => void;
};

/**
 * Register, then the one-time screen, in one dialog. The registration result (with the secret)
 * lives in this component's state and nowhere else, and is dropped when the screen closes.
 * Closing the screen any way but Done or New API client (Escape, ×, a click outside) asks first.
 */
export function RegisterApiClientDialog({
  open,
  onOpenChange,
  formKey,
  initialTills,
  initialGroups,
  onFinished,
}: RegisterApiClientDialogProps) {
  const secret = useOneTimeSecret<RegisteredApiClient>(onOpenChange);
  const registered = secret.revealed;
  // Bumped by "New API client", so the next form starts blank.
  const [round, setRound] = useState(0);

  const finish = () => {
    const shown = secret.finish();
    if (shown) onFinished(shown.client.id);
  };

  const changeOpen = (next: boolean) => {
    if (!secret.closeAsksFirst(next)) onOpenChange(next);
  };

  const startAnother = () => {
    secret.clear();
    setRound((current) => current + 1);
  };

  return (
    <>
      <Dialog open={open} onOpenChange={changeOpen}>
        {/* The body scrolls between a fixed header and footer, so the title and the buttons stay
            in view in a short window. */}
        <DialogContent className="flex max-w-2xl flex-col gap-0 overflow-hidden p-0">
          {registered ? (
            <>
              <DialogHeader className="border-line border-b px-6 pt-5 pb-4">
                <DialogTitle>API client registered</DialogTitle>
                <DialogDescription>
                  <span className="font-medium text-fg">{registered.client.name}</span> can now get
                  access tokens. Store its client key and client secret somewhere safe.
                </DialogDescription>
              </DialogHeader>
              <SecretReveal
                clientName={registered.client.name}
                clientKey={registered.clientKey}
                clientSecret={registered.clientSecret}
                onDone={finish}
                onNewClient={startAnother}
              />
            </>
          ) : (
            <>
              <DialogHeader className="border-line border-b px-6 pt-5 pb-4">
                <DialogTitle>Register an API client</DialogTitle>
                <DialogDescription>
                  A client key and secret another system uses to get OAuth 2.0 access tokens. API
                  clients cannot be changed after registration.
                </DialogDescription>
              </DialogHeader>
              <RegisterForm
                key={`${formKey}-${round}`}
                initialTills={initialTills}
                initialGroups={initialGroups}
                onRegistered={secret.reveal}
                onCancel={() => onOpenChange(false)}
              />
            </>
          )}
        </DialogContent>
      </Dialog>

      <ConfirmCloseWithoutSecret
        {...secret.confirmClose}
        onConfirm={finish}
        consequence="If you have not copied it, the client is of no use: you would have to delete it and register a new one."
      />
    </>
  );
}
