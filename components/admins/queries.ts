"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  changeAdminRoleAction,
  inviteAdminAction,
  listAdminsAction,
  removeAdminAction,
  revokeInvitationAction,
} from "@/app/(console)/admins/actions";
import { toast } from "@/components/ui/toast";
import type { AdminsOverview } from "@/lib/admins/contract";
import type { Role } from "@/lib/auth/roles";

/** One place that names every admins query, so invalidation cannot miss one. */
export const adminsKeys = {
  all: ["admins"] as const,
  overview: () => [...adminsKeys.all, "overview"] as const,
};

/** A failure the server already put into words for people (the cause is in its log). */
export class AdminsActionError extends Error {
  override name = "AdminsActionError";
}

function messageOf(error: unknown): string {
  return error instanceof AdminsActionError
    ? error.message
    : "The request did not reach the server. Check your connection and try again.";
}

export function useAdminsOverview(initial: AdminsOverview) {
  return useQuery({
    queryKey: adminsKeys.overview(),
    queryFn: async () => {
      const result = await listAdminsAction();
      if (!result.ok) throw new AdminsActionError(result.formError);
      return result.overview;
    },
    initialData: initial,
  });
}

export function useInviteAdmin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { email: string; role: Role }) => {
      const result = await inviteAdminAction(input);
      // Field errors are an answer for the form, not a failure of the request.
      if (!result.ok && "formError" in result) throw new AdminsActionError(result.formError);
      return result;
    },
    onSuccess: async (result) => {
      if (result.ok) await queryClient.invalidateQueries({ queryKey: adminsKeys.all });
    },
    onError: (error) => {
      toast.error("Could not invite the admin", { description: messageOf(error) });
    },
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const result = await revokeInvitationAction({ id });
      if (!result.ok) throw new AdminsActionError(result.formError);
      return result;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminsKeys.all }),
    onError: (error) => {
      toast.error("Could not revoke the invitation", { description: messageOf(error) });
    },
  });
}

/** Refusals (the last owner) are shown in the dialog that asked, not as a toast. */
export function useChangeRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: { adminId: string; role: Role }) => {
      const result = await changeAdminRoleAction(input);
      if (!result.ok) throw new AdminsActionError(result.formError);
      return result.admin;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminsKeys.all }),
  });
}

export function useRemoveAdmin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (adminId: string) => {
      const result = await removeAdminAction({ adminId });
      if (!result.ok) throw new AdminsActionError(result.formError);
      return result.removed;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminsKeys.all }),
  });
}

export { messageOf as adminsErrorMessage };
