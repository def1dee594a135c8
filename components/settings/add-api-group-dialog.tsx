"use client";

import { type FormEvent, useState } from "react";
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
import { type CreateApiGroupFields, createApiGroupSchema } from "@/lib/api-groups/schema";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { scopesOfGroup } from "./api-groups-card";
import type { ApiGroup } from "./contract";
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

export function AddApiGroupDialog({
  open,
  formKey,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  formKey: number;
  onOpenChange: (open: boolean) => void;
  onCreated: (group: Omit<ApiGroup, "clientCount">) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <DialogHeader>
          <DialogTitle>Add API group</DialogTitle>
          <DialogDescription>
            A group of public API endpoints that API clients can be given access to. Its slug names
            its scopes and cannot be changed later.
          </DialogDescription>
        </DialogHeader>
        <AddApiGroupForm key={formKey} onCreated={onCreated} onCancel={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function AddApiGroupForm({
  onCreated,
  onCancel,
}: {
  onCreated: (group: Omit<ApiGroup, "clientCount">) => void;
  onCancel: () => void;
}) {
  const create = useCreateApiGroup();
  const { errors, setErrors, reject, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  // The slug follows the name until someone edits it by hand.
  const [slugEdited, setSlugEdited] = useState(false);
  const shownSlug = slugEdited ? slug : suggestSlug(name);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = { name, slug: shownSlug };
    const parsed = createApiGroupSchema.safeParse(values);
    if (!parsed.success) return reject(fieldErrorsOf<CreateApiGroupFields>(parsed.error));
    setErrors({});
    let result: Awaited<ReturnType<typeof create.mutateAsync>>;
    try {
      result = await create.mutateAsync(values);
    } catch {
      return;
    }
    if (!result.ok) return reject(result.fieldErrors);
    onCreated(result.group);
  }

  const previewSlug = shownSlug.trim();
  return (
    <form
      ref={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      noValidate
      className="grid gap-5"
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
      <DialogFooter>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={create.isPending}>
          Add group
        </Button>
      </DialogFooter>
    </form>
  );
}
