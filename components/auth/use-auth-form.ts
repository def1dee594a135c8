"use client";

import { type FormEvent, useActionState, useState } from "react";
import type { z } from "zod";
import type { AuthField, AuthFormState } from "@/app/(auth)/actions";
import { fieldErrorsOf } from "@/lib/forms/field-errors";

type AuthAction = (previous: AuthFormState, formData: FormData) => Promise<AuthFormState>;

/**
 * A sign-in or setup form: the server action's state, plus the same zod schema checked in the
 * browser first. The server checks it again; this only saves a round trip for obvious mistakes.
 */
export function useAuthForm(action: AuthAction, schema: z.ZodObject) {
  const [state, formAction, pending] = useActionState(action, {} as AuthFormState);
  const [clientErrors, setClientErrors] = useState<AuthFormState["fieldErrors"]>();

  function validate(event: FormEvent<HTMLFormElement>) {
    const data = new FormData(event.currentTarget);
    const input = Object.fromEntries(
      Object.keys(schema.shape).map((field) => [field, data.get(field)]),
    );
    const parsed = schema.safeParse(input);
    setClientErrors(parsed.success ? undefined : fieldErrorsOf<AuthField>(parsed.error));
    if (!parsed.success) event.preventDefault();
  }

  return { state, formAction, pending, validate, errors: clientErrors ?? state.fieldErrors ?? {} };
}
