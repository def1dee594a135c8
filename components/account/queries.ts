"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  changePasswordAction,
  listSessionsAction,
  revokeSessionAction,
  signOutEverywhereAction,
} from "@/app/(console)/account/actions";
import { toast } from "@/components/ui/toast";
import type { AdminSessionView } from "@/lib/auth/account-contract";
import type { ChangePasswordInput } from "@/lib/auth/account-schema";

/** Every query of the account page, named in one place so invalidation cannot miss one. */
export const accountKeys = {
  all: ["account"] as const,
  sessions: () => [...accountKeys.all, "sessions"] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class AccountActionError extends Error {
  override name = "AccountActionError";
}

export function useSessions(initial?: AdminSessionView[]) {
  return useQuery({
    queryKey: accountKeys.sessions(),
    queryFn: async () => {
      const result = await listSessionsAction();
      if (!result.ok) throw new AccountActionError(result.formError);
      return result.sessions;
    },
    initialData: initial,
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: ChangePasswordInput) => {
      const result = await changePasswordAction(input);
      // Field errors are an answer for the form, not a failure of the request.
      if (!result.ok && "formError" in result) throw new AccountActionError(result.formError);
      return result;
    },
    // The other sessions have ended: the list shows only this one now.
    onSuccess: async (result) => {
      if (result.ok) await queryClient.invalidateQueries({ queryKey: accountKeys.sessions() });
    },
    onError: (error) => {
      toast.error("Could not change the password", { description: messageOf(error) });
    },
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (session: { id: string; device: string }) => {
      const result = await revokeSessionAction({ id: session.id });
      if (!result.ok) throw new AccountActionError(result.formError);
      return result.revoked;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions() }),
    onError: (error, session) => {
      toast.error(`Could not sign out ${session.device}`, { description: messageOf(error) });
    },
  });
}

/** On success the server answers with a redirect to sign-in; only failures come back here. */
export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: async () => {
      const result = await signOutEverywhereAction({ confirmed: true });
      if (result && !result.ok) throw new AccountActionError(result.formError);
    },
    onError: (error) => {
      toast.error("Could not sign out everywhere", { description: messageOf(error) });
    },
  });
}

function messageOf(error: unknown): string {
  if (error instanceof AccountActionError) return error.message;
  // Network failures and the like: the browser's message means nothing to an admin.
  return "The server could not be reached. Check your connection and try again.";
}
