"use client";

import type { FormEvent } from "react";
import { useFormErrors } from "@/components/shared/use-form-errors";
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
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import {
  type CreateTillFields,
  createTillSchema,
  TILL_CODE_MAX,
  TILL_PASSWORD_MIN,
} from "@/lib/tills/schema";
import type { CreateTillFormInput, Till } from "./contract";
import { useCreateTill } from "./queries";

const FIELD_ORDER: readonly CreateTillFields[] = ["code", "name", "password"];

export function AddTillDialog({
  open,
  formKey,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  /** A new key per opening, so every opening starts from a blank form. */
  formKey: number;
  onOpenChange: (open: boolean) => void;
  onCreated: (till: Omit<Till, "apiClientCount">) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <DialogHeader>
          <DialogTitle>Add till</DialogTitle>
          <DialogDescription>
            Programs can authenticate as this till with its code and password while Basic
            authentication is enabled.
          </DialogDescription>
        </DialogHeader>
        <AddTillForm key={formKey} onCreated={onCreated} onCancel={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function AddTillForm({
  onCreated,
  onCancel,
}: {
  onCreated: (till: Omit<Till, "apiClientCount">) => void;
  onCancel: () => void;
}) {
  const create = useCreateTill();
  const { errors, setErrors, reject, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: CreateTillFormInput = {
      code: String(data.get("code") ?? ""),
      name: String(data.get("name") ?? ""),
      password: String(data.get("password") ?? ""),
    };
    // The server parses with the same schema; this only spares a round trip for plain mistakes.
    const parsed = createTillSchema.safeParse(values);
    if (!parsed.success) return reject(fieldErrorsOf<CreateTillFields>(parsed.error));
    setErrors({});
    let result: Awaited<ReturnType<typeof create.mutateAsync>>;
    try {
      result = await create.mutateAsync(values);
    } catch {
      return; // the hook has shown a toast; the form keeps what was typed
    }
    if (!result.ok) return reject(result.fieldErrors);
    onCreated(result.till);
  }

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      noValidate
      className="grid gap-5"
    >
      <Field
        label="Code"
        error={errors.code}
        hint="The user name in Basic authentication: letters, digits, dots, underscores or hyphens. Unique, ignoring case."
      >
        <Input
          name="code"
          required
          maxLength={TILL_CODE_MAX}
          autoComplete="off"
          spellCheck={false}
          placeholder="store-042"
          className="font-mono"
        />
      </Field>
      <Field label="Name" error={errors.name}>
        <Input
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          placeholder="Downtown store"
        />
      </Field>
      {/* No maxLength: a browser that silently cut a pasted password would store another one. */}
      <Field
        label="Password"
        error={errors.password}
        hint={`At least ${TILL_PASSWORD_MIN} characters. Stored as a hash: it cannot be shown again.`}
      >
        <Input
          name="password"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
        />
      </Field>
      <DialogFooter>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={create.isPending}>
          Add till
        </Button>
      </DialogFooter>
    </form>
  );
}
