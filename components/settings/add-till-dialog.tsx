"use client";

import { type FormEvent, useState } from "react";
import {
  type CreateDialogProps,
  type CreateFormProps,
  DialogForm,
  FormDialog,
} from "@/components/shared/form-dialog";
import { useFormErrors } from "@/components/shared/use-form-errors";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { PermissionChoice } from "@/lib/api-groups/schema";
import type { CreateTillFormInput, Till } from "@/lib/tills/contract";
import {
  type CreateTillFields,
  createTillSchemaFor,
  TILL_CODE_MAX,
  TILL_PASSWORD_MIN,
} from "@/lib/tills/schema";
import { PermissionMatrix } from "./permission-matrix";
import { useApiGroups, useCreateTill } from "./queries";

const FIELD_ORDER: readonly CreateTillFields[] = ["code", "name", "password", "permissions"];

export function AddTillDialog(props: CreateDialogProps<Omit<Till, "apiClientCount">>) {
  return (
    <FormDialog
      {...props}
      wide
      title="Add till"
      description="Programs can authenticate as this till with its code and password while Basic authentication is enabled, with the access chosen here."
      form={AddTillForm}
    />
  );
}

function AddTillForm({ onCreated, onCancel }: CreateFormProps<Omit<Till, "apiClientCount">>) {
  const create = useCreateTill();
  const groups = useApiGroups();
  const { errors, checkAndSend, clear, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);
  const [permissions, setPermissions] = useState<Record<string, PermissionChoice>>({});
  const groupList = groups.data ?? [];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: CreateTillFormInput = {
      code: String(data.get("code") ?? ""),
      name: String(data.get("name") ?? ""),
      password: String(data.get("password") ?? ""),
      // Only what was granted, as the API client form sends it: "none" is the default.
      permissions: Object.fromEntries(
        Object.entries(permissions).filter(([, level]) => level !== "none"),
      ),
    };
    const created = await checkAndSend(createTillSchemaFor(groupList), values, create.mutateAsync);
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
      <PermissionMatrix
        groups={groups}
        value={permissions}
        onChange={(groupId, level) => {
          setPermissions((current) => ({ ...current, [groupId]: level }));
          clear("permissions");
        }}
        error={errors.permissions}
        emptyNote="Nothing granted yet: Basic requests as this till would reach no API."
        scopesLead="Basic requests as this till will carry"
      />
    </DialogForm>
  );
}
