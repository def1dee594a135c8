"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createAuthConfigAction,
  deleteAuthConfigAction,
  getAuthConfigAction,
  listAuthConfigsAction,
  replaceAuthConfigAction,
  setAuthConfigAccessAction,
  testAuthConfigAction,
} from "@/app/(console)/auth-configs/actions";
import { useSearchedList } from "@/components/shared/use-searched-list";
import { toast } from "@/components/ui/toast";
import type { ApiAccessInput } from "@/lib/api-access/schema";
import type {
  AuthConfigDetail,
  AuthConfigListItem,
  CreateAuthConfigFormInput,
} from "@/lib/auth-configs/contract";
import type { Page } from "@/lib/paging/contract";

/** One place that names every auth-config query, so invalidation cannot miss one. */
export const authConfigKeys = {
  all: ["auth-configs"] as const,
  lists: () => [...authConfigKeys.all, "list"] as const,
  details: () => [...authConfigKeys.all, "detail"] as const,
  detail: (id: string) => [...authConfigKeys.details(), id] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class AuthConfigActionError extends Error {
  override name = "AuthConfigActionError";
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

/** The list a page at a time with its search box, searching part of the identifier (see useSearchedList). */
export function useAuthConfigList(initialPage?: Page<AuthConfigListItem>) {
  return useSearchedList({
    queryKey: authConfigKeys.lists(),
    list: listAuthConfigsAction,
    initialPage,
  });
}

/** One config's read-only detail; `null` data means it does not exist (any more). */
export function useAuthConfig(
  id: string,
  initial?: { id: string; config: AuthConfigDetail | null },
) {
  return useQuery({
    queryKey: authConfigKeys.detail(id),
    queryFn: async () => {
      const result = await getAuthConfigAction(id);
      if (!result.ok) throw new AuthConfigActionError(result.formError);
      return result.config;
    },
    initialData: initial && initial.id === id ? initial.config : undefined,
  });
}

/**
 * Creates a config, or with `replacesId` replaces that one under the same identifier (the old
 * row goes in the same step, so its detail is marked gone by the caller once it has moved on).
 */
export function useCreateAuthConfig(replacesId?: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateAuthConfigFormInput) => {
      const result = replacesId
        ? await replaceAuthConfigAction(replacesId, input)
        : await createAuthConfigAction(input);
      // Field errors are an answer for the form, not a failure of the request.
      if (!result.ok && "formError" in result) {
        throw new AuthConfigActionError(
          result.formError,
          "notFound" in result && result.notFound === true,
        );
      }
      return result;
    },
    onSuccess: async (result) => {
      if (!result.ok) return;
      queryClient.setQueryData(authConfigKeys.detail(result.config.id), result.config);
      // Awaited, so the new config is in the list by the time the dialog closes.
      await queryClient.invalidateQueries({ queryKey: authConfigKeys.lists() });
    },
    onError: async (error) => {
      if (replacesId && error instanceof AuthConfigActionError && error.notFound) {
        queryClient.setQueryData(authConfigKeys.detail(replacesId), null);
        await queryClient.invalidateQueries({ queryKey: authConfigKeys.lists() });
      }
      const what = replacesId ? "replace" : "create";
      toast.error(`Could not ${what} the auth config`, { description: messageOf(error) });
    },
  });
}

export function useDeleteAuthConfig() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (config: { id: string; identifier: string }) => {
      const result = await deleteAuthConfigAction(config.id);
      if (!result.ok) throw new AuthConfigActionError(result.formError, result.notFound);
      return result.deleted;
    },
    // The detail is marked gone by the caller once it has moved the selection away: doing it
    // here would flash "not found" in the pane that is about to close.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authConfigKeys.lists() }),
    onError: async (error, config) => {
      if (error instanceof AuthConfigActionError && error.notFound) {
        queryClient.setQueryData(authConfigKeys.detail(config.id), null);
        await queryClient.invalidateQueries({ queryKey: authConfigKeys.lists() });
      }
      toast.error(`Could not delete ${config.identifier}`, { description: messageOf(error) });
    },
  });
}

/** Fetches a token through the broker; the outcome (success or a typed error) is the data. */
export function useTestAuthConfig(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const result = await testAuthConfigAction(id);
      if (!result.ok && "formError" in result) throw new AuthConfigActionError(result.formError);
      return { ...result, testedAt: new Date() };
    },
    // A test updates last used and tokens fetched, so the detail is refetched either way.
    onSettled: () => queryClient.invalidateQueries({ queryKey: authConfigKeys.detail(id) }),
    onError: (error) => {
      toast.error("Could not run the test", { description: messageOf(error) });
    },
  });
}

/** Saves who may fetch the config's tokens; the detail's copy is updated from the answer. */
export function useSetAuthConfigAccess(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (access: ApiAccessInput) => {
      const result = await setAuthConfigAccessAction(id, access);
      if (!result.ok && "formError" in result) {
        throw new AuthConfigActionError(result.formError, result.notFound);
      }
      return result;
    },
    onSuccess: (result) => {
      if (!result.ok) return;
      queryClient.setQueryData<AuthConfigDetail | null>(authConfigKeys.detail(id), (config) =>
        config ? { ...config, apiAccess: result.access } : config,
      );
    },
    onError: (error) => {
      if (error instanceof AuthConfigActionError && error.notFound) {
        queryClient.setQueryData(authConfigKeys.detail(id), null);
      }
      toast.error("Could not change API access", { description: messageOf(error) });
    },
  });
}

function messageOf(error: unknown): string {
  if (error instanceof AuthConfigActionError) return error.message;
  // Network failures and the like: the browser's message means nothing to an admin.
  return "The server could not be reached. Check your connection and try again.";
}
