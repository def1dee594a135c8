"use client";

import { type FormEvent, useActionState, useState } from "react";
import {
  type AcceptField,
  type AcceptFormState,
  acceptInvitationAction,
} from "@/app/(auth)/invite/[token]/actions";
import { FormError } from "@/components/auth/form-error";
import { formatDateTime } from "@/components/shared/format";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { acceptInvitationFormSchema } from "@/lib/admins/schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { InvitationProblemNotice } from "./invitation-problem";

/**
 * The invitee's form: a new password, twice. The token goes back in a hidden field; the email is
 * shown and sent as the username so password managers save the right pair.
 */
export function AcceptInvitationForm({
  token,
  email,
  expiresAt,
}: {
  token: string;
  email: string;
  expiresAt: Date;
}) {
  const [state, formAction, pending] = useActionState(
    acceptInvitationAction,
    {} as AcceptFormState,
  );
  const [clientErrors, setClientErrors] = useState<AcceptFormState["fieldErrors"]>();
  const errors = clientErrors ?? state.fieldErrors ?? {};

  // The link stopped working while the page was open (used, revoked, expired).
  if (state.problem) return <InvitationProblemNotice problem={state.problem} inline />;

  function validate(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const parsed = acceptInvitationFormSchema.safeParse({
      password: data.get("password"),
      confirmPassword: data.get("confirmPassword"),
    });
    setClientErrors(parsed.success ? undefined : fieldErrorsOf<AcceptField>(parsed.error));
    if (!parsed.success) event.preventDefault();
  }

  return (
    <form action={formAction} onSubmit={validate} noValidate className="space-y-5">
      {state.formError ? <FormError>{state.formError}</FormError> : null}
      <input type="hidden" name="token" value={token} />
      <Field label="Email">
        <Input name="email" type="email" autoComplete="username" value={email} readOnly />
      </Field>
      <Field
        label="Password"
        hint="12 characters or more. A passphrase of a few words is easy to type and hard to guess."
        error={errors.password}
      >
        <Input name="password" type="password" autoComplete="new-password" required autoFocus />
      </Field>
      <Field label="Confirm password" error={errors.confirmPassword}>
        <Input name="confirmPassword" type="password" autoComplete="new-password" required />
      </Field>
      <Button type="submit" pending={pending} className="w-full">
        Create account and sign in
      </Button>
      <p className="text-center text-fg-subtle text-xs">
        This link works once, until {formatDateTime(expiresAt)}.
      </p>
    </form>
  );
}
