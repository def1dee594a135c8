"use client";

import type * as React from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";

/** What a card or page gives a dialog that creates a record (see useFormDialog). */
export type CreateDialogProps<Created> = {
  open: boolean;
  /** A new key per opening, so every opening starts from a blank form. */
  formKey: number;
  onOpenChange: (open: boolean) => void;
  onCreated: (created: Created) => void;
};

/** What such a dialog gives its form. */
export type CreateFormProps<Created> = {
  onCreated: (created: Created) => void;
  onCancel: () => void;
};

/**
 * A small dialog around one short form that creates a record. The form is rendered afresh
 * (keyed by `formKey`) at every opening, so it starts blank; its Cancel closes the dialog.
 */
export function FormDialog<Created>({
  open,
  formKey,
  onOpenChange,
  onCreated,
  title,
  description,
  form: Form,
  wide = false,
}: CreateDialogProps<Created> & {
  title: string;
  description: React.ReactNode;
  form: React.ComponentType<CreateFormProps<Created>>;
  /** Room for a wider field, such as a permission matrix. */
  wide?: boolean;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className={wide ? "max-w-xl" : "max-w-md"}>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <Form key={formKey} onCreated={onCreated} onCancel={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

/**
 * The form of a FormDialog: its fields, then Cancel beside the submit button, which waits while
 * the form is sent. The browser's own validation is off: the shared schema checks the fields and
 * says what is wrong beside each one (see useFormErrors).
 */
export function DialogForm({
  formRef,
  onSubmit,
  onChange,
  onCancel,
  submitLabel,
  pending,
  children,
}: {
  formRef: React.Ref<HTMLFormElement>;
  onSubmit: (event: React.FormEvent<HTMLFormElement>) => void;
  onChange: (event: React.FormEvent<HTMLFormElement>) => void;
  onCancel: () => void;
  submitLabel: string;
  pending: boolean;
  children: React.ReactNode;
}) {
  return (
    <form ref={formRef} onSubmit={onSubmit} onChange={onChange} noValidate className="grid gap-5">
      {children}
      <DialogFooter>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          {submitLabel}
        </Button>
      </DialogFooter>
    </form>
  );
}
