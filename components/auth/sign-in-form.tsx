"use client";

import { signInAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { signInSchema } from "@/lib/auth/schema";
import { FormError } from "./form-error";
import { useAuthForm } from "./use-auth-form";

export function SignInForm({ next }: { next?: string }) {
  const { state, formAction, pending, validate, errors } = useAuthForm(signInAction, signInSchema);

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
