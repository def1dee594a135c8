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
import type { ApiGroup } from "@/lib/api-groups/contract";
import { type CreateApiGroupFields, createApiGroupSchema } from "@/lib/api-groups/schema";
import { scopesOfGroup } from "@/lib/oauth/scopes";
import { useCreateApiGroup } from "./queries";

const FIELD_ORDER: readonly CreateApiGroupFields[] = ["name", "slug"];
const SLUG_MAX = 40;

/** "Loyalty Points (v2)" → "loyalty-points-v2": the schema's alphabet, accents dropped. */
export function suggestSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/, "");
}

export function AddApiGroupDialog(props: CreateDialogProps<Omit<ApiGroup, "clientCount">>) {
  return (
    <FormDialog
      {...props}
      title="Add API group"
      description="A group of public API endpoints that API clients can be given access to. Its slug names its scopes and cannot be changed later."
      form={AddApiGroupForm}
    />
  );
}

function AddApiGroupForm({ onCreated, onCancel }: CreateFormProps<Omit<ApiGroup, "clientCount">>) {
  const create = useCreateApiGroup();
  const { errors, checkAndSend, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  // The slug follows the name until someone edits it by hand.
  const [slugEdited, setSlugEdited] = useState(false);
  const shownSlug = slugEdited ? slug : suggestSlug(name);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = { name, slug: shownSlug };
    const created = await checkAndSend(createApiGroupSchema, values, create.mutateAsync);
    if (created) onCreated(created.group);
  }

  const previewSlug = shownSlug.trim();
  return (
    <DialogForm
      formRef={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      onCancel={onCancel}
      submitLabel="Add group"
      pending={create.isPending}
    >
      <Field label="Name" error={errors.name}>
        <Input
          name="name"
          required
          maxLength={60}
          autoComplete="off"
          placeholder="Loyalty points"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </Field>
      <Field
        label="Slug"
        error={errors.slug}
        hint={
          previewSlug ? (
            <>
              Grants{" "}
              {scopesOfGroup(previewSlug).map((scope, index, all) => (
                <span key={scope}>
                  <code className="break-all font-mono text-fg text-xs">{scope}</code>
                  {index < all.length - 2 ? ", " : index === all.length - 2 ? " and " : "."}
                </span>
              ))}
            </>
          ) : (
            "Lowercase letters, digits and hyphens. Suggested from the name."
          )
        }
      >
        <Input
          name="slug"
          required
          maxLength={SLUG_MAX}
          autoComplete="off"
          spellCheck={false}
          placeholder="loyalty-points"
          className="font-mono"
          value={shownSlug}
          onChange={(event) => {
            setSlugEdited(true);
            setSlug(event.target.value);
          }}
        />
      </Field>
    </DialogForm>
  );
}
