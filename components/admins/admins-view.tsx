"use client";

import { MailPlus, UserPlus, X } from "lucide-react";
import { IfRole, useCan } from "@/components/auth/role-context";
import { ActionsCell, CardTable } from "@/components/shared/card-table";
import { formatDate, formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { Badge, type BadgeVariant } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TableCell, TableHead, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import type { AdminSummary, AdminsOverview, PendingInvitation } from "@/lib/admins/contract";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { AdminActionsMenu } from "./admin-dialogs";
import { InviteAdminDialog } from "./invite-admin-dialog";
import { useAdminsOverview, useRevokeInvitation } from "./queries";

const ROLE_BADGES: Record<Role, BadgeVariant> = {
  owner: "info",
  admin: "neutral",
  viewer: "neutral",
};

/** The Admins page: who has access, and the invitations nobody has answered yet. */
export function AdminsView({ initial, youId }: { initial: AdminsOverview; youId: string }) {
  const overview = useAdminsOverview(initial);
  const dialog = useFormDialog();
  const { admins, invitations } = overview.data;

  return (
    <>
      <PageHeader
        title="Admins"
        description="Who has access to this console, with which role. Owners invite admins, change roles and remove access."
        actions={
          <IfRole needed="owner">
            <Button onClick={() => dialog.show()}>
              <UserPlus aria-hidden="true" />
              Invite admin
            </Button>
          </IfRole>
        }
      />
      <div className="grid gap-6">
        <AdminsCard admins={admins} youId={youId} />
        <InvitationsCard invitations={invitations} />
      </div>
      <InviteAdminDialog open={dialog.open} formKey={dialog.key} onOpenChange={dialog.setOpen} />
    </>
  );
}

function AdminsCard({ admins, youId }: { admins: AdminSummary[]; youId: string }) {
  const canManage = useCan("owner");
  return (
    <Card aria-labelledby="admins-heading">
      <CardHeader>
        <CardTitle id="admins-heading">Team</CardTitle>
        <CardDescription>
          {admins.length === 1 ? "1 admin" : `${admins.length} admins`}. The organisation always
          keeps at least one owner.
        </CardDescription>
      </CardHeader>
      <CardTable
        label="Admins"
        className="sm:min-w-[36rem]"
        head={
          <>
            <TableHead className="pl-5">Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead className="hidden sm:table-cell">Two-factor</TableHead>
            <TableHead className="hidden md:table-cell">Last signed in</TableHead>
          </>
        }
      >
        {admins.map((admin) => {
          const isYou = admin.id === youId;
          return (
            <TableRow key={admin.id}>
              <TableCell className="max-w-0 pl-5 sm:max-w-72">
                <div className="flex min-w-0 items-center gap-2">
                  <span className="truncate font-medium" title={admin.email}>
                    {admin.email}
                  </span>
                  {isYou ? <Badge variant="success">You</Badge> : null}
                </div>
                {/* On a phone the hidden columns' facts follow the email. */}
                <div className="mt-0.5 text-fg-muted text-xs sm:hidden">
                  Two-factor {admin.twoFactorEnabled ? "on" : "off"} ·{" "}
                  <LastSignedIn admin={admin} />
                </div>
              </TableCell>
              <TableCell>
                <Badge variant={ROLE_BADGES[admin.role]}>{ROLE_LABELS[admin.role]}</Badge>
              </TableCell>
              <TableCell className="hidden sm:table-cell">
                {admin.twoFactorEnabled ? (
                  <Badge variant="success">On</Badge>
                ) : (
                  <span className="text-fg-subtle">Off</span>
                )}
              </TableCell>
              <TableCell className="hidden whitespace-nowrap text-fg-muted md:table-cell">
                <LastSignedIn admin={admin} />
              </TableCell>
              <ActionsCell>
                {canManage ? <AdminActionsMenu admin={admin} isYou={isYou} /> : null}
              </ActionsCell>
            </TableRow>
          );
        })}
      </CardTable>
    </Card>
  );
}

function LastSignedIn({ admin }: { admin: AdminSummary }) {
  return admin.lastSignedInAt ? (
    <RelativeTime date={admin.lastSignedInAt} />
  ) : (
    <span title={`Added ${formatDateTime(admin.createdAt)}`}>Never signed in</span>
  );
}

function InvitationsCard({ invitations }: { invitations: PendingInvitation[] }) {
  const canManage = useCan("owner");
  const revoke = useRevokeInvitation();
  return (
    <Card aria-labelledby="invitations-heading">
      <CardHeader>
        <CardTitle id="invitations-heading">Pending invitations</CardTitle>
        <CardDescription>
          Links sent and not yet used. Each works once, for 7 days; revoking one makes it useless.
        </CardDescription>
      </CardHeader>
      {invitations.length === 0 ? (
        <p className="flex items-center gap-2 border-line border-t px-5 py-4 text-fg-muted text-sm">
          <MailPlus className="size-4 shrink-0" aria-hidden="true" />
          No pending invitations.
        </p>
      ) : (
        <CardTable
          label="Pending invitations"
          className="sm:min-w-[36rem]"
          head={
            <>
              <TableHead className="pl-5">Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead className="hidden md:table-cell">Invited by</TableHead>
              <TableHead className="hidden sm:table-cell">Expires</TableHead>
            </>
          }
        >
          {invitations.map((invitation) => (
            <TableRow key={invitation.id}>
              <TableCell className="max-w-0 pl-5 sm:max-w-72">
                <span className="block truncate font-medium" title={invitation.email}>
                  {invitation.email}
                </span>
                <span className="mt-0.5 block text-fg-muted text-xs sm:hidden">
                  Expires {formatDate(invitation.expiresAt)}
                </span>
              </TableCell>
              <TableCell>
                <Badge variant={ROLE_BADGES[invitation.role]}>{ROLE_LABELS[invitation.role]}</Badge>
              </TableCell>
              <TableCell className="hidden max-w-56 truncate text-fg-muted md:table-cell">
                {invitation.invitedBy ?? "A removed admin"}
              </TableCell>
              <TableCell className="hidden whitespace-nowrap text-fg-muted sm:table-cell">
                <RelativeTime date={invitation.expiresAt} />
              </TableCell>
              <ActionsCell>
                {canManage ? (
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    aria-label={`Revoke the invitation of ${invitation.email}`}
                    title="Revoke"
                    pending={revoke.isPending && revoke.variables === invitation.id}
                    onClick={() =>
                      revoke.mutate(invitation.id, {
                        onSuccess: () =>
                          toast.success("Invitation revoked", { description: invitation.email }),
                      })
                    }
                  >
                    <X aria-hidden="true" />
                  </Button>
                ) : null}
              </ActionsCell>
            </TableRow>
          ))}
        </CardTable>
      )}
    </Card>
  );
}
