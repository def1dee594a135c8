"use server";

import { redirect } from "next/navigation";
import type { InvitationProblem } from "@/lib/admins/contract";
import { acceptInvitationSchema } from "@/lib/admins/schema";
import { acceptInvitation } from "@/lib/admins/service";
import { requestMeta, sessionPolicy, setSessionCookie } from "@/lib/auth/session";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { FORM_UNREADABLE, formText, submittedForm } from "@/lib/forms/form-data";
import { getDb } from "@/lib/runtime";

export type AcceptField = "password" | "confirmPassword";

export interface AcceptFormState {
  fieldErrors?: Partial<Record<AcceptField, string>>;
  formError?: string;
  /** The link stopped working between showing the page and submitting it. */
  problem?: InvitationProblem;
}

/**
 * Public, like sign-in: the invitee has no session yet. What proves the right to an account is
 * the link's token, which the page's form carries back in a hidden field.
 */
export async function acceptInvitationAction(
  _previous: unknown,
  submitted: unknown,
): Promise<AcceptFormState> {
  const formData = submittedForm(submitted);
  if (!formData) return { formError: FORM_UNREADABLE };
  const parsed = acceptInvitationSchema.safeParse({
    token: formText(formData, "token"),
    password: formText(formData, "password"),
    confirmPassword: formText(formData, "confirmPassword"),
  });
  if (!parsed.success) {
    if (parsed.error.issues.some((issue) => issue.path[0] === "token")) {
      return { problem: "unknown" };
    }
    return { fieldErrors: fieldErrorsOf<AcceptField>(parsed.error) };
  }
  const meta = await requestMeta();
  const result = await acceptInvitation(
    await getDb(),
    { token: parsed.data.token, password: parsed.data.password },
    { ...meta, ...sessionPolicy() },
  );
  if (!result.ok) return { problem: result.error };
  await setSessionCookie(result.token, result.expiresAt, meta.https);
  redirect("/auth-configs");
}
