"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  createApiGroupAction,
  createTillAction,
  deleteApiGroupAction,
  deleteTillAction,
  describeApiGroupDeletionAction,
  getSettingsAction,
  listApiGroupsAction,
  listTillsAction,
  setBasicAuthEnabledAction,
} from "@/app/(console)/settings/actions";
import { usePagedList } from "@/components/shared/use-paged-list";
import { useSearchedList } from "@/components/shared/use-searched-list";
import { toast } from "@/components/ui/toast";
import type { ApiGroup, CreateApiGroupFormInput } from "@/lib/api-groups/contract";
import type { Page } from "@/lib/paging/contract";
import type { OrganizationSettingsView } from "@/lib/settings/contract";
import type { CreateTillFormInput, Till } from "@/lib/tills/contract";

/**
 * One place that names every settings query, so invalidation cannot miss one. The API-clients
 * area reads tills and groups through these keys too (its register form lists them), and
 * invalidates them when a client comes or goes, because both lists count clients.
 */
export const settingsKeys = {
  all: ["settings"] as const,
  organization: () => [...settingsKeys.all, "organization"] as const,
  tills: () => [...settingsKeys.all, "tills"] as const,
  apiGroups: () => [...settingsKeys.all, "api-groups"] as const,
  groupDeletion: (id: string) => [...settingsKeys.apiGroups(), id, "deletion"] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class SettingsActionError extends Error {
  override name = "SettingsActionError";
  constructor(
    message: string,
    readonly reason: "notFound" | "inUse" | null = null,
  ) {
    super(message);
  }
}

export function useOrganizationSettings(initial?: OrganizationSettingsView) {
  return useQuery({
    queryKey: settingsKeys.organization(),
    queryFn: async () => {
      const result = await getSettingsAction();
      if (!result.ok) throw new SettingsActionError(result.formError);
      return result.settings;
    },
    initialData: initial,
  });
}

/** The tills a page at a time, filtered by part of the code or name (see usePagedList). */
export function useTills(initialPage?: Page<Till>) {
  return usePagedList({
    queryKey: settingsKeys.tills(),
    list: listTillsAction,
    search: "",
    initialPage,
  });
}

/** The tills card's list: pages with a search box, by part of the code or name. */
export function useTillList(initialPage?: Page<Till>) {
  return useSearchedList({ queryKey: settingsKeys.tills(), list: listTillsAction, initialPage });
}

export function useApiGroups(initial?: ApiGroup[]) {
  return useQuery({
    queryKey: settingsKeys.apiGroups(),
    queryFn: async () => {
      const result = await listApiGroupsAction();
      if (!result.ok) throw new SettingsActionError(result.formError);
      return result.groups;
    },
    initialData: initial,
  });
}

/**
 * Saves the switch at once. The card shows the requested value while this runs and the cached
 * (server's) value after, so a refusal puts the control back where the server has it.
 */
export function useSetBasicAuthEnabled() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (enabled: boolean) => {
      const result = await setBasicAuthEnabledAction({ enabled });
      if (!result.ok) throw new SettingsActionError(result.formError);
      return result;
    },
    onSuccess: (result) => {
      queryClient.setQueryData(settingsKeys.organization(), result.settings);
      const enabled = result.settings.basicAuthEnabled;
      toast.success(enabled ? "Basic authentication enabled" : "Basic authentication disabled", {
        description: enabled
          ? "The public API accepts a till's code and password again."
          : "Requests with a till's code and password now get 401; access tokens still work.",
      });
    },
    onError: (error) => {
      toast.error("Could not change Basic authentication", { description: messageOf(error) });
    },
  });
}

export function useCreateTill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateTillFormInput) => {
      const result = await createTillAction(input);
      // Field errors are an answer for the form, not a failure of the request.
      if (!result.ok && "formError" in result) throw new SettingsActionError(result.formError);
      return result;
    },
    // Awaited, so the new till is in the table by the time the dialog closes.
    onSuccess: async (result) => {
      if (result.ok) await queryClient.invalidateQueries({ queryKey: settingsKeys.tills() });
    },
    onError: (error) => {
      toast.error("Could not add the till", { description: messageOf(error) });
    },
  });
}

/** A refusal because clients use the till is shown in the dialog, not as a toast. */
export function useDeleteTill() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (till: { id: string; code: string }) => {
      const result = await deleteTillAction({ id: till.id });
      if (!result.ok) {
        const reason = result.notFound ? "notFound" : result.inUse ? "inUse" : null;
        throw new SettingsActionError(result.formError, reason);
      }
      return result.deleted;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: settingsKeys.tills() }),
    onError: (error, till) => {
      if (error instanceof SettingsActionError && error.reason === "inUse") return;
      toast.error(`Could not delete till ${till.code}`, { description: messageOf(error) });
    },
  });
}

export function useCreateApiGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateApiGroupFormInput) => {
      const result = await createApiGroupAction(input);
      if (!result.ok && "formError" in result) throw new SettingsActionError(result.formError);
      return result;
    },
    onSuccess: async (result) => {
      if (result.ok) await queryClient.invalidateQueries({ queryKey: settingsKeys.apiGroups() });
    },
    onError: (error) => {
      toast.error("Could not add the API group", { description: messageOf(error) });
    },
  });
}

/** What deleting a group would take away; always asked afresh when the confirmation opens. */
export function useGroupDeletionPreview(id: string, enabled: boolean) {
  return useQuery({
    queryKey: settingsKeys.groupDeletion(id),
    queryFn: async () => {
      const result = await describeApiGroupDeletionAction({ id });
      if (!result.ok) throw new SettingsActionError(result.formError);
      return result.preview;
    },
    enabled,
    staleTime: 0,
    gcTime: 0,
  });
}

export function useDeleteApiGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (group: { id: string; name: string }) => {
      const result = await deleteApiGroupAction({ id: group.id });
      if (!result.ok) {
        throw new SettingsActionError(result.formError, result.notFound ? "notFound" : null);
      }
      return result;
    },
    // Clients' permissions changed too. The literal is apiClientKeys.all, written out because
    // that module imports this one.
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: settingsKeys.apiGroups() }),
        queryClient.invalidateQueries({ queryKey: ["api-clients"] }),
      ]),
    onError: (error, group) => {
      toast.error(`Could not delete ${group.name}`, { description: messageOf(error) });
    },
  });
}

function messageOf(error: unknown): string {
  if (error instanceof SettingsActionError) return error.message;
  // Network failures and the like: the browser's message means nothing to an admin.
  return "The server could not be reached. Check your connection and try again.";
}
