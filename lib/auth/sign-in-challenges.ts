import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { adminSignInChallenges } from "@/db/schema";
import { hashToken, newToken } from "@/lib/auth/tokens";

/*
 * A sign-in whose password was right, waiting for the second factor. The browser holds the
 * token in a short-lived cookie; the table holds its SHA-256, as for sessions. The lifetime is
 * measured on the database's clock, like every other expiry, so instances agree.
 */

export const CHALLENGE_LIFETIME_SECONDS = 5 * 60;
/** Wrong answers a challenge takes before it ends and the password must be typed again. */
export const MAX_CHALLENGE_FAILURES = 5;

export async function createSignInChallenge(
  executor: Executor,
  adminId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  // Ended challenges are swept here, as ended sessions are when one is created.
  await executor.execute(sql`delete from admin_sign_in_challenges where expires_at <= now()`);
  const [created] = await executor
    .insert(adminSignInChallenges)
    .values({
      tokenHash: hashToken(token),
      adminId,
      expiresAt: sql`now() + make_interval(secs => ${CHALLENGE_LIFETIME_SECONDS})`,
    })
    .returning({ expiresAt: adminSignInChallenges.expiresAt });
  if (!created) throw new Error("The sign-in challenge was not written");
  return { token, expiresAt: created.expiresAt };
}
