"use server";

import { redirect } from "next/navigation";
import { changePassword, listSessions, revokeSession, signOutEverywhere } from "@/lib/auth/account";
import {
  adminSessionListOutput,
  type ChangePasswordResult,
  type ListSessionsResult,
  type RevokeSessionResult,
  type SignOutEverywhereResult,
} from "@/lib/auth/account-contract";
import {
  type ChangePasswordFields,
  type ChangePasswordInput,
  changePasswordSchema,
  type RevokeSessionInput,
  revokeSessionSchema,
  type SignOutEverywhereInput,
  signOutEverywhereSchema,
} from "@/lib/auth/account-schema";
import { requestMeta, requireSignedIn, sessionPolicy, takeSessionToken } from "@/lib/auth/session";
import { assertNever, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { getDb } from "@/lib/runtime";

/*
 * The signed-in admin's own account. Every export is a public endpoint: each one checks the
 * session itself with requireSignedIn (every role may manage its own account, also while a
 * required two-factor set-up is still owed), parses its arguments, and acts only on the admin
 * whose session calls it.
 */

const SESSION_NOT_FOUND = "This session has already ended.";

export async function changePasswordAction(
  input: ChangePasswordInput,
): Promise<ChangePasswordResult> {
  const admin = await requireSignedIn();
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf<ChangePasswordFields>(parsed.error) };
  }
  try {
    const { clientAddress } = await requestMeta();
    const result = await changePassword(await getDb(), admin, parsed.data, {
      sessionId: admin.sessionId,
      clientAddress,
      idleMinutes: sessionPolicy().idleMinutes,
    });
    if (result.ok) return { ok: true, otherSessionsEnded: result.otherSessionsEnded };
    switch (result.error) {
      case "wrong_password":
        return { ok: false, fieldErrors: { currentPassword: "Incorrect password" } };
      case "throttled":
        return {
          ok: false,
          formError: `Too many incorrect passwords. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`,
        };
      case "not_found":
        // The admin was removed while this request ran; their session has ended with them.
        return { ok: false, formError: "Your account no longer exists." };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("account", "change the password", admin, error);
  }
}

export async function listSessionsAction(): Promise<ListSessionsResult> {
  const admin = await requireSignedIn();
  try {
    const sessions = await listSessions(await getDb(), admin.id, admin.sessionId, sessionPolicy());
    return { ok: true, sessions: adminSessionListOutput.parse(sessions) };
  } catch (error) {
    return unexpectedFailure("account", "list sessions", admin, error);
  }
}

/** Ends one of the caller's sessions; ending the one it is made with signs this browser out. */
export async function revokeSessionAction(input: RevokeSessionInput): Promise<RevokeSessionResult> {
  const admin = await requireSignedIn();
  const parsed = revokeSessionSchema.safeParse(input);
  // A malformed id names no session of this admin's: the same answer as an ended one.
  if (!parsed.success) return { ok: false, formError: SESSION_NOT_FOUND, notFound: true };
  let result: Awaited<ReturnType<typeof revokeSession>>;
  try {
    const { clientAddress } = await requestMeta();
    result = await revokeSession(await getDb(), admin, parsed.data.id, { clientAddress });
  } catch (error) {
    return unexpectedFailure("account", "end a session", admin, error);
  }
  if (!result.ok) return { ok: false, formError: SESSION_NOT_FOUND, notFound: true };
  if (result.revoked.id === admin.sessionId) await signedOutHere();
  return { ok: true, revoked: result.revoked };
}

/** Ends every session of the caller, this browser's included, and goes to sign-in. */
export async function signOutEverywhereAction(
  input: SignOutEverywhereInput,
): Promise<SignOutEverywhereResult> {
  const admin = await requireSignedIn();
  const parsed = signOutEverywhereSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, formError: "Confirm that every session should end, this one included." };
  }
  try {
    const { clientAddress } = await requestMeta();
    await signOutEverywhere(await getDb(), admin, {
      clientAddress,
      idleMinutes: sessionPolicy().idleMinutes,
    });
  } catch (error) {
    return unexpectedFailure("account", "sign out everywhere", admin, error);
  }
  return signedOutHere();
}

/** Outside any try: redirect() throws to end the action. */
async function signedOutHere(): Promise<never> {
  await takeSessionToken();
  redirect("/login");
}
