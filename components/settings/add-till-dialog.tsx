"use client";

import type { FormEvent } from "react";
import {
  type CreateDialogProps,
  type CreateFormProps,
  DialogForm,
  FormDialog,
} from "@/components/shared/form-dialog";
import { useFormErrors } from "@/components/shared/use-form-errors";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { CreateTillFormInput, Till } from "@/lib/tills/contract";
import {
  type CreateTillFields,
  createTillSchema,
  TILL_CODE_MAX,
  TILL_PASSWORD_MIN,
} from "@/lib/tills/schema";
import { useCreateTill } from "./queries";

const FIELD_ORDER: readonly CreateTillFields[] = ["code", "name", "password"];

export function AddTillDialog(props: CreateDialogProps<Omit<Till, "apiClientCount">>) {
  return (
    <FormDialog
      {...props}
      title="Add till"
      description="Programs can authenticate as this till with its code and password while Basic authentication is enabled."
      form={AddTillForm}
    />
  );
}

function AddTillForm({ onCreated, onCancel }: CreateFormProps<Omit<Till, "apiClientCount">>) {
  const create = useCreateTill();
  const { errors, checkAndSend, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: CreateTillFormInput = {
      code: String(data.get("code") ?? ""),
      name: String(data.get("name") ?? ""),
      password: String(data.get("password") ?? ""),
    };
    const created = await checkAndSend(createTillSchema, values, create.mutateAsync);
    if (created) onCreated(created.till);
  }

  return (
    <DialogForm
      formRef={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      onCancel={onCancel}
      submitLabel="Add till"
      pending={create.isPending}
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
    </DialogForm>
  );
}
