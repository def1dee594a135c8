"use client";

import { Plus } from "lucide-react";
import { useCan } from "@/components/auth/role-context";
import { ActionsCell, CardTable } from "@/components/shared/card-table";
import { cappedNumber, cappedPlural } from "@/components/shared/format";
import { ScopeChips } from "@/components/shared/scope-chips";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { TableCell, TableHead, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import type { ApiGroup } from "@/lib/api-groups/contract";
import { scopesOfGroup } from "@/lib/oauth/scopes";
import { AddApiGroupDialog } from "./add-api-group-dialog";
import { DeleteApiGroupDialog } from "./delete-api-group-dialog";
import { useApiGroups } from "./queries";

/** The permission groups of the public API: the seeded ones and the organisation's own. */
export function ApiGroupsCard({ initial }: { initial: ApiGroup[] }) {
  const groups = useApiGroups(initial);
  const dialog = useFormDialog();
  const canChange = useCan("admin");

  return (
    <Card aria-labelledby="api-groups-heading">
      <CardHeader
        actions={
          canChange ? (
            <Button variant="secondary" size="sm" onClick={() => dialog.show()}>
              <Plus aria-hidden="true" />
              Add group
            </Button>
          ) : null
        }
      >
        <CardTitle id="api-groups-heading">API groups</CardTitle>
        <CardDescription>
          Each API client gets None, View only or Modify per group. View only grants{" "}
          <code className="font-mono text-fg text-xs">&lt;slug&gt;:read</code>; Modify adds{" "}
          <code className="font-mono text-fg text-xs">&lt;slug&gt;:write</code>.
        </CardDescription>
      </CardHeader>
      <CardTable
        label="API groups"
        className="sm:min-w-[40rem]"
        head={
          <>
            <TableHead className="pl-5">Name</TableHead>
            <TableHead className="hidden sm:table-cell">Slug</TableHead>
            <TableHead>Scopes</TableHead>
            <TableHead className="hidden text-right sm:table-cell">API clients</TableHead>
          </>
        }
      >
        {(groups.data ?? []).map((group) => (
          <TableRow key={group.id}>
            <TableCell className="pl-5">
              <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                <span className="font-medium">{group.name}</span>
                {group.builtIn ? <Badge>Built-in</Badge> : null}
              </div>
              {/* Narrow screens drop the slug and count columns; they go under the name. */}
              <p className="mt-0.5 grid text-fg-muted text-xs sm:hidden">
                <span className="whitespace-nowrap font-mono">{group.slug}</span>
                <span>{cappedPlural(group.clientCount, "client", "clients")}</span>
              </p>
            </TableCell>
            <TableCell className="hidden whitespace-nowrap font-mono text-fg-muted sm:table-cell">
              {group.slug}
            </TableCell>
            <TableCell>
              {/* Whole scopes only: a scope broken across lines reads as two. */}
              <ScopeChips
                scope={scopesOfGroup(group.slug).join(" ")}
                className="[&>li]:whitespace-nowrap [&>li]:break-normal"
              />
            </TableCell>
            <TableCell className="hidden w-px whitespace-nowrap text-right tabular-nums sm:table-cell">
              {cappedNumber(group.clientCount)}
            </TableCell>
            <ActionsCell>
              {group.builtIn || !canChange ? null : <DeleteApiGroupDialog group={group} />}
            </ActionsCell>
          </TableRow>
        ))}
      </CardTable>
      <AddApiGroupDialog
        open={dialog.open}
        formKey={dialog.key}
        onOpenChange={dialog.setOpen}
        onCreated={(group) => {
          dialog.setOpen(false);
          toast.success("API group added", { description: `${group.name} (${group.slug})` });
        }}
      />
    </Card>
  );
}
