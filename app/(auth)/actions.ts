"use server";

import { redirect } from "next/navigation";
import { setupSchema, signInSchema } from "@/lib/auth/schema";
import { createAdmin, signIn, signOut } from "@/lib/auth/service";
import {
  currentAdmin,
  isSafeReturnPath,
  requestMeta,
  sessionPolicy,
  setSessionCookie,
  setSignInChallengeCookie,
  takeSessionToken,
} from "@/lib/auth/session";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { FORM_UNREADABLE, formText, submittedForm } from "@/lib/forms/form-data";
import { getDb } from "@/lib/runtime";

export type AuthField = "email" | "password" | "confirmPassword";

export interface AuthFormState {
  fieldErrors?: Partial<Record<AuthField, string>>;
  formError?: string;
  email?: string;
}

export async function signInAction(_previous: unknown, submitted: unknown): Promise<AuthFormState> {
  const formData = submittedForm(submitted);
  if (!formData) return { formError: FORM_UNREADABLE };
  const parsed = signInSchema.safeParse({
    email: formText(formData, "email"),
    password: formText(formData, "password"),
  });
  if (!parsed.success)
    return {
      fieldErrors: fieldErrorsOf<AuthField>(parsed.error),
      email: formText(formData, "email"),
    };
  const meta = await requestMeta();
  const result = await signIn(await getDb(), parsed.data, { ...meta, ...sessionLifetimes() });
  const next = formText(formData, "next");
  const returnTo = isSafeReturnPath(next) ? next : undefined;
  if (!result.ok && result.error === "second_factor_required") {
    await setSignInChallengeCookie(result.challengeToken, result.expiresAt, meta.https);
    redirect(`/login/two-factor${returnTo ? `?next=${encodeURIComponent(returnTo)}` : ""}`);
  }
  if (!result.ok) {
    const formError =
      result.error === "throttled"
        ? `Too many sign-in attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`
        : "Incorrect email or password.";
    return { formError, email: parsed.data.email };
  }
  await setSessionCookie(result.token, result.expiresAt, meta.https);
  redirect(returnTo ?? "/auth-configs");
}

export async function setupAction(_previous: unknown, submitted: unknown): Promise<AuthFormState> {
  const formData = submittedForm(submitted);
  if (!formData) return { formError: FORM_UNREADABLE };
  const input = {
    email: formText(formData, "email"),
    password: formText(formData, "password"),
    confirmPassword: formText(formData, "confirmPassword"),
  };
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success)
    return { fieldErrors: fieldErrorsOf<AuthField>(parsed.error), email: input.email };
  const db = await getDb();
  const meta = await requestMeta();
  const { email, password } = parsed.data;
  const created = await createAdmin(
    db,
    { email, password, role: "owner" },
    {
      actor: { type: "anonymous", label: email },
      via: "setup",
      firstOnly: true,
      meta,
    },
  );
  if (!created.ok) {
    return { formError: "Setup is already complete. Sign in with an existing admin account." };
  }
  const session = await signIn(db, { email, password }, { ...meta, ...sessionLifetimes() });
  if (!session.ok) redirect("/login");
  await setSessionCookie(session.token, session.expiresAt, meta.https);
  redirect("/auth-configs");
}

export async function signOutAction(): Promise<void> {
  const admin = await currentAdmin();
  const token = await takeSessionToken();
  if (admin && token) await signOut(await getDb(), admin, token, await requestMeta());
  redirect("/login");
}

function sessionLifetimes() {
  const { lifetimeHours, idleMinutes } = sessionPolicy();
  return { sessionHours: lifetimeHours, sessionIdleMinutes: idleMinutes };
}
