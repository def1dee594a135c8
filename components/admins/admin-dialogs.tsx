"use client";

import { CircleAlert, Ellipsis, ShieldCheck, UserMinus } from "lucide-react";
import { DropdownMenu } from "radix-ui";
import { type FormEvent, useState } from "react";
import { ChoiceCards } from "@/components/shared/choice-cards";
import { ConfirmDelete, DeleteFacts, DeleteWarning } from "@/components/shared/delete-dialog";
import { AlertDialog, AlertDialogContent } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { toast } from "@/components/ui/toast";
import type { AdminSummary } from "@/lib/admins/contract";
import { ADMIN_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { adminsErrorMessage, useChangeRole, useRemoveAdmin } from "./queries";

const ROLE_OPTIONS = ADMIN_ROLES.map((role) => ({
  value: role,
  label: ROLE_LABELS[role],
  description: ROLE_DESCRIPTIONS[role],
}));

const itemClasses =
  "flex cursor-default select-none items-center gap-2 rounded-md px-2.5 py-2 text-fg text-sm outline-hidden data-[highlighted]:bg-surface-subtle [&_svg]:size-4 [&_svg]:text-fg-muted";

/**
 * A row's "…" menu for owners: change the role, or remove. The dialogs sit beside the menu, not
 * in it, so they stay open once the menu closes.
 */
export function AdminActionsMenu({ admin, isYou }: { admin: AdminSummary; isYou: boolean }) {
  const [open, setOpen] = useState<"role" | "remove" | null>(null);
  return (
    <>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${admin.email}`}>
            <Ellipsis aria-hidden="true" />
          </Button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={4}
            className="z-50 min-w-44 rounded-lg border border-line bg-surface p-1 shadow-lg"
          >
            <DropdownMenu.Item className={itemClasses} onSelect={() => setOpen("role")}>
              <ShieldCheck aria-hidden="true" />
              Change role
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={`${itemClasses} text-danger-text data-[highlighted]:bg-danger-subtle [&_svg]:text-danger-text`}
              onSelect={() => setOpen("remove")}
            >
              <UserMinus aria-hidden="true" />
              Remove
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <ChangeRoleDialog
        admin={admin}
        isYou={isYou}
        open={open === "role"}
        onOpenChange={(next) => setOpen(next ? "role" : null)}
      />
      <RemoveAdminDialog
        admin={admin}
        isYou={isYou}
        open={open === "remove"}
        onOpenChange={(next) => setOpen(next ? "remove" : null)}
      />
    </>
  );
}

function Refusal({ children }: { children: string }) {
  return (
    <p
      role="alert"
      className="flex gap-2 rounded-lg border border-danger-text/20 bg-danger-subtle px-3 py-2.5 text-danger-text text-sm"
    >
      <CircleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      {children}
    </p>
  );
}

function ChangeRoleDialog({
  admin,
  isYou,
  open,
  onOpenChange,
}: {
  admin: AdminSummary;
  isYou: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const change = useChangeRole();
  const [role, setRole] = useState<Role>(admin.role);
  const [refusal, setRefusal] = useState<string | null>(null);

  const changeOpen = (next: boolean) => {
    if (next) setRole(admin.role);
    setRefusal(null);
    onOpenChange(next);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (role === admin.role) return changeOpen(false);
    try {
      await change.mutateAsync({ adminId: admin.id, role });
      changeOpen(false);
      toast.success("Role changed", { description: `${admin.email} is now ${ROLE_LABELS[role]}` });
    } catch (error) {
      // The refusal (last owner, say) stays in the dialog, beside the choice it is about.
      setRefusal(adminsErrorMessage(error));
    }
  }

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogContent className="flex max-w-md flex-col gap-0 overflow-hidden p-0">
        <DialogHeader className="border-line border-b px-6 pt-5 pr-14 pb-4">
          <DialogTitle>Change role</DialogTitle>
          <DialogDescription>
            <span className="break-all font-medium text-fg">{admin.email}</span>
            {isYou ? " (you)" : ""}: the new role applies from their next click, on every device.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex min-h-0 flex-1 flex-col">
          <div className="grid min-h-0 flex-1 gap-4 overflow-y-auto px-6 py-5">
            <fieldset>
              <legend className="mb-2 font-medium text-fg text-sm">Role</legend>
              <ChoiceCards
                name="role"
                options={ROLE_OPTIONS}
                value={role}
                onChange={(next) => {
                  setRole(next);
                  setRefusal(null);
                }}
              />
            </fieldset>
            {refusal ? <Refusal>{refusal}</Refusal> : null}
          </div>
          <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
            <Button type="button" variant="secondary" onClick={() => changeOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" pending={change.isPending} disabled={role === admin.role}>
              Change role
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function RemoveAdminDialog({
  admin,
  isYou,
  open,
  onOpenChange,
}: {
  admin: AdminSummary;
  isYou: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const remove = useRemoveAdmin();
  const [refusal, setRefusal] = useState<string | null>(null);

  const changeOpen = (next: boolean) => {
    setRefusal(null);
    onOpenChange(next);
  };

  async function confirm() {
    try {
      const removed = await remove.mutateAsync(admin.id);
      changeOpen(false);
      toast.success("Admin removed", { description: removed.email });
    } catch (error) {
      setRefusal(adminsErrorMessage(error));
    }
  }

  return (
    <AlertDialog open={open} onOpenChange={changeOpen}>
      <AlertDialogContent>
        <ConfirmDelete
          title="Remove admin?"
          description={
            isYou ? (
              "You cannot remove yourself: ask another owner to do it, so a second person confirms that access ends."
            ) : (
              <>
                <span className="break-all font-medium text-fg">{admin.email}</span> loses access at
                once: every session they have ends, on every device. To let them back, invite them
                again.
              </>
            )
          }
          confirmLabel="Remove admin"
          pending={remove.isPending}
          confirmDisabled={isYou || refusal !== null}
          onConfirm={confirm}
        >
          <DeleteFacts>
            <dt className="text-fg-muted">Role</dt>
            <dd className="text-fg">{ROLE_LABELS[admin.role]}</dd>
          </DeleteFacts>
          {admin.role === "owner" && !isYou ? (
            <DeleteWarning>
              An owner: make sure another owner remains who can manage admins and settings.
            </DeleteWarning>
          ) : null}
          {refusal ? <Refusal>{refusal}</Refusal> : null}
        </ConfirmDelete>
      </AlertDialogContent>
    </AlertDialog>
  );
}
