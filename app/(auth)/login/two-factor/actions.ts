"use server";

import { redirect } from "next/navigation";
import {
  clearSignInChallengeCookie,
  isSafeReturnPath,
  readSignInChallengeToken,
  requestMeta,
  sessionPolicy,
  setSessionCookie,
} from "@/lib/auth/session";
import { completeSignInChallenge } from "@/lib/auth/two-factor";
import { secondFactorSchema } from "@/lib/auth/two-factor-schema";
import { assertNever } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { FORM_UNREADABLE, formText, submittedForm } from "@/lib/forms/form-data";
import { startRuntime } from "@/lib/runtime";

export interface SecondFactorFormState {
  fieldErrors?: { code?: string };
  formError?: string;
  /** The sign-in has ended (expired, or too many wrong answers): only the password page helps. */
  restart?: boolean;
}

const SIGN_IN_ENDED =
  "This sign-in has ended: it expired after 5 minutes, or had too many wrong codes. Sign in with your password again.";

/**
 * The second step of signing in, after a right password (app/(auth)/actions.ts): the sign-in's
 * cookie names the challenge; a right code or recovery code turns it into a session.
 */
export async function secondFactorAction(
  _previous: unknown,
  submitted: unknown,
): Promise<SecondFactorFormState> {
  const formData = submittedForm(submitted);
  if (!formData) return { formError: FORM_UNREADABLE };
  const challengeToken = await readSignInChallengeToken();
  if (!challengeToken) return { formError: SIGN_IN_ENDED, restart: true };
  const parsed = secondFactorSchema.safeParse({
    method: formText(formData, "method"),
    code: formText(formData, "code"),
  });
  if (!parsed.success) return { fieldErrors: fieldErrorsOf<"code">(parsed.error) };
  const { database, keyring } = await startRuntime();
  const meta = await requestMeta();
  const { lifetimeHours, idleMinutes } = sessionPolicy();
  const result = await completeSignInChallenge(
    database.db,
    keyring,
    {
      challengeToken,
      answer:
        parsed.data.method === "totp"
          ? { type: "totp", code: parsed.data.code }
          : { type: "recovery_code", code: parsed.data.code },
    },
    { ...meta, sessionHours: lifetimeHours, sessionIdleMinutes: idleMinutes },
  );
  if (result.ok) {
    await clearSignInChallengeCookie();
    await setSessionCookie(result.token, result.expiresAt, meta.https);
    const next = formText(formData, "next");
    redirect(isSafeReturnPath(next) ? next : "/auth-configs");
  }
  switch (result.error) {
    case "challenge_ended":
      await clearSignInChallengeCookie();
      return { formError: SIGN_IN_ENDED, restart: true };
    case "wrong_answer": {
      const what = parsed.data.method === "totp" ? "code" : "recovery code";
      const left = `${result.attemptsLeft} ${result.attemptsLeft === 1 ? "try" : "tries"} left`;
      return { fieldErrors: { code: `That ${what} is not right (${left}).` } };
    }
    case "throttled":
      return {
        formError: `Too many wrong codes. Try again in ${Math.ceil(result.retryAfterSeconds / 60)} minute(s).`,
      };
    default:
      return assertNever(result);
  }
}
