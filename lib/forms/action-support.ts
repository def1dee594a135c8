import "server-only";
import type { ChangeContext } from "@/lib/audit/service";
import { requestMeta } from "@/lib/auth/session";
import type { SignedInAdmin } from "@/lib/auth/sessions";
import type { ActionFailure } from "./action-result";

/**
 * What the console's server actions share: who is changing something, and how an unexpected
 * failure is logged (for us) and reported (to the admin, without internals).
 */

export const UNEXPECTED_FAILURE =
  "Something went wrong on our side. Try again; if it keeps failing, check the server log.";

export async function changeContextFor(admin: SignedInAdmin): Promise<ChangeContext> {
  return {
    actor: { type: "admin", id: admin.id, label: admin.email },
    clientAddress: (await requestMeta()).clientAddress,
  };
}

export function unexpectedFailure(
  area: string,
  operation: string,
  admin: SignedInAdmin,
  error: unknown,
): ActionFailure {
  logActionFailure(area, operation, admin, error);
  return { ok: false, formError: UNEXPECTED_FAILURE };
}

/**
 * Logs the cause chain without drizzle's `params:` line, which would copy sealed values,
 * password hashes or (for a failure before sealing) the submitted input into the log.
 */
export function logActionFailure(
  area: string,
  operation: string,
  admin: SignedInAdmin,
  error: unknown,
): void {
  const causes: string[] = [];
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (!(current instanceof Error)) {
      causes.push(String(current).slice(0, 200));
      break;
    }
    const code = (current as { code?: unknown }).code;
    const firstLine = current.message.split("\nparams:")[0]?.slice(0, 500);
    causes.push(`${current.name}${code ? ` [${String(code)}]` : ""}: ${firstLine}`);
    current = current.cause;
  }
  console.error(
    `${area}: could not ${operation} for admin ${admin.id}: ${causes.join(" <- caused by ")}`,
  );
}

// Actions import it from here with the rest of their support; lib/api imports it directly,
// because this module reads Next's request headers, which server.ts cannot load.
export { assertNever } from "@/lib/utils/assert-never";
