"use client";

import { KeyRound } from "lucide-react";
import type { FormEvent } from "react";
import { useFormErrors } from "@/components/shared/use-form-errors";
import { Button } from "@/components/ui/button";
import {
  Card,
  CardContent,
  CardDescription,
  CardFooter,
  CardHeader,
  CardTitle,
} from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import {
  type ChangePasswordFields,
  type ChangePasswordInput,
  changePasswordSchema,
} from "@/lib/auth/account-schema";
import { useChangePassword } from "./queries";

const FIELD_ORDER: readonly ChangePasswordFields[] = [
  "currentPassword",
  "newPassword",
  "confirmPassword",
];

/**
 * Change password: the current one first (a session left open on someone else's screen must not
 * be enough), then the new one twice. The server ends every other session of this admin.
 */
export function PasswordCard({ email }: { email: string }) {
  const change = useChangePassword();
  const { errors, checkAndSend, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const values: ChangePasswordInput = {
      currentPassword: String(data.get("currentPassword") ?? ""),
      newPassword: String(data.get("newPassword") ?? ""),
      confirmPassword: String(data.get("confirmPassword") ?? ""),
    };
    const changed = await checkAndSend(changePasswordSchema, values, change.mutateAsync);
    if (!changed) return;
    form.reset();
    toast.success("Password changed", { description: signedOutNote(changed.otherSessionsEnded) });
  }

  return (
    <Card aria-labelledby="password-heading">
      <CardHeader>
        <CardTitle id="password-heading" className="flex items-center gap-2">
          <KeyRound className="size-4 text-fg-subtle" aria-hidden="true" />
          Password
        </CardTitle>
        <CardDescription>
          Changing it signs you out of every other browser and device at once; this one stays signed
          in.
        </CardDescription>
      </CardHeader>
      <form ref={formRef} onSubmit={submit} onChange={clearOnChange} noValidate>
        <CardContent className="grid max-w-md gap-5">
          {/* For password managers: the account this new password belongs to. */}
          <input
            type="email"
            name="username"
            autoComplete="username"
            value={email}
            readOnly
            hidden
          />
          <Field label="Current password" error={errors.currentPassword}>
            <Input
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              spellCheck={false}
              required
            />
          </Field>
          {/* No maxLength: a browser that silently cut a pasted password would store another. */}
          <Field
            label="New password"
            error={errors.newPassword}
            hint="At least 12 characters. A passphrase of a few words is easy to type and hard to guess."
          >
            <Input
              name="newPassword"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              required
            />
          </Field>
          <Field label="Confirm new password" error={errors.confirmPassword}>
            <Input
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              required
            />
          </Field>
        </CardContent>
        {/* Under the fields rather than across the card from them. */}
        <CardFooter className="sm:justify-start">
          <Button type="submit" pending={change.isPending}>
            Change password
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}

function signedOutNote(otherSessionsEnded: number): string {
  if (otherSessionsEnded === 0) return "You were not signed in anywhere else.";
  if (otherSessionsEnded === 1) return "Your other session was signed out.";
  return `Your other sessions were signed out (${otherSessionsEnded}).`;
}
