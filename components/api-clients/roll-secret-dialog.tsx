"use client";

import { Info, RefreshCw } from "lucide-react";
import { useState } from "react";
import { DeleteWarning } from "@/components/shared/delete-dialog";
import { formatDateTime } from "@/components/shared/format";
import { SegmentedControl } from "@/components/shared/segmented-control";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import type { ApiClientDetail } from "@/lib/api-clients/contract";
import {
  SECRET_GRACE_LABELS,
  SECRET_GRACE_PERIODS,
  type SecretGracePeriod,
} from "@/lib/api-clients/schema";
import { type RolledApiClientSecret, useRollApiClientSecret } from "./queries";
import { ConfirmCloseWithoutSecret, SecretReveal, useOneTimeSecret } from "./secret-reveal";

const GRACE_OPTIONS = SECRET_GRACE_PERIODS.map((value) => ({
  value,
  label: SECRET_GRACE_LABELS[value],
}));

/**
 * "Roll secret": choose how long the old secret keeps working, then the new secret on the same
 * one-time screen as at registration. As there, the result (with the secret) lives in this
 * component's state only, and closing the screen any way but Done asks first.
 */
export function RollSecretDialog({ client }: { client: ApiClientDetail }) {
  const [open, setOpen] = useState(false);
  // A day: time to deploy the new secret everywhere, short enough not to be forgotten.
  const [gracePeriod, setGracePeriod] = useState<SecretGracePeriod>("24h");
  const secret = useOneTimeSecret<RolledApiClientSecret>(setOpen);
  const rolled = secret.revealed;
  const { roll, pending } = useRollApiClientSecret(client);

  const changeOpen = (next: boolean) => {
    if (secret.closeAsksFirst(next)) return;
    if (next) setGracePeriod("24h");
    setOpen(next);
  };

  const submit = async () => {
    const result = await roll(gracePeriod);
    if (result) secret.reveal(result);
  };

  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => changeOpen(true)}>
        <RefreshCw aria-hidden="true" />
        Roll secret
      </Button>
      <Dialog open={open} onOpenChange={changeOpen}>
        <DialogContent className="flex max-w-2xl flex-col gap-0 overflow-hidden p-0">
          {rolled ? (
            <>
              <DialogHeader className="border-line border-b px-6 pt-5 pb-4">
                <DialogTitle>New client secret</DialogTitle>
                <DialogDescription>
                  <span className="font-medium text-fg">{client.name}</span> has a new client
                  secret. Put it everywhere the old one is used.
                </DialogDescription>
              </DialogHeader>
              <SecretReveal
                clientName={client.name}
                clientKey={rolled.client.clientKey}
                clientSecret={rolled.clientSecret}
                ifLost="If it is lost, roll the secret again."
                notice={<OldSecretNotice client={rolled.client} />}
                onDone={secret.finish}
              />
            </>
          ) : (
            <>
              <DialogHeader className="border-line border-b px-6 pt-5 pb-4">
                <DialogTitle>Roll the client secret</DialogTitle>
                <DialogDescription>
                  A new secret for <span className="font-medium text-fg">{client.name}</span>, shown
                  once. The client key, permissions and till stay as they are.
                </DialogDescription>
              </DialogHeader>
              <RollChoice client={client} gracePeriod={gracePeriod} onChange={setGracePeriod} />
              <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
                <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                  Cancel
                </Button>
                <Button type="button" pending={pending} onClick={submit}>
                  Roll secret
                </Button>
              </DialogFooter>
            </>
          )}
        </DialogContent>
      </Dialog>
      <ConfirmCloseWithoutSecret
        {...secret.confirmClose}
        onConfirm={secret.finish}
        consequence="If you have not copied it, roll the secret again."
      />
    </>
  );
}

function RollChoice({
  client,
  gracePeriod,
  onChange,
}: {
  client: ApiClientDetail;
  gracePeriod: SecretGracePeriod;
  onChange: (gracePeriod: SecretGracePeriod) => void;
}) {
  return (
    <div className="grid gap-5 overflow-y-auto px-6 py-5">
      <fieldset className="grid gap-2">
        <legend className="mb-2 font-medium text-fg text-sm">
          Keep the old secret working for
        </legend>
        <SegmentedControl
          name="gracePeriod"
          options={GRACE_OPTIONS}
          value={gracePeriod}
          onChange={onChange}
          className="w-full sm:w-auto"
          inputProps={{ "aria-describedby": "grace-period-hint" }}
        />
        <p id="grace-period-hint" className="text-fg-muted text-sm">
          {gracePeriod === "none"
            ? "The old secret stops working as soon as you roll. Choose this if it has leaked."
            : `Systems that use the old secret keep working for ${SECRET_GRACE_LABELS[gracePeriod]}, so you can deploy the new one first. You can end it sooner from the client's detail.`}
        </p>
      </fieldset>

      {client.previousSecretPrefix && client.previousSecretExpiresAt ? (
        <DeleteWarning>
          The secret <span className="font-mono">{client.previousSecretPrefix}</span> from the last
          roll, still accepted until {formatDateTime(client.previousSecretExpiresAt)}, stops working
          now: only one old secret is kept.
        </DeleteWarning>
      ) : null}

      <p className="flex gap-2 text-fg-muted text-sm">
        <Info className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        <span>
          Access tokens already issued keep working until they expire, whichever secret got them. To
          end them too, use Revoke all tokens.
        </span>
      </p>
    </div>
  );
}

/** On the one-time screen: until when the old secret still works, or that it has stopped. */
function OldSecretNotice({ client }: { client: ApiClientDetail }) {
  const { previousSecretPrefix, previousSecretExpiresAt } = client;
  return (
    <p
      role="note"
      className="rounded-lg border border-line bg-surface-subtle px-4 py-3 text-fg-muted text-sm"
    >
      {previousSecretPrefix && previousSecretExpiresAt ? (
        <>
          The old secret <span className="font-mono text-fg">{previousSecretPrefix}</span> keeps
          working until{" "}
          <time dateTime={previousSecretExpiresAt.toISOString()} className="font-medium text-fg">
            {formatDateTime(previousSecretExpiresAt)}
          </time>
          .
        </>
      ) : (
        "The old secret has stopped working."
      )}
    </p>
  );
}
