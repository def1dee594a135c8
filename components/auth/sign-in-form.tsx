"use client";

import { type FormEvent, useActionState, useState } from "react";
import { type AuthField, type AuthFormState, signInAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { signInSchema } from "@/lib/auth/schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { FormError } from "./form-error";

export function SignInForm({ next }: { next?: string }) {
  const [state, formAction, pending] = useActionState(signInAction, {} as AuthFormState);
  const [clientErrors, setClientErrors] = useState<AuthFormState["fieldErrors"]>();
  const errors = clientErrors ?? state.fieldErrors ?? {};

  // The server checks the same schema again; this only saves a round trip for obvious mistakes.
  function validate(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const parsed = signInSchema.safeParse({
      email: data.get("email"),
      password: data.get("password"),
    });
    setClientErrors(parsed.success ? undefined : fieldErrorsOf<AuthField>(parsed.error));
    if (!parsed.success) event.preventDefault();
  }

  return (
    <form action={formAction} onSubmit={validate} noValidate className="space-y-5">
      {state.formError ? <FormError>{state.formError}</FormError> : null}
      <input type="hidden" name="next" value={next ?? ""} />
      <Field label="Email" error={errors.email}>
        <Input
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={state.email}
          required
          autoFocus
        />
      </Field>
      <Field label="Password" error={errors.password}>
        <Input name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" pending={pending} className="w-full">
        Sign in
      </Button>
    </form>
  );
}
