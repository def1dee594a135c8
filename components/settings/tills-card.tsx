"use client";

import { Plus, Store } from "lucide-react";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { ActionsCell, CardTable } from "@/components/shared/card-table";
import { cappedNumber, formatDate, formatDateTime, plural } from "@/components/shared/format";
import { ListSearchBox, NoMatches } from "@/components/shared/list-search";
import { LoadMore } from "@/components/shared/load-more";
import { ScopeChips } from "@/components/shared/scope-chips";
import { useFormDialog } from "@/components/shared/use-form-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { TableCell, TableHead, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import type { Page } from "@/lib/paging/contract";
import type { Till } from "@/lib/tills/contract";
import { AddTillDialog } from "./add-till-dialog";
import { DeleteTillDialog } from "./delete-till-dialog";
import { useTillList } from "./queries";

/** The organisation's tills: the identities of Basic auth, and what API clients act as. */
export function TillsCard({ initial }: { initial: Page<Till> }) {
  const tills = useTillList(initial);
  const dialog = useFormDialog();
  const rows = tills.items ?? [];
  const canChange = useCan("admin");

  const addButton = canChange ? (
    <Button variant="secondary" size="sm" onClick={() => dialog.show()}>
      <Plus aria-hidden="true" />
      Add till
    </Button>
  ) : null;

  return (
    <Card aria-labelledby="tills-heading">
      <CardHeader actions={tills.empty ? null : addButton}>
        <CardTitle id="tills-heading">Tills</CardTitle>
        <CardDescription>
          The organisation&apos;s identities for Basic authentication (code and password). Every API
          client acts as one till, which is recorded as the actor of its write calls.
        </CardDescription>
      </CardHeader>
      {tills.empty ? (
        <EmptyState
          icon={<Store />}
          headingLevel={3}
          title="No tills yet"
          description={
            canChange
              ? "Add a till before registering API clients: each client is associated with one."
              : `They appear here once an admin adds one. ${VIEWER_CAN_ONLY_LOOK}`
          }
          action={addButton}
          className="m-5 bg-surface-subtle py-10 sm:py-10"
        />
      ) : (
        <ListSearchBox
          label="Search by code or name"
          search={tills.search}
          onSearchChange={tills.setSearch}
          loading={tills.searching}
        />
      )}
      {tills.empty ? null : rows.length === 0 ? (
        <NoMatches
          searchedFor={tills.searchedFor}
          searchedIn="code or name"
          onClear={() => tills.setSearch("")}
        />
      ) : (
        <CardTable
          label="Tills"
          className="sm:min-w-[34rem] md:min-w-[44rem]"
          head={
            <>
              <TableHead className="pl-5">Code</TableHead>
              <TableHead>Name</TableHead>
              <TableHead className="hidden md:table-cell">Basic access</TableHead>
              <TableHead className="text-right">
                <span className="hidden sm:inline">API clients</span>
                <span className="sm:hidden">Clients</span>
              </TableHead>
              <TableHead className="hidden sm:table-cell">Created</TableHead>
            </>
          }
        >
          {rows.map((till) => (
            <TableRow key={till.id}>
              <TableCell className="pl-5 font-medium font-mono">{till.code}</TableCell>
              <TableCell className="max-w-64 truncate" title={till.name}>
                {till.name}
              </TableCell>
              <TableCell className="hidden max-w-80 md:table-cell">
                {till.scopes.length === 0 ? (
                  <span className="text-fg-subtle">None</span>
                ) : (
                  <ScopeChips scope={till.scopes.join(" ")} />
                )}
              </TableCell>
              <TableCell
                className="text-right tabular-nums"
                title={plural(till.apiClientCount, "API client uses it", "API clients use it")}
              >
                {cappedNumber(till.apiClientCount)}
              </TableCell>
              <TableCell className="hidden whitespace-nowrap text-fg-muted sm:table-cell">
                <time
                  dateTime={till.createdAt.toISOString()}
                  title={formatDateTime(till.createdAt)}
                >
                  {formatDate(till.createdAt)}
                </time>
              </TableCell>
              <ActionsCell>{canChange ? <DeleteTillDialog till={till} /> : null}</ActionsCell>
            </TableRow>
          ))}
        </CardTable>
      )}
      <LoadMore hasMore={tills.hasMore} loading={tills.loadingMore} onLoadMore={tills.loadMore} />
      <AddTillDialog
        open={dialog.open}
        formKey={dialog.key}
        onOpenChange={dialog.setOpen}
        onCreated={(till) => {
          dialog.setOpen(false);
          toast.success("Till added", { description: `${till.code} · ${till.name}` });
        }}
      />
    </Card>
  );
}
