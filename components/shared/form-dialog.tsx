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
import { cn } from "@/lib/utils/cn";

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
 *
 * The form's fields scroll between a fixed header and footer (DialogForm), as in the auth config
 * dialog: in a window shorter than the form, the title and the buttons stay in view. The dialog
 * itself keeps the modal's max-height and no longer scrolls as a whole.
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
      <DialogContent
        className={cn("flex flex-col gap-0 overflow-hidden p-0", wide ? "max-w-xl" : "max-w-md")}
      >
        {/* pr-14 keeps the text clear of the close button, which sits in this corner. */}
        <DialogHeader className="border-line border-b px-6 pt-5 pr-14 pb-4">
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <Form key={formKey} onCreated={onCreated} onCancel={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

/**
 * The form of a FormDialog: its fields, in a body that scrolls when the window is short, then
 * Cancel beside the submit button, which waits while the form is sent. The browser's own
 * validation is off: the shared schema checks the fields and says what is wrong beside each one
 * (see useFormErrors).
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
    <form
      ref={formRef}
      onSubmit={onSubmit}
      onChange={onChange}
      noValidate
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="grid min-h-0 flex-1 gap-5 overflow-y-auto px-6 py-5">{children}</div>
      <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
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
