"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ShieldCheck } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import {
  disableTwoFactorAction,
  getTwoFactorStatusAction,
  regenerateRecoveryCodesAction,
} from "@/app/(console)/account/two-factor/actions";
import { FormError } from "@/components/auth/form-error";
import { formatDateTime } from "@/components/shared/format";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
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
import { toast } from "@/components/ui/toast";
import { currentPasswordSchema } from "@/lib/auth/two-factor-schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { RecoveryCodes } from "./recovery-codes";

const twoFactorKey = ["account", "two-factor"] as const;

/**
 * The account page's two-factor card: on or off (and since when), recovery codes left, and
 * set up, regenerate codes or turn off. It loads its own status, so the page only places it.
 */
export function TwoFactorCard({ email }: { email: string }) {
  const status = useQuery({
    queryKey: twoFactorKey,
    queryFn: async () => {
      const result = await getTwoFactorStatusAction();
      if (!result.ok) throw new Error(result.formError);
      return result.status;
    },
  });
  const [dialog, setDialog] = useState<"regenerate" | "disable" | null>(null);
  const data = status.data;

  return (
    <Card aria-labelledby="two-factor-heading">
      <CardHeader
        actions={
          data ? (
            <Badge variant={data.enabled ? "success" : "neutral"}>
              {data.enabled ? "On" : "Off"}
            </Badge>
          ) : null
        }
      >
        <CardTitle id="two-factor-heading" className="flex items-center gap-2">
          <ShieldCheck className="size-4 text-fg-subtle" aria-hidden="true" />
          Two-factor sign-in
        </CardTitle>
        <CardDescription>
          A code from an authenticator app after your password, so a stolen password alone cannot
          sign in.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 text-sm">
        {status.isError ? <FormError>{status.error.message}</FormError> : null}
        {!data ? (
          status.isError ? null : (
            <p className="text-fg-muted">Loading…</p>
          )
        ) : data.enabled ? (
          <>
            <dl className="grid gap-x-6 gap-y-1 sm:grid-cols-[auto_1fr]">
              <dt className="text-fg-muted">On since</dt>
              <dd className="text-fg">{data.enabledAt ? formatDateTime(data.enabledAt) : "—"}</dd>
              <dt className="text-fg-muted">Recovery codes left</dt>
              <dd className={data.recoveryCodesLeft <= 2 ? "text-warning-text" : "text-fg"}>
                {data.recoveryCodesLeft} of 10
                {data.recoveryCodesLeft <= 2 ? " (make new ones)" : ""}
              </dd>
            </dl>
            {data.required ? (
              <p className="text-fg-muted">
                Your organisation requires two-factor sign-in, so it cannot be turned off.
              </p>
            ) : null}
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" size="sm" onClick={() => setDialog("regenerate")}>
                Regenerate recovery codes
              </Button>
              {data.required ? null : (
                <Button variant="secondary" size="sm" onClick={() => setDialog("disable")}>
                  Turn off
                </Button>
              )}
            </div>
          </>
        ) : (
          <>
            <p className="text-fg-muted">
              {data.required
                ? "Your organisation requires two-factor sign-in: set it up to keep using the console."
                : "Off: your password alone signs you in."}
            </p>
            <div>
              <Link href="/account/two-factor" className={buttonVariants({ size: "sm" })}>
                Set up
              </Link>
            </div>
          </>
        )}
      </CardContent>
      <RegenerateDialog
        open={dialog === "regenerate"}
        email={email}
        onOpenChange={(open) => setDialog(open ? "regenerate" : null)}
      />
      <DisableDialog
        open={dialog === "disable"}
        onOpenChange={(open) => setDialog(open ? "disable" : null)}
      />
    </Card>
  );
}

type PasswordResult =
  | { ok: true }
  | { ok: false; fieldErrors: { password?: string } }
  | { ok: false; formError: string };

/** A dialog that asks for the current password, then runs `submit` with it. */
function usePasswordForm(submit: (password: string) => Promise<PasswordResult>) {
  const [passwordError, setPasswordError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { password: String(new FormData(event.currentTarget).get("password") ?? "") };
    const parsed = currentPasswordSchema.safeParse(input);
    if (!parsed.success) {
      setPasswordError(fieldErrorsOf<"password">(parsed.error).password);
      return;
    }
    setPending(true);
    try {
      const result = await submit(input.password);
      if (result.ok) return;
      setPasswordError("fieldErrors" in result ? result.fieldErrors.password : undefined);
      setFormError("formError" in result ? result.formError : undefined);
    } finally {
      setPending(false);
    }
  }

  function reset() {
    setPasswordError(undefined);
    setFormError(undefined);
  }

  return { onSubmit, reset, passwordError, formError, pending };
}

function PasswordFields({
  passwordError,
  formError,
}: {
  passwordError?: string;
  formError?: string;
}) {
  return (
    <>
      {formError ? <FormError>{formError}</FormError> : null}
      <Field label="Current password" error={passwordError}>
        <Input name="password" type="password" autoComplete="current-password" autoFocus />
      </Field>
    </>
  );
}

function RegenerateDialog({
  open,
  email,
  onOpenChange,
}: {
  open: boolean;
  email: string;
  onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[] | null>(null);
  const form = usePasswordForm(async (password) => {
    const result = await regenerateRecoveryCodesAction({ password });
    if (result.ok) {
      setCodes(result.recoveryCodes);
      await queryClient.invalidateQueries({ queryKey: twoFactorKey });
      return { ok: true };
    }
    return result;
  });

  function close(next: boolean) {
    if (!next && codes && !window.confirm("Close without saving the new recovery codes?")) return;
    if (!next) {
      setCodes(null);
      form.reset();
    }
    onOpenChange(next);
  }

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>
            {codes ? "Your new recovery codes" : "Regenerate recovery codes"}
          </DialogTitle>
          <DialogDescription>
            {codes
              ? "Your old recovery codes no longer work."
              : "Makes 10 new codes; the old ones stop working at once. Enter your password to continue."}
          </DialogDescription>
        </DialogHeader>
        {codes ? (
          <>
            <RecoveryCodes codes={codes} email={email} />
            <DialogFooter>
              <Button
                onClick={() => {
                  setCodes(null);
                  form.reset();
                  onOpenChange(false);
                }}
              >
                I have saved these
              </Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={form.onSubmit} noValidate className="grid gap-4">
            <PasswordFields passwordError={form.passwordError} formError={form.formError} />
            <DialogFooter>
              <Button type="button" variant="secondary" onClick={() => close(false)}>
                Cancel
              </Button>
              <Button type="submit" pending={form.pending}>
                Make new codes
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function DisableDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const form = usePasswordForm(async (password) => {
    const result = await disableTwoFactorAction({ password });
    if (result.ok) {
      await queryClient.invalidateQueries({ queryKey: twoFactorKey });
      toast.success("Two-factor sign-in is off");
      onOpenChange(false);
    }
    return result;
  });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) form.reset();
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-w-md">
        <DialogHeader>
          <DialogTitle>Turn off two-factor sign-in?</DialogTitle>
          <DialogDescription>
            Your password alone will sign you in again, and your recovery codes stop working. Remove
            Authdesk from your authenticator app afterwards.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={form.onSubmit} noValidate className="grid gap-4">
          <PasswordFields passwordError={form.passwordError} formError={form.formError} />
          <DialogFooter>
            <Button type="button" variant="secondary" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" pending={form.pending}>
              Turn off
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
