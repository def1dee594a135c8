"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import {
  deleteApiClientAction,
  expireOldApiClientSecretAction,
  getApiClientAction,
  listApiClientsAction,
  registerApiClientAction,
  revokeApiClientTokensAction,
  rollApiClientSecretAction,
  searchAccessCandidatesAction,
} from "@/app/(console)/api-clients/actions";
import { settingsKeys } from "@/components/settings/queries";
import { useSearchedList } from "@/components/shared/use-searched-list";
import { toast } from "@/components/ui/toast";
import type {
  ApiClientChangeResult,
  ApiClientDetail,
  ApiClientListItem,
  RegisterApiClientFormInput,
  RegisterApiClientResult,
  RollApiClientSecretResult,
} from "@/lib/api-clients/contract";
import type { SecretGracePeriod } from "@/lib/api-clients/schema";
import type { Page } from "@/lib/paging/contract";

/** One place that names every API-client query, so invalidation cannot miss one. */
export const apiClientKeys = {
  all: ["api-clients"] as const,
  lists: () => [...apiClientKeys.all, "list"] as const,
  details: () => [...apiClientKeys.all, "detail"] as const,
  detail: (id: string) => [...apiClientKeys.details(), id] as const,
  accessCandidates: (search: string) =>
    [...apiClientKeys.all, "access-candidates", { search }] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class ApiClientActionError extends Error {
  override name = "ApiClientActionError";
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

/** The list a page at a time with its search box, searching part of a name or key (see useSearchedList). */
export function useApiClientList(initialPage?: Page<ApiClientListItem>) {
  return useSearchedList({
    queryKey: apiClientKeys.lists(),
    list: listApiClientsAction,
    initialPage,
  });
}

/** One client's read-only detail; `null` data means it does not exist (any more). */
export function useApiClient(id: string, initial?: { id: string; client: ApiClientDetail | null }) {
  const query = useQuery({
    queryKey: apiClientKeys.detail(id),
    queryFn: async () => {
      const result = await getApiClientAction(id);
      if (!result.ok) throw new ApiClientActionError(result.formError);
      return result.client;
    },
    initialData: initial && initial.id === id ? initial.client : undefined,
  });
  useRefetchAt(id, query.data?.previousSecretExpiresAt ?? null);
  return query;
}

/** setTimeout's longest delay (about 24.8 days): beyond it, the timer would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads the detail again when the old secret's grace period ends, so a page left open stops
 * showing it as accepted (the server, by the database's clock, decides that it has ended).
 */
function useRefetchAt(id: string, at: Date | null) {
  const queryClient = useQueryClient();
  const atMs = at?.getTime() ?? null;
  useEffect(() => {
    if (atMs === null) return;
    const delay = atMs - Date.now() + 1_000;
    if (delay > MAX_TIMER_MS) return;
    const timer = setTimeout(
      () => {
        void queryClient.invalidateQueries({ queryKey: apiClientKeys.detail(id) });
      },
      Math.max(delay, 0),
    );
    return () => clearTimeout(timer);
  }, [queryClient, id, atMs]);
}

export type RegisteredApiClient = Extract<RegisterApiClientResult, { ok: true }>;

/**
 * Registers a client. Deliberately not a TanStack mutation: a mutation keeps its result (and so
 * the client secret) in the query client's mutation cache for minutes after it settles. Here the
 * result goes straight back to the caller, which keeps the secret in component state only; the
 * caches get the client's details, which hold no secret.
 */
export function useRegisterApiClient() {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  const register = useCallback(
    async (input: RegisterApiClientFormInput): Promise<RegisterApiClientResult | null> => {
      setPending(true);
      try {
        const result = await registerApiClientAction(input);
        if (result.ok) {
          queryClient.setQueryData(apiClientKeys.detail(result.client.id), result.client);
          // Awaited, so the new client is in the list by the time the one-time screen shows.
          // Tills and groups count their clients.
          await Promise.all([
            queryClient.invalidateQueries({ queryKey: apiClientKeys.lists() }),
            queryClient.invalidateQueries({ queryKey: settingsKeys.tills() }),
            queryClient.invalidateQueries({ queryKey: settingsKeys.apiGroups() }),
          ]);
        } else if ("fieldErrors" in result) {
          // A till or group named in the form may be gone: show the form today's lists.
          if (result.fieldErrors.tillId || result.fieldErrors.permissions) {
            await Promise.all([
              queryClient.invalidateQueries({ queryKey: settingsKeys.tills() }),
              queryClient.invalidateQueries({ queryKey: settingsKeys.apiGroups() }),
            ]);
          }
        } else {
          toast.error("Could not register the API client", { description: result.formError });
          return null;
        }
        return result;
      } catch {
        toast.error("Could not register the API client", { description: messageOf(null) });
        return null;
      } finally {
        setPending(false);
      }
    },
    [queryClient],
  );

  return { register, pending };
}

export function useDeleteApiClient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (client: { id: string; name: string }) => {
      const result = await deleteApiClientAction({ id: client.id });
      if (!result.ok) throw new ApiClientActionError(result.formError, result.notFound);
      return result.deleted;
    },
    // The detail is marked gone by the caller once it has moved the selection away: doing it
    // here would flash "not found" in the pane that is about to close.
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: apiClientKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: settingsKeys.tills() }),
        queryClient.invalidateQueries({ queryKey: settingsKeys.apiGroups() }),
      ]),
    onError: async (error, client) => {
      if (error instanceof ApiClientActionError && error.notFound) {
        queryClient.setQueryData(apiClientKeys.detail(client.id), null);
        await queryClient.invalidateQueries({ queryKey: apiClientKeys.lists() });
      }
      toast.error(`Could not delete ${client.name}`, { description: messageOf(error) });
    },
  });
}

export type RolledApiClientSecret = Extract<RollApiClientSecretResult, { ok: true }>;

/**
 * Rolls a client's secret. Not a TanStack mutation, for the reason useRegisterApiClient gives:
 * the result carries the new secret, which must stay in the caller's component state only.
 */
export function useRollApiClientSecret(client: { id: string; name: string }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  const roll = useCallback(
    async (gracePeriod: SecretGracePeriod): Promise<RolledApiClientSecret | null> => {
      setPending(true);
      try {
        const result = await rollApiClientSecretAction({ id: client.id, gracePeriod });
        if (result.ok) {
          queryClient.setQueryData(apiClientKeys.detail(client.id), result.client);
          return result;
        }
        const message =
          "fieldErrors" in result
            ? (result.fieldErrors.gracePeriod ?? "Choose how long the old secret keeps working")
            : result.formError;
        if ("notFound" in result && result.notFound) markGone(queryClient, client.id);
        toast.error(`Could not roll the secret of ${client.name}`, { description: message });
        return null;
      } catch {
        toast.error(`Could not roll the secret of ${client.name}`, {
          description: messageOf(null),
        });
        return null;
      } finally {
        setPending(false);
      }
    },
    [queryClient, client.id, client.name],
  );

  return { roll, pending };
}

/** "Expire old secret now". */
export function useExpireOldSecret(client: { id: string; name: string }) {
  return useClientChange(client, expireOldApiClientSecretAction, {
    failure: "expire the old secret of",
    success: "Old secret expired",
  });
}

/** "Revoke all tokens". */
export function useRevokeApiClientTokens(client: { id: string; name: string }) {
  return useClientChange(client, revokeApiClientTokensAction, {
    failure: "revoke the tokens of",
    success: "All tokens revoked",
  });
}

/**
 * The one-click lifecycle changes: the answer is the client as it is now, put straight into the
 * detail's cache. A refusal (the old secret already ended, the client deleted) re-reads the
 * detail, which was out of date.
 */
function useClientChange(
  client: { id: string; name: string },
  action: (input: { id: string }) => Promise<ApiClientChangeResult>,
  words: { failure: string; success: string },
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const result = await action({ id: client.id });
      if (!result.ok) throw new ApiClientActionError(result.formError, result.notFound);
      return result.client;
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(apiClientKeys.detail(client.id), updated);
      toast.success(words.success, { description: client.name });
    },
    onError: async (error) => {
      if (error instanceof ApiClientActionError && error.notFound) {
        markGone(queryClient, client.id);
      } else {
        await queryClient.invalidateQueries({ queryKey: apiClientKeys.detail(client.id) });
      }
      toast.error(`Could not ${words.failure} ${client.name}`, { description: messageOf(error) });
    },
  });
}

function markGone(queryClient: ReturnType<typeof useQueryClient>, id: string) {
  queryClient.setQueryData(apiClientKeys.detail(id), null);
  void queryClient.invalidateQueries({ queryKey: apiClientKeys.lists() });
}

function messageOf(error: unknown): string {
  if (error instanceof ApiClientActionError) return error.message;
  // Network failures and the like: the browser's message means nothing to an admin.
  return "The server could not be reached. Check your connection and try again.";
}

/** API clients whose name or key contains `search`, for the access lists' picker. */
export function useAccessCandidates(search: string) {
  return useQuery({
    queryKey: apiClientKeys.accessCandidates(search),
    queryFn: async () => {
      const result = await searchAccessCandidatesAction(search);
      if (!result.ok) throw new ApiClientActionError(result.formError);
      return result.clients;
    },
    placeholderData: keepPreviousData,
  });
}
