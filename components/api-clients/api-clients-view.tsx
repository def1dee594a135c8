"use client";

import { useQueryClient } from "@tanstack/react-query";
import { KeyRound, MousePointerClick, Plus } from "lucide-react";
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiGroup, Till } from "@/components/settings/contract";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { toast } from "@/components/ui/toast";
import { ApiClientDetailPane } from "./api-client-detail";
import { ApiClientList } from "./api-client-list";
import type { ApiClientDetail, ApiClientListItem } from "./contract";
import { apiClientKeys, useApiClientList } from "./queries";
import { RegisterApiClientDialog } from "./register-api-client-dialog";

export type ApiClientsViewProps = {
  initialClients: ApiClientListItem[];
  /** The client named by `?id=` when the page was loaded (`client: null` if there is none). */
  initialSelected: { id: string; client: ApiClientDetail | null } | null;
  /** What the register form offers, as the server saw it when the page loaded. */
  initialTills: Till[];
  initialGroups: ApiGroup[];
};

const DESKTOP_QUERY = "(min-width: 64rem)";

function selectionInLocation(): string | null {
  return new URLSearchParams(window.location.search).get("id") || null;
}

/**
 * The API-clients page: list on the left, the selected client on the right (stacked on narrow
 * screens). As on the auth-configs page, the selection lives in `?id=` and is changed with the
 * History API, so a detail can be linked and reloaded and Back and Forward work.
 */
export function ApiClientsView({
  initialClients,
  initialSelected,
  initialTills,
  initialGroups,
}: ApiClientsViewProps) {
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const [selectedId, setSelectedId] = useState<string | null>(initialSelected?.id ?? null);
  const list = useApiClientList(initialClients);
  const [dialog, setDialog] = useState({ open: false, key: 0 });
  // The server's detail seeds the first pane only (see AuthConfigsView).
  const [initialDetail, setInitialDetail] = useState(initialSelected);
  const detailRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const serverSelectedId = initialSelected?.id ?? null;
  useEffect(() => setSelectedId(serverSelectedId), [serverSelectedId]);

  useEffect(() => {
    const follow = () => {
      setSelectedId(selectionInLocation());
      setInitialDetail(null);
    };
    window.addEventListener("popstate", follow);
    return () => window.removeEventListener("popstate", follow);
  }, []);

  const hrefFor = useCallback(
    (id: string) => `${pathname}?id=${encodeURIComponent(id)}`,
    [pathname],
  );

  const select = useCallback(
    (id: string | null, options: { replace?: boolean; reveal?: boolean } = {}) => {
      setSelectedId(id);
      setInitialDetail(null);
      const url = id ? hrefFor(id) : pathname;
      if (options.replace) window.history.replaceState(null, "", url);
      else if (url !== `${window.location.pathname}${window.location.search}`)
        window.history.pushState(null, "", url);
      // Stacked panes: bring the detail into view, or the click would seem to do nothing.
      if (options.reveal && !window.matchMedia(DESKTOP_QUERY).matches) {
        requestAnimationFrame(() => detailRef.current?.scrollIntoView({ block: "start" }));
      }
    },
    [hrefFor, pathname],
  );

  const openRegister = () => setDialog((current) => ({ open: true, key: current.key + 1 }));

  const deleted = (client: { id: string; name: string }) => {
    toast.success("API client deleted", {
      description: `${client.name}: its tokens no longer work.`,
    });
    // Replace, not push: Back should not lead to the deleted client's page.
    select(null, { replace: true });
    // Marked gone only now that the pane has moved on (see useDeleteApiClient).
    queryClient.setQueryData(apiClientKeys.detail(client.id), null);
    listRef.current?.querySelector<HTMLElement>("a")?.focus();
  };

  const registerButton = (
    <Button onClick={openRegister}>
      <Plus aria-hidden="true" />
      Register
    </Button>
  );

  const noneAtAll = list.data?.length === 0;

  return (
    <>
      <PageHeader
        title="API clients"
        description="Inbound credentials: client keys and secrets that other systems exchange for OAuth 2.0 access tokens to call the platform, each with a permission per API group and a token lifetime."
        actions={noneAtAll ? null : registerButton}
      />

      {noneAtAll ? (
        <EmptyState
          icon={<KeyRound />}
          title="No API clients yet"
          description="Register a client to get a client key and a client secret, shown once. Authdesk issues, checks and revokes the OAuth 2.0 access tokens of each client."
          action={registerButton}
        />
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
          <div ref={listRef} className="lg:sticky lg:top-6">
            <ApiClientList
              clients={list.data}
              error={list.error}
              onRetry={() => list.refetch()}
              selectedId={selectedId}
              hrefFor={hrefFor}
              onSelect={(id) => select(id, { reveal: true })}
            />
          </div>
          <div ref={detailRef} className="min-w-0 scroll-mt-20 lg:scroll-mt-6">
            {selectedId ? (
              <ApiClientDetailPane
                key={selectedId}
                id={selectedId}
                initial={initialDetail ?? undefined}
                onDeleted={deleted}
                onClearSelection={() => select(null)}
              />
            ) : (
              <div className="hidden flex-col items-center rounded-xl border border-line-strong border-dashed px-6 py-16 text-center lg:flex">
                <MousePointerClick className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
                <p className="font-medium text-fg text-sm">Select an API client</p>
                <p className="mt-1 max-w-xs text-fg-muted text-sm">
                  Pick one from the list to see its key, permissions and token lifetime, or to
                  delete it.
                </p>
              </div>
            )}
          </div>
        </div>
      )}

      <RegisterApiClientDialog
        open={dialog.open}
        onOpenChange={(open) => setDialog((current) => ({ ...current, open }))}
        formKey={dialog.key}
        initialTills={initialTills}
        initialGroups={initialGroups}
        onFinished={(id) => select(id, { reveal: true })}
      />
    </>
  );
}
