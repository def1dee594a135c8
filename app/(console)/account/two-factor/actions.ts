"use server";

import { requestMeta, requireSignedIn, sessionPolicy } from "@/lib/auth/session";
import {
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  getTwoFactorStatus,
  regenerateRecoveryCodes,
} from "@/lib/auth/two-factor";
import {
  type ConfirmTwoFactorInput,
  type CurrentPasswordInput,
  confirmTwoFactorSchema,
  currentPasswordSchema,
  type TwoFactorStatusView,
} from "@/lib/auth/two-factor-schema";
import type { ActionFailure } from "@/lib/forms/action-result";
import { assertNever, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import { startRuntime } from "@/lib/runtime";

/*
 * The signed-in admin's own two-factor sign-in. Own-account actions: requireSignedIn, not
 * requireAdmin, because an admin the organisation requires to set it up must reach them, and
 * no role is needed to protect one's own account.
 */

export type TwoFactorStatusResult = { ok: true; status: TwoFactorStatusView } | ActionFailure;

export async function getTwoFactorStatusAction(): Promise<TwoFactorStatusResult> {
  const admin = await requireSignedIn();
  try {
    const { database } = await startRuntime();
    return { ok: true, status: await getTwoFactorStatus(database.db, admin.id) };
  } catch (error) {
    return unexpectedFailure("account", "read two-factor status", admin, error);
  }
}

export type RecoveryCodesResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; fieldErrors: { code?: string; password?: string } }
  | ActionFailure;

export async function confirmTwoFactorAction(
  input: ConfirmTwoFactorInput,
): Promise<RecoveryCodesResult> {
  const admin = await requireSignedIn();
  const parsed = confirmTwoFactorSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf<"code" | "password">(parsed.error) };
  }
  try {
    const { database, keyring } = await startRuntime();
    const { clientAddress } = await requestMeta();
    const result = await confirmTwoFactorEnrolment(database.db, keyring, admin, parsed.data, {
      clientAddress,
      idleMinutes: sessionPolicy().idleMinutes,
    });
    if (result.ok) return { ok: true, recoveryCodes: result.recoveryCodes };
    switch (result.error) {
      case "wrong_password":
        return { ok: false, fieldErrors: { password: WRONG_PASSWORD } };
      case "throttled":
        return { ok: false, formError: throttledMessage(result.retryAfterSeconds) };
      case "wrong_code":
        return {
          ok: false,
          fieldErrors: {
            code: "That code does not match. Check the app shows Authdesk and try the current code.",
          },
        };
      case "not_started":
        return {
          ok: false,
          formError:
            "Set-up was started again elsewhere, or not at all. Reload this page for a new code to scan.",
        };
      case "already_enabled":
        return { ok: false, formError: "Two-factor sign-in is already on for your account." };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("account", "turn on two-factor", admin, error);
  }
}

const WRONG_PASSWORD = "That is not your current password.";

function throttledMessage(retryAfterSeconds: number): string {
  return `Too many wrong passwords. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`;
}

export async function regenerateRecoveryCodesAction(
  input: CurrentPasswordInput,
): Promise<RecoveryCodesResult> {
  const admin = await requireSignedIn();
  const parsed = currentPasswordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf<"password">(parsed.error) };
  try {
    const { database } = await startRuntime();
    const { clientAddress } = await requestMeta();
    const result = await regenerateRecoveryCodes(database.db, admin, parsed.data.password, {
      clientAddress,
    });
    if (result.ok) return result;
    switch (result.error) {
      case "wrong_password":
        return { ok: false, fieldErrors: { password: WRONG_PASSWORD } };
      case "throttled":
        return { ok: false, formError: throttledMessage(result.retryAfterSeconds) };
      case "not_enabled":
        return {
          ok: false,
          formError: "Two-factor sign-in is off: there are no codes to replace.",
        };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("account", "regenerate recovery codes", admin, error);
  }
}

export type DisableTwoFactorActionResult =
  | { ok: true }
  | { ok: false; fieldErrors: { password?: string } }
  | ActionFailure;

export async function disableTwoFactorAction(
  input: CurrentPasswordInput,
): Promise<DisableTwoFactorActionResult> {
  const admin = await requireSignedIn();
  const parsed = currentPasswordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf<"password">(parsed.error) };
  try {
    const { database } = await startRuntime();
    const { clientAddress } = await requestMeta();
    const result = await disableTwoFactor(database.db, admin, parsed.data.password, {
      clientAddress,
    });
    if (result.ok) return result;
    switch (result.error) {
      case "wrong_password":
        return { ok: false, fieldErrors: { password: WRONG_PASSWORD } };
      case "throttled":
        return { ok: false, formError: throttledMessage(result.retryAfterSeconds) };
      case "required_by_organisation":
        return {
          ok: false,
          formError:
            "Your organisation requires two-factor sign-in for every admin, so it cannot be turned off. An owner can change that in Settings.",
        };
      case "not_enabled":
        return { ok: false, formError: "Two-factor sign-in is already off." };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("account", "turn off two-factor", admin, error);
  }
}
