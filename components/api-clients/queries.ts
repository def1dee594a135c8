"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import {
  deleteApiClientAction,
  getApiClientAction,
  listApiClientsAction,
  registerApiClientAction,
  searchAccessCandidatesAction,
} from "@/app/(console)/api-clients/actions";
import { settingsKeys } from "@/components/settings/queries";
import { useSearchedList } from "@/components/shared/use-searched-list";
import { toast } from "@/components/ui/toast";
import type {
  ApiClientDetail,
  ApiClientListItem,
  RegisterApiClientFormInput,
  RegisterApiClientResult,
} from "@/lib/api-clients/contract";
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
  return useQuery({
    queryKey: apiClientKeys.detail(id),
    queryFn: async () => {
      const result = await getApiClientAction(id);
      if (!result.ok) throw new ApiClientActionError(result.formError);
      return result.client;
    },
    initialData: initial && initial.id === id ? initial.client : undefined,
  });
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
