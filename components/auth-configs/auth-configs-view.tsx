"use client";

import { useQueryClient } from "@tanstack/react-query";
import { MousePointerClick, Plus, ShieldCheck } from "lucide-react";
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { toast } from "@/components/ui/toast";
import { AuthConfigDetailPane } from "./auth-config-detail";
import { AuthConfigList } from "./auth-config-list";
import type { AuthConfigDetail, AuthConfigListItem } from "./contract";
import { CreateAuthConfigDialog } from "./create-auth-config-dialog";
import { authConfigKeys, useAuthConfigList, useDebouncedValue } from "./queries";

export type AuthConfigsViewProps = {
  initialConfigs: AuthConfigListItem[];
  /** The config named by `?id=` when the page was loaded (`config: null` if there is none). */
  initialSelected: { id: string; config: AuthConfigDetail | null } | null;
  /** The server's setting, so the browser validates token URLs with the server's rules. */
  allowPrivateTokenUrls: boolean;
};

const DESKTOP_QUERY = "(min-width: 64rem)";
const SEARCH_INPUT_LABEL = "Search by identifier";

function selectionInLocation(): string | null {
  return new URLSearchParams(window.location.search).get("id") || null;
}

/**
 * The auth-configs page: list on the left, the selected config on the right (stacked on narrow
 * screens). The selection lives in `?id=` so a detail can be linked and reloaded; it is changed
 * with the History API (which Next's router follows) and mirrored in state, so the detail
 * switches at once with no server round trip, and Back and Forward work.
 */
export function AuthConfigsView({
  initialConfigs,
  initialSelected,
  allowPrivateTokenUrls,
}: AuthConfigsViewProps) {
  const pathname = usePathname();
  const queryClient = useQueryClient();
  const [selectedId, setSelectedId] = useState<string | null>(initialSelected?.id ?? null);
  const [search, setSearch] = useState("");
  const searchedFor = useDebouncedValue(search.trim(), 250);
  const list = useAuthConfigList(searchedFor, initialConfigs);
  const [dialog, setDialog] = useState<{
    open: boolean;
    key: number;
    prefill: AuthConfigDetail | null;
  }>({ open: false, key: 0, prefill: null });
  // The server's detail seeds the first pane only. Later panes load their own, so a config
  // deleted here cannot come back from this snapshot after its cache entry is collected.
  const [initialDetail, setInitialDetail] = useState(initialSelected);
  const detailRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // A server render for another `?id=` (a link followed within the page) moves the selection.
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

  const openCreate = (prefill: AuthConfigDetail | null = null) =>
    setDialog((current) => ({ open: true, key: current.key + 1, prefill }));

  const created = (config: AuthConfigDetail) => {
    setDialog((current) => ({ ...current, open: false }));
    toast.success("Auth config created", { description: config.identifier });
    // A search that hides the new config would make it look as if nothing happened.
    setSearch("");
    select(config.id, { reveal: true });
  };

  const deleted = (config: { id: string; identifier: string }) => {
    toast.success("Auth config deleted", { description: config.identifier });
    // Replace, not push: Back should not lead to the deleted config's page.
    select(null, { replace: true });
    // Marked gone only now that the pane has moved on (see useDeleteAuthConfig).
    queryClient.setQueryData(authConfigKeys.detail(config.id), null);
    listRef.current
      ?.querySelector<HTMLInputElement>(`input[aria-label="${SEARCH_INPUT_LABEL}"]`)
      ?.focus();
  };

  const createButton = (
    <Button onClick={() => openCreate()}>
      <Plus aria-hidden="true" />
      Create auth config
    </Button>
  );

  const noneAtAll = searchedFor === "" && search === "" && list.data?.length === 0;

  return (
    <>
      <PageHeader
        title="Auth configs"
        description="Outbound credentials: OAuth 2.0 client-credentials settings the platform exchanges for access tokens to call other APIs. Stored encrypted; read-only once created."
        actions={noneAtAll ? null : createButton}
      />

      {noneAtAll ? (
        <EmptyState
          icon={<ShieldCheck />}
          title="No auth configs yet"
          description="An auth config holds a token URL, scope, client ID and client secret. Authdesk stores them encrypted and fetches and caches access tokens for the API calls that use it."
          action={createButton}
        />
      ) : (
        <div className="grid items-start gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
          <div ref={listRef} className="lg:sticky lg:top-6">
            <AuthConfigList
              configs={list.data}
              search={search}
              onSearchChange={setSearch}
              searchedFor={searchedFor}
              loading={list.isFetching && (list.isPlaceholderData || search.trim() !== searchedFor)}
              error={list.error}
              onRetry={() => list.refetch()}
              selectedId={selectedId}
              hrefFor={hrefFor}
              onSelect={(id) => select(id, { reveal: true })}
            />
          </div>
          <div ref={detailRef} className="min-w-0 scroll-mt-20 lg:scroll-mt-6">
            {selectedId ? (
              <AuthConfigDetailPane
                key={selectedId}
                id={selectedId}
                initial={initialDetail ?? undefined}
                onDuplicate={(config) => openCreate(config)}
                onDeleted={deleted}
                onClearSelection={() => select(null)}
              />
            ) : (
              <div className="hidden flex-col items-center rounded-xl border border-line-strong border-dashed px-6 py-16 text-center lg:flex">
                <MousePointerClick className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
                <p className="font-medium text-fg text-sm">Select an auth config</p>
                <p className="mt-1 max-w-xs text-fg-muted text-sm">
                  Pick one from the list to see its settings, test it, duplicate it or delete it.
                </p>
              </div>
            )}
          </div>
        </div>
      )}

      <CreateAuthConfigDialog
        open={dialog.open}
        onOpenChange={(open) => setDialog((current) => ({ ...current, open }))}
        prefill={dialog.prefill}
        formKey={dialog.key}
        allowPrivateTokenUrls={allowPrivateTokenUrls}
        onCreated={created}
      />
    </>
  );
}
