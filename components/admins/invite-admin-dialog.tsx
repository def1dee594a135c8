"use client";

import { MailCheck, MailWarning } from "lucide-react";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { CopyButton } from "@/components/api-clients/copy-button";
import {
  ConfirmCloseWithoutSecret,
  useOneTimeSecret,
} from "@/components/api-clients/secret-reveal";
import { ChoiceCards } from "@/components/shared/choice-cards";
import { DialogForm } from "@/components/shared/form-dialog";
import { formatDateTime } from "@/components/shared/format";
import { OneTimeNotice } from "@/components/shared/one-time-notice";
import { useFormErrors } from "@/components/shared/use-form-errors";
import { useLeaveGuard } from "@/components/shared/use-leave-guard";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { InvitationEmail, InviteAdminResult } from "@/lib/admins/contract";
import { type InviteAdminFields, inviteAdminSchema } from "@/lib/admins/schema";
import { ADMIN_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { useInviteAdmin } from "./queries";

type Invited = Extract<InviteAdminResult, { ok: true }>;

const FIELD_ORDER: readonly InviteAdminFields[] = ["email", "role"];
const ROLE_OPTIONS = ADMIN_ROLES.map((role) => ({
  value: role,
  label: ROLE_LABELS[role],
  description: ROLE_DESCRIPTIONS[role],
}));

/**
 * Invite, then the one-time screen with the link, in one dialog. The link lives in this
 * component's state (useOneTimeSecret) and nowhere else; closing the screen any way but Done
 * asks first, as for an API client's secret.
 */
export function InviteAdminDialog({
  open,
  onOpenChange,
  formKey,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  formKey: number;
}) {
  const secret = useOneTimeSecret<Invited>(onOpenChange);
  const invited = secret.revealed;
  const changeOpen = (next: boolean) => {
    if (!secret.closeAsksFirst(next)) onOpenChange(next);
  };

  return (
    <>
      <Dialog open={open} onOpenChange={changeOpen}>
        <DialogContent className="flex max-w-lg flex-col gap-0 overflow-hidden p-0">
          <DialogHeader className="border-line border-b px-6 pt-5 pr-14 pb-4">
            <DialogTitle>{invited ? "Invitation created" : "Invite admin"}</DialogTitle>
            <DialogDescription>
              {invited ? (
                <>
                  Send this link to{" "}
                  <span className="break-all font-medium text-fg">{invited.invitation.email}</span>.
                  It lets them choose a password and join as {ROLE_LABELS[invited.invitation.role]}.
                </>
              ) : (
                "Authdesk makes a single-use link that expires in 7 days. Whoever opens it chooses a password and joins with the role you pick."
              )}
            </DialogDescription>
          </DialogHeader>
          {invited ? (
            <InvitationReveal invited={invited} onDone={() => secret.finish()} />
          ) : (
            <InviteForm
              key={formKey}
              onInvited={secret.reveal}
              onCancel={() => onOpenChange(false)}
            />
          )}
        </DialogContent>
      </Dialog>
      <ConfirmCloseWithoutSecret
        {...secret.confirmClose}
        onConfirm={() => secret.finish()}
        consequence="If you have not copied the link, revoke this invitation and send a new one."
      />
    </>
  );
}

function InviteForm({
  onInvited,
  onCancel,
}: {
  onInvited: (invited: Invited) => void;
  onCancel: () => void;
}) {
  const invite = useInviteAdmin();
  const { errors, checkAndSend, clear, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);
  const [role, setRole] = useState<Role>("admin");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values = { email: String(data.get("email") ?? ""), role };
    const invited = await checkAndSend(inviteAdminSchema, values, invite.mutateAsync);
    if (invited) onInvited(invited);
  }

  return (
    <DialogForm
      formRef={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      onCancel={onCancel}
      submitLabel="Create invitation"
      pending={invite.isPending}
    >
      <Field label="Email" error={errors.email}>
        <Input
          name="email"
          type="email"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="colleague@example.com"
          autoFocus
        />
      </Field>
      <fieldset className="grid gap-2" data-field="role">
        <legend className="mb-2 font-medium text-fg text-sm">Role</legend>
        <ChoiceCards
          name="role"
          options={ROLE_OPTIONS}
          value={role}
          onChange={(next) => {
            setRole(next);
            clear("role");
          }}
          invalid={Boolean(errors.role)}
        />
        {errors.role ? <p className="text-danger-text text-sm">{errors.role}</p> : null}
      </fieldset>
    </DialogForm>
  );
}

const EMAIL_NOTES: Record<Exclude<InvitationEmail, "not_configured">, string> = {
  sent: "Also emailed to",
  failed: "The email could not be sent: pass the link on yourself to",
};

/** The link, once: Copy, its expiry, and whether it was also emailed. */
function InvitationReveal({ invited, onDone }: { invited: Invited; onDone: () => void }) {
  const copyRef = useRef<HTMLDivElement>(null);

  useLeaveGuard();

  // The form's button, which had the focus, is gone: put it on Copy, the next step.
  useEffect(() => {
    copyRef.current?.querySelector("button")?.focus();
  }, []);

  const { email } = invited;
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="grid min-h-0 flex-1 gap-5 overflow-y-auto px-6 py-5">
        <OneTimeNotice title="Copy the link now. You won't see it again.">
          Authdesk keeps only a hash of it. If it is lost, revoke this invitation and invite again.
        </OneTimeNotice>
        <fieldset className="grid gap-1.5">
          <legend className="float-left font-medium text-fg text-sm">Invitation link</legend>
          <div className="flex items-stretch gap-2">
            <code className="min-w-0 flex-1 select-all break-all rounded-md border border-warning-text/25 bg-warning-subtle/50 px-3 py-2 font-mono text-fg text-sm leading-5">
              {invited.link}
            </code>
            <div ref={copyRef} className="flex items-start">
              <CopyButton value={invited.link} label="Copy invitation link" size="md" />
            </div>
          </div>
        </fieldset>
        <p className="text-fg-muted text-sm">
          Works once, until{" "}
          <span className="font-medium text-fg">
            {formatDateTime(invited.invitation.expiresAt)}
          </span>
          .
        </p>
        {email === "not_configured" ? null : (
          <p
            role="status"
            className={
              email === "sent"
                ? "flex gap-2 text-sm text-success-text"
                : "flex gap-2 text-sm text-danger-text"
            }
          >
            {email === "sent" ? (
              <MailCheck className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            ) : (
              <MailWarning className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            )}
            <span>
              {EMAIL_NOTES[email]}{" "}
              <span className="break-all font-medium">{invited.invitation.email}</span>.
            </span>
          </p>
        )}
      </div>
      <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </div>
  );
}
