import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";
import type { ChangePasswordFields } from "./account-schema";

/*
 * What the "Your account" page receives from the server, shared by the page, its actions and
 * the browser. The output schema is an allowlist: what leaves the server is parsed through it,
 * so a column the service reads later (the token hash, say) is dropped instead of shipped.
 */

export const adminSessionOutput = z.object({
  id: z.string(),
  device: z.string(),
  userAgent: z.string().nullable(),
  clientAddress: z.string().nullable(),
  signedInAt: z.date(),
  lastSeenAt: z.date(),
  current: z.boolean(),
});

export type AdminSessionView = z.output<typeof adminSessionOutput>;

export const adminSessionListOutput = z.array(adminSessionOutput);

export type { ActionFailure };

export type ChangePasswordResult =
  | { ok: true; otherSessionsEnded: number }
  | { ok: false; fieldErrors: Partial<Record<ChangePasswordFields, string>> }
  | ActionFailure;

export type ListSessionsResult = { ok: true; sessions: AdminSessionView[] } | ActionFailure;

/** `notFound`: the session had already ended, or was never this admin's. */
export type RevokeSessionResult =
  | { ok: true; revoked: { id: string; device: string } }
  | (ActionFailure & { notFound?: boolean });

/** On success the action redirects to sign-in instead of answering. */
export type SignOutEverywhereResult = ActionFailure;
