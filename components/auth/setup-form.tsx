"use client";

import { setupAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { setupSchema } from "@/lib/auth/schema";
import { FormError } from "./form-error";
import { useAuthForm } from "./use-auth-form";

export function SetupForm() {
  const { state, formAction, pending, validate, errors } = useAuthForm(setupAction, setupSchema);

  return (
    <form action={formAction} onSubmit={validate} noValidate className="space-y-5">
      {state.formError ? <FormError>{state.formError}</FormError> : null}
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
      <Field
        label="Password"
        hint="12 characters or more. A passphrase of a few words is easy to type and hard to guess."
        error={errors.password}
      >
        <Input name="password" type="password" autoComplete="new-password" required />
      </Field>
      <Field label="Confirm password" error={errors.confirmPassword}>
        <Input name="confirmPassword" type="password" autoComplete="new-password" required />
      </Field>
      <Button type="submit" pending={pending} className="w-full">
        Create admin account
      </Button>
    </form>
  );
}
