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
import { Textarea } from "@/components/ui/textarea";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { type CreateIntegrationFields, createIntegrationSchema } from "@/lib/integrations/schema";
import { useCreateIntegration } from "./queries";

const FIELD_ORDER: readonly CreateIntegrationFields[] = ["name", "description"];

export function CreateIntegrationDialog(props: CreateDialogProps<IntegrationDetail>) {
  return (
    <FormDialog
      {...props}
      title="Create integration"
      description="Name the service end users will connect to. You choose how they authenticate next, in the integration's Auth tab."
      form={CreateIntegrationForm}
    />
  );
}

function CreateIntegrationForm({ onCreated, onCancel }: CreateFormProps<IntegrationDetail>) {
  const create = useCreateIntegration();
  const { errors, checkAndSend, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values = {
      name: String(data.get("name") ?? ""),
      description: String(data.get("description") ?? ""),
    };
    const created = await checkAndSend(createIntegrationSchema, values, create.mutateAsync);
    if (created) onCreated(created.integration);
  }

  return (
    <DialogForm
      formRef={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      onCancel={onCancel}
      submitLabel="Create"
      pending={create.isPending}
    >
      <Field label="Name" error={errors.name}>
        <Input name="name" required autoComplete="off" placeholder="Weather service" />
      </Field>
      <Field label="Description" optional error={errors.description}>
        <Textarea
          name="description"
          rows={3}
          placeholder="What the service is, and who on your side owns the integration"
        />
      </Field>
    </DialogForm>
  );
}
