"use client";

import { Plus, Search, X } from "lucide-react";
import { useId, useState } from "react";
import { ChoiceCards } from "@/components/shared/choice-cards";
import { useDebouncedValue } from "@/components/shared/use-debounced-value";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toast";
import type { IntegrationDetail } from "@/lib/integrations/contract";
import { cn } from "@/lib/utils/cn";
import { useAccessCandidates, useSetApiAccess } from "./queries";

type Mode = "all" | "selected";
type Client = IntegrationDetail["apiAccess"]["clients"][number];

const MODES = [
  {
    value: "all",
    label: "All API clients with INTEGRATION_API",
    description:
      "Every API client with Modify on Integrations, and tills using Basic authentication.",
  },
  {
    value: "selected",
    label: "Only these API clients",
    description:
      "The clients chosen below. Tills are never listed, so Basic authentication is refused.",
  },
] as const;

/**
 * The API access tab: every API client whose token carries INTEGRATION_API (the default), or
 * only the clients chosen here. Saved as a whole with one request.
 */
export function ApiAccessPanel({ integration }: { integration: IntegrationDetail }) {
  const name = useId();
  const [mode, setMode] = useState<Mode>(integration.apiAccess.mode);
  const [chosen, setChosen] = useState<Client[]>(integration.apiAccess.clients);
  const [error, setError] = useState<string | null>(null);
  const setAccess = useSetApiAccess(integration.id);

  const dirty =
    mode !== integration.apiAccess.mode ||
    (mode === "selected" &&
      chosen.map((client) => client.id).join() !==
        integration.apiAccess.clients.map((client) => client.id).join());

  async function save() {
    setError(null);
    let result: Awaited<ReturnType<typeof setAccess.mutateAsync>>;
    try {
      result = await setAccess.mutateAsync(
        mode === "all" ? { mode } : { mode, clientIds: chosen.map((client) => client.id) },
      );
    } catch {
      return; // the hook has shown a toast
    }
    if (!result.ok) return setError(result.fieldErrors.clientIds ?? "Check the API clients.");
    setChosen(result.integration.apiAccess.clients);
    toast.success("API access saved", {
      description:
        result.integration.apiAccess.mode === "all"
          ? "Every API client with INTEGRATION_API may manage this integration."
          : `Only ${chosen.length === 1 ? "1 API client" : `${chosen.length} API clients`} may manage this integration.`,
    });
  }

  return (
    <div className="grid min-w-0 gap-5">
      <fieldset className="grid gap-2">
        <legend className="float-left font-medium text-fg text-sm">
          Who may manage this integration through the public API
        </legend>
        <ChoiceCards
          name={name}
          options={MODES}
          value={mode}
          onChange={(value) => {
            setMode(value);
            setError(null);
          }}
          className="@xl:grid-cols-2"
        />
      </fieldset>

      {mode === "selected" ? (
        <ClientPicker
          chosen={chosen}
          error={error}
          onChange={(clients) => {
            setChosen(clients);
            setError(null);
          }}
        />
      ) : null}

      <div className="flex flex-wrap items-center justify-between gap-3 border-line border-t pt-4">
        <p className="text-fg-muted text-sm" role="status">
          {dirty ? "Unsaved changes" : "All changes saved"}
        </p>
        <Button onClick={save} pending={setAccess.isPending} disabled={!dirty}>
          Save API access
        </Button>
      </div>
    </div>
  );
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
  const candidates = useAccessCandidates(searchedFor, true);
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
            None yet: no API client may manage this integration.
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

function ClientRow({ client, children }: { client: Client; children: React.ReactNode }) {
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
