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
  takeSessionToken,
} from "@/lib/auth/session";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { getDb } from "@/lib/runtime";

export type AuthField = "email" | "password" | "confirmPassword";

export interface AuthFormState {
  fieldErrors?: Partial<Record<AuthField, string>>;
  formError?: string;
  email?: string;
}

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

export async function signInAction(
  _previous: AuthFormState,
  formData: FormData,
): Promise<AuthFormState> {
  const parsed = signInSchema.safeParse({
    email: text(formData, "email"),
    password: text(formData, "password"),
  });
  if (!parsed.success)
    return { fieldErrors: fieldErrorsOf<AuthField>(parsed.error), email: text(formData, "email") };
  const meta = await requestMeta();
  const result = await signIn(await getDb(), parsed.data, { ...meta, ...sessionLifetimes() });
  if (!result.ok) {
    const formError =
      result.error === "throttled"
        ? `Too many sign-in attempts. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`
        : "Incorrect email or password.";
    return { formError, email: parsed.data.email };
  }
  await setSessionCookie(result.token, result.expiresAt, meta.https);
  const next = text(formData, "next");
  redirect(isSafeReturnPath(next) ? next : "/auth-configs");
}

export async function setupAction(
  _previous: AuthFormState,
  formData: FormData,
): Promise<AuthFormState> {
  const input = {
    email: text(formData, "email"),
    password: text(formData, "password"),
    confirmPassword: text(formData, "confirmPassword"),
  };
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success)
    return { fieldErrors: fieldErrorsOf<AuthField>(parsed.error), email: input.email };
  const db = await getDb();
  const meta = await requestMeta();
  const { email, password } = parsed.data;
  const created = await createAdmin(
    db,
    { email, password },
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
