"use client";

import Link from "next/link";
import { type FormEvent, useActionState, useState } from "react";
import {
  type SecondFactorFormState,
  secondFactorAction,
} from "@/app/(auth)/login/two-factor/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { secondFactorSchema } from "@/lib/auth/two-factor-schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { FormError } from "./form-error";

type Method = "totp" | "recovery_code";

/**
 * The second sign-in step: the 6-digit code from the authenticator app, or (after "Use a
 * recovery code") one of the recovery codes saved at set-up.
 */
export function TwoFactorSignInForm({ next }: { next?: string }) {
  const [state, formAction, pending] = useActionState(
    secondFactorAction,
    {} as SecondFactorFormState,
  );
  const [method, setMethod] = useState<Method>("totp");
  const [clientError, setClientError] = useState<string>();
  const error = clientError ?? state.fieldErrors?.code;

  function validate(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const parsed = secondFactorSchema.safeParse({ method, code: data.get("code") });
    setClientError(parsed.success ? undefined : fieldErrorsOf<"code">(parsed.error).code);
    if (!parsed.success) event.preventDefault();
  }

  function switchTo(other: Method) {
    setMethod(other);
    setClientError(undefined);
  }

  if (state.restart) {
    return (
      <div className="space-y-5">
        <FormError>{state.formError}</FormError>
        <Button asChild className="w-full">
          <Link href="/login">Sign in again</Link>
        </Button>
      </div>
    );
  }

  return (
    <form action={formAction} onSubmit={validate} noValidate className="space-y-5">
      {state.formError ? <FormError>{state.formError}</FormError> : null}
      <input type="hidden" name="next" value={next ?? ""} />
      <input type="hidden" name="method" value={method} />
      {method === "totp" ? (
        <Field
          key="totp"
          label="Authentication code"
          hint="The 6-digit code your authenticator app shows for Authdesk."
          error={error}
        >
          <Input
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            placeholder="123456"
            className="font-mono tracking-widest"
            required
            autoFocus
          />
        </Field>
      ) : (
        <Field
          key="recovery"
          label="Recovery code"
          hint="One of the codes you saved when you set up two-factor. Each works once."
          error={error}
        >
          <Input
            name="code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="xxxx-xxxx-xxxx-xxxx"
            className="font-mono"
            required
            autoFocus
          />
        </Field>
      )}
      <Button type="submit" pending={pending} className="w-full">
        Verify and sign in
      </Button>
      <p className="text-center text-sm">
        <button
          type="button"
          onClick={() => switchTo(method === "totp" ? "recovery_code" : "totp")}
          className="font-medium text-accent-text underline-offset-2 hover:underline"
        >
          {method === "totp" ? "Use a recovery code" : "Use your authenticator app"}
        </button>
      </p>
    </form>
  );
}
