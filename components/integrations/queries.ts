"use client";

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import {
  createConnectLinkAction,
  createIntegrationAction,
  deleteConnectionAction,
  deleteIntegrationAction,
  getIntegrationAction,
  listConnectionsAction,
  listIntegrationsAction,
  saveServiceConnectionAction,
  setApiAccessAction,
  setConnectReturnUrlsAction,
  testAuthCodeAction,
  updateIntegrationAuthAction,
} from "@/app/(console)/integrations/actions";
import { useSearchedList } from "@/components/shared/use-searched-list";
import { toast } from "@/components/ui/toast";
import type { ApiAccessInput } from "@/lib/api-access/schema";
import type {
  CreateConnectionResult,
  CreateConnectLinkResult,
  IntegrationDetail,
  IntegrationListItem,
  TestAuthCodeResult,
  UpdateAuthResult,
} from "@/lib/integrations/contract";
import type { CreateIntegrationInput } from "@/lib/integrations/schema";
import type { Page } from "@/lib/paging/contract";

/**
 * One place that names every integrations query, so invalidation cannot miss one. No key holds a
 * secret: sample values, connection values and OAuth credentials travel through the callbacks
 * below (useSaveAuth, useSampleTest, useSaveServiceConnection), never through a query or a
 * TanStack mutation, whose cache would keep them for minutes.
 */
export const integrationKeys = {
  all: ["integrations"] as const,
  lists: () => [...integrationKeys.all, "list"] as const,
  details: () => [...integrationKeys.all, "detail"] as const,
  detail: (id: string) => [...integrationKeys.details(), id] as const,
  /** Read afresh each time a confirmation that states it opens. */
  impact: (id: string) => [...integrationKeys.all, "impact", id] as const,
  connections: (id: string) => [...integrationKeys.all, "connections", id] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class IntegrationActionError extends Error {
  override name = "IntegrationActionError";
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

const UNREACHABLE = "The server could not be reached. Check your connection and try again.";

export function messageOf(error: unknown): string {
  if (error instanceof IntegrationActionError) return error.message;
  // Network failures and the like: the browser's message means nothing to an admin.
  return UNREACHABLE;
}

/** The list a page at a time with its search box, searching part of the name (see useSearchedList). */
export function useIntegrationList(initialPage?: Page<IntegrationListItem>) {
  return useSearchedList({
    queryKey: integrationKeys.lists(),
    list: listIntegrationsAction,
    initialPage,
  });
}

/** One integration; `null` data means it does not exist (any more). */
export function useIntegration(
  id: string,
  initial?: { id: string; integration: IntegrationDetail | null },
) {
  return useQuery({
    queryKey: integrationKeys.detail(id),
    queryFn: async () => {
      const result = await getIntegrationAction(id);
      if (!result.ok) throw new IntegrationActionError(result.formError);
      return result.integration;
    },
    initialData: initial && initial.id === id ? initial.integration : undefined,
  });
}

/**
 * What a deletion or a type change would take with it, asked afresh whenever a confirmation
 * opens: connections come and go through the public API while the page stays open. `null` means
 * the integration is gone.
 */
export function useIntegrationImpact(id: string, enabled: boolean) {
  return useQuery({
    queryKey: integrationKeys.impact(id),
    queryFn: async () => {
      const result = await getIntegrationAction(id);
      if (!result.ok) throw new IntegrationActionError(result.formError);
      if (!result.integration) return null;
      return {
        connectionCount: result.integration.connectionCount,
        hasOAuthClient: result.integration.oauthClient !== null,
      };
    },
    enabled,
    staleTime: 0,
    gcTime: 0,
  });
}

export function useCreateIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateIntegrationInput) => {
      const result = await createIntegrationAction(input);
      // Field errors are an answer for the form, not a failure of the request.
      if (!result.ok && "formError" in result) throw new IntegrationActionError(result.formError);
      return result;
    },
    onSuccess: async (result) => {
      if (!result.ok) return;
      queryClient.setQueryData(integrationKeys.detail(result.integration.id), result.integration);
      // Awaited, so the new integration is in the list by the time the dialog closes.
      await queryClient.invalidateQueries({ queryKey: integrationKeys.lists() });
    },
    onError: (error) => {
      toast.error("Could not create the integration", { description: messageOf(error) });
    },
  });
}

export function useDeleteIntegration() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (integration: { id: string; name: string }) => {
      const result = await deleteIntegrationAction(integration.id);
      if (!result.ok) throw new IntegrationActionError(result.formError, result.notFound);
      return result.deleted;
    },
    // The detail is marked gone by the caller once it has moved the selection away: doing it
    // here would flash "not found" in the pane that is about to close.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: integrationKeys.lists() }),
    onError: async (error, integration) => {
      if (error instanceof IntegrationActionError && error.notFound) {
        queryClient.setQueryData(integrationKeys.detail(integration.id), null);
        await queryClient.invalidateQueries({ queryKey: integrationKeys.lists() });
      }
      toast.error(`Could not delete ${integration.name}`, { description: messageOf(error) });
    },
  });
}

/**
 * Runs a server action whose input may hold secrets, with a pending flag, outside TanStack's
 * mutation cache (which would keep the input for minutes). A failure for the whole request
 * becomes a toast titled `failureTitle` and `null`; every other answer is returned.
 */
function useSecretCall<Input, Answer extends { ok: boolean }>(
  call: (input: Input) => Promise<Answer>,
  failureTitle: string,
  onAnswer?: (answer: Answer) => Promise<unknown> | undefined,
) {
  const [pending, setPending] = useState(false);
  const run = useCallback(
    async (input: Input): Promise<Exclude<Answer, { formError: string }> | null> => {
      setPending(true);
      try {
        const answer = await call(input);
        await onAnswer?.(answer);
        if (!answer.ok && "formError" in answer) {
          toast.error(failureTitle, { description: String(answer.formError) });
          return null;
        }
        return answer as Exclude<Answer, { formError: string }>;
      } catch {
        toast.error(failureTitle, { description: UNREACHABLE });
        return null;
      } finally {
        setPending(false);
      }
    },
    [call, failureTitle, onAnswer],
  );
  return { run, pending };
}

/** The body of updateIntegrationAuthAction, as the editor builds it (z.input of the schema). */
export type UpdateAuthBody = Parameters<typeof updateIntegrationAuthAction>[1];

/** The auth editor's Save. The body may carry OAuth client credentials. */
export function useSaveAuth(id: string) {
  const queryClient = useQueryClient();
  const call = useCallback((body: UpdateAuthBody) => updateIntegrationAuthAction(id, body), [id]);
  const onAnswer = useCallback(
    async (answer: UpdateAuthResult) => {
      if (answer.ok) {
        queryClient.setQueryData(integrationKeys.detail(id), answer.integration);
      } else if ("notFound" in answer && answer.notFound) {
        queryClient.setQueryData(integrationKeys.detail(id), null);
      } else {
        return;
      }
      // The list shows the type; a type change deletes connections.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: integrationKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: integrationKeys.connections(id) }),
      ]);
    },
    [id, queryClient],
  );
  const { run, pending } = useSecretCall(call, "Could not save the auth configuration", onAnswer);
  return { save: run, pending };
}

export type SampleTestInput = Parameters<typeof testAuthCodeAction>[1];

/** "Test with sample values": the values go to the server once and are kept nowhere. */
export function useSampleTest(id: string) {
  const call = useCallback((input: SampleTestInput) => testAuthCodeAction(id, input), [id]);
  const { run, pending } = useSecretCall<SampleTestInput, TestAuthCodeResult>(
    call,
    "Could not run the test",
  );
  return { runTest: run, pending };
}

/** Adds or replaces a SERVICE_ACCOUNT integration's service connection. */
export function useSaveServiceConnection(id: string) {
  const queryClient = useQueryClient();
  const call = useCallback(
    (values: Record<string, string>) => saveServiceConnectionAction(id, values),
    [id],
  );
  const onAnswer = useCallback(
    async (answer: CreateConnectionResult) => {
      if (!answer.ok) return;
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: integrationKeys.connections(id) }),
        // The connection count lives in the detail.
        queryClient.invalidateQueries({ queryKey: integrationKeys.detail(id) }),
      ]);
    },
    [id, queryClient],
  );
  const { run, pending } = useSecretCall(call, "Could not save the service connection", onAnswer);
  return { saveConnection: run, pending };
}

/** The connections, newest first, a page at a time ("Load more"). */
export function useConnections(id: string) {
  return useInfiniteQuery({
    queryKey: integrationKeys.connections(id),
    queryFn: async ({ pageParam }) => {
      const result = await listConnectionsAction(id, pageParam ?? undefined);
      if (!result.ok) throw new IntegrationActionError(result.formError);
      return result;
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

export function useDeleteConnection(integrationId: string) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: integrationKeys.connections(integrationId) }),
      queryClient.invalidateQueries({ queryKey: integrationKeys.detail(integrationId) }),
    ]);
  return useMutation({
    mutationFn: async (connection: { id: string; name: string }) => {
      const result = await deleteConnectionAction(integrationId, connection.id);
      if (!result.ok) throw new IntegrationActionError(result.formError, result.notFound);
      return connection;
    },
    onSuccess: refresh,
    onError: async (error, connection) => {
      // Gone already (deleted through the API, or by a type change): show today's list.
      if (error instanceof IntegrationActionError && error.notFound) await refresh();
      toast.error(`Could not delete the connection of ${connection.name}`, {
        description: messageOf(error),
      });
    },
  });
}

export function useSetApiAccess(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (access: ApiAccessInput) => {
      const result = await setApiAccessAction(id, access);
      if (!result.ok && "formError" in result) {
        throw new IntegrationActionError(result.formError, result.notFound);
      }
      return result;
    },
    onSuccess: (result) => {
      if (result.ok) queryClient.setQueryData(integrationKeys.detail(id), result.integration);
    },
    onError: (error) => {
      if (error instanceof IntegrationActionError && error.notFound) {
        queryClient.setQueryData(integrationKeys.detail(id), null);
      }
      toast.error("Could not change API access", { description: messageOf(error) });
    },
  });
}

/** The return-URL allowlist: each add or remove saves the whole list. */
export function useSetReturnUrls(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (urls: string[]) => {
      const result = await setConnectReturnUrlsAction(id, urls);
      if (!result.ok && "formError" in result) {
        throw new IntegrationActionError(result.formError, result.notFound);
      }
      return result;
    },
    onSuccess: (result) => {
      if (result.ok) queryClient.setQueryData(integrationKeys.detail(id), result.integration);
    },
    onError: (error) => {
      if (error instanceof IntegrationActionError && error.notFound) {
        queryClient.setQueryData(integrationKeys.detail(id), null);
      }
      toast.error("Could not save the return URLs", { description: messageOf(error) });
    },
  });
}

/**
 * "Connect as…". The answer holds a working link, so it goes through a plain call, not a
 * TanStack mutation whose cache would keep it.
 */
export function useCreateConnectLink(id: string) {
  const call = useCallback(
    (input: { endUserId: string; returnUrl?: string }) => createConnectLinkAction(id, input),
    [id],
  );
  const { run, pending } = useSecretCall<
    { endUserId: string; returnUrl?: string },
    CreateConnectLinkResult
  >(call, "Could not make the link");
  return { createLink: run, pending };
}
