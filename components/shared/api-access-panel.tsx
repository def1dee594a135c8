"use client";

import { Plus, Search, X } from "lucide-react";
import { useId, useState } from "react";
import { useAccessCandidates } from "@/components/api-clients/queries";
import { useCan, VIEWER_CAN_ONLY_LOOK } from "@/components/auth/role-context";
import { ChoiceCards } from "@/components/shared/choice-cards";
import { useDebouncedValue } from "@/components/shared/use-debounced-value";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import type { AccessClient, ApiAccess, ApiAccessInput } from "@/lib/api-access/schema";
import { cn } from "@/lib/utils/cn";

type Mode = ApiAccess["mode"];
type Client = AccessClient;

/** What the panel says, in the words of the record it guards. */
export interface ApiAccessWording {
  /** What callers do with the record: "manage this integration", "fetch this config's tokens". */
  purpose: string;
  /** The scope the route needs, shown in the "all" choice: "INTEGRATION_API", "all:read". */
  scope: string;
}

/** Saves the access list; a failed save says why (shown under the list), a thrown one toasts. */
export type SaveApiAccess = (
  access: ApiAccessInput,
) => Promise<{ ok: true; access: ApiAccess } | { ok: false; error: string } | undefined>;

type ApiAccessPanelProps = {
  access: ApiAccess;
  wording: ApiAccessWording;
  onSave: SaveApiAccess;
  saving: boolean;
};

/**
 * Who may use a record through the public API (lib/api-access, the one pattern integrations and
 * auth configs share): every caller holding the route's scope, or only the API clients chosen
 * here, and tills (Basic authentication) only when ticked. Saved as a whole with one request.
 * A Viewer sees the list as it stands, without the controls that change it.
 */
export function ApiAccessPanel(props: ApiAccessPanelProps) {
  const canChange = useCan("admin");
  return canChange ? (
    <EditableApiAccess {...props} />
  ) : (
    <ApiAccessSummary access={props.access} wording={props.wording} />
  );
}

function ApiAccessSummary({ access, wording }: { access: ApiAccess; wording: ApiAccessWording }) {
  return (
    <div className="grid min-w-0 gap-3">
      <p className="text-fg text-sm">{accessSummary(access, wording)}</p>
      {access.mode === "selected" && access.clients.length > 0 ? (
        <ul
          aria-label="Chosen API clients"
          className="divide-y divide-line rounded-lg border border-line"
        >
          {access.clients.map((client) => (
            <ClientRow key={client.id} client={client} />
          ))}
        </ul>
      ) : null}
      <p className="text-fg-muted text-xs">{VIEWER_CAN_ONLY_LOOK}</p>
    </div>
  );
}

function EditableApiAccess({ access, wording, onSave, saving }: ApiAccessPanelProps) {
  const name = useId();
  const [mode, setMode] = useState<Mode>(access.mode);
  const [chosen, setChosen] = useState<Client[]>(access.clients);
  const [tills, setTills] = useState(access.tills);
  const [error, setError] = useState<string | null>(null);

  const modes = [
    {
      value: "all",
      label: `All API clients with ${wording.scope}`,
      description: `Every API client holding ${wording.scope}, and tills using Basic authentication.`,
    },
    {
      value: "selected",
      label: "Only these API clients",
      description: "The clients chosen below, and tills only if you tick them.",
    },
  ] as const;

  const dirty =
    mode !== access.mode ||
    (mode === "selected" &&
      (tills !== access.tills ||
        chosen.map((client) => client.id).join() !==
          access.clients.map((client) => client.id).join()));

  async function save() {
    setError(null);
    const result = await onSave(
      mode === "all" ? { mode } : { mode, clientIds: chosen.map((client) => client.id), tills },
    );
    if (!result) return; // the hook has shown a toast
    if (!result.ok) return setError(result.error);
    setChosen(result.access.clients);
    setTills(result.access.tills);
    toast.success("API access saved", { description: accessSummary(result.access, wording) });
  }

  return (
    <div className="grid min-w-0 gap-5">
      <fieldset className="grid gap-2">
        <legend className="float-left font-medium text-fg text-sm">
          Who may {wording.purpose} through the public API
        </legend>
        <ChoiceCards
          name={name}
          options={modes}
          value={mode}
          onChange={(value) => {
            setMode(value);
            setError(null);
          }}
          className="@xl:grid-cols-2"
        />
      </fieldset>

      {mode === "selected" ? (
        <>
          <ClientPicker
            chosen={chosen}
            error={error}
            onChange={(clients) => {
              setChosen(clients);
              setError(null);
            }}
          />
          <label className="flex items-start gap-2 text-fg text-sm">
            <input
              type="checkbox"
              checked={tills}
              onChange={(event) => setTills(event.target.checked)}
              className="mt-0.5 size-4 shrink-0 rounded border-line-strong accent-accent"
            />
            <span>
              Tills too
              <span className="block text-fg-subtle">
                Programs using Basic authentication with a till&apos;s code and password, if the
                till holds {wording.scope}.
              </span>
            </span>
          </label>
        </>
      ) : null}

      <div className="flex flex-wrap items-center justify-between gap-3 border-line border-t pt-4">
        <p className="text-fg-muted text-sm" role="status">
          {dirty ? "Unsaved changes" : "All changes saved"}
        </p>
        <Button onClick={save} pending={saving} disabled={!dirty}>
          Save API access
        </Button>
      </div>
    </div>
  );
}

/** The toast's sentence for a saved list. */
function accessSummary(access: ApiAccess, wording: ApiAccessWording): string {
  if (access.mode === "all")
    return `Every API client with ${wording.scope} may ${wording.purpose}.`;
  const count = access.clients.length;
  const clients = count === 1 ? "1 API client" : `${count} API clients`;
  if (count === 0) {
    return access.tills
      ? `Only tills may ${wording.purpose}.`
      : `No API client or till may ${wording.purpose}.`;
  }
  return `Only ${access.tills ? `${clients} and tills` : clients} may ${wording.purpose}.`;
}

/** A search over API clients by name or key, and the chosen ones, each removable. */
function ClientPicker({
  chosen,
  error,
  onChange,
}: {
  chosen: Client[];
  error: string | null;
  onChange: (clients: Client[]) => void;
}) {
  const searchId = useId();
  const [search, setSearch] = useState("");
  const searchedFor = useDebouncedValue(search.trim(), 250);
  const candidates = useAccessCandidates(searchedFor);
  const chosenIds = new Set(chosen.map((client) => client.id));

  return (
    <div className="grid min-w-0 grid-cols-1 gap-4 @xl:grid-cols-2">
      <section
        aria-label="Chosen API clients"
        className="grid min-w-0 grid-cols-1 content-start gap-2"
      >
        <h3 className="font-medium text-fg text-sm">Chosen ({chosen.length})</h3>
        {chosen.length === 0 ? (
          <p className="rounded-lg border border-line border-dashed px-3 py-4 text-center text-fg-muted text-sm">
            None yet: no API client is chosen.
          </p>
        ) : (
          <ul className="divide-y divide-line rounded-lg border border-line">
            {chosen.map((client) => (
              <ClientRow key={client.id} client={client}>
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Remove ${client.name}`}
                  title="Remove"
                  onClick={() => onChange(chosen.filter((other) => other.id !== client.id))}
                >
                  <X aria-hidden="true" />
                </Button>
              </ClientRow>
            ))}
          </ul>
        )}
        {error ? <p className="text-danger-text text-sm">{error}</p> : null}
      </section>

      <section
        aria-label="Add API clients"
        className="grid min-w-0 grid-cols-1 content-start gap-2"
      >
        <label htmlFor={searchId} className="font-medium text-fg text-sm">
          Search API clients
        </label>
        <div className="relative">
          <Search
            className="-translate-y-1/2 pointer-events-none absolute top-1/2 left-2.5 size-4 text-fg-subtle"
            aria-hidden="true"
          />
          <Input
            id={searchId}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Name or client key"
            maxLength={100}
            autoComplete="off"
            spellCheck={false}
            className="pl-8"
          />
        </div>
        {candidates.isError ? (
          <p role="alert" className="text-danger-text text-sm">
            {candidates.error.message}
          </p>
        ) : !candidates.data ? (
          <p role="status" className="text-fg-muted text-sm">
            Searching…
          </p>
        ) : candidates.data.length === 0 ? (
          <p className="text-fg-muted text-sm">
            {searchedFor ? "No API client matches." : "No API clients yet."}
          </p>
        ) : (
          <ul
            aria-label="Matching API clients"
            className={cn(
              "divide-y divide-line rounded-lg border border-line",
              candidates.isPlaceholderData && "opacity-60",
            )}
          >
            {candidates.data.map((client) => (
              <ClientRow key={client.id} client={client}>
                {chosenIds.has(client.id) ? (
                  <span className="px-2 text-fg-subtle text-xs">Added</span>
                ) : (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Add ${client.name}`}
                    onClick={() => onChange([...chosen, client])}
                  >
                    <Plus aria-hidden="true" />
                    Add
                  </Button>
                )}
              </ClientRow>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function ClientRow({ client, children }: { client: Client; children?: React.ReactNode }) {
  return (
    <li className="flex items-center gap-2 py-1.5 pr-1.5 pl-3">
      <div className="min-w-0 flex-1">
        <p className="truncate text-fg text-sm">{client.name}</p>
        <p className="truncate font-mono text-fg-subtle text-xs">{client.clientKey}</p>
      </div>
      {children}
    </li>
  );
}
