import "server-only";
import { eq, sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { adminSessions, adminSignInChallenges } from "@/db/schema";
import { hashToken, newToken } from "@/lib/auth/tokens";
import { newId } from "@/lib/ids";
import type { Role } from "./roles";

/** Who an admin is, without the request's session. */
export interface AdminIdentity {
  id: string;
  email: string;
}

export interface SignedInAdmin extends AdminIdentity {
  role: Role;
  /** Whether the admin has set up two-factor sign-in (TOTP). */
  twoFactorEnabled: boolean;
  /** Whether the organisation requires two-factor sign-in of every admin. */
  twoFactorRequired: boolean;
  /** The current session's public id (not its token), for "this session" in the account page. */
  sessionId: string;
}

/**
 * How long sessions last, as Keycloak's "SSO Session Max" and "SSO Session Idle": a session
 * ends `lifetimeHours` after sign-in (AUTHDESK_SESSION_HOURS), or earlier once unused for
 * `idleMinutes` (AUTHDESK_SESSION_IDLE_MINUTES). Both are measured on the database's clock, like
 * every other expiry, so instances whose clocks drift agree.
 */
export interface SessionPolicy {
  lifetimeHours: number;
  idleMinutes: number;
}

/**
 * Last-seen moves at most this often: a page load usually makes several reads, and one write a
 * minute per session is plenty for a timeout counted in minutes.
 */
const LAST_SEEN_PRECISION_SECONDS = 60;

export async function createSession(
  executor: Executor,
  adminId: string,
  options: SessionPolicy & { clientAddress: string | null; userAgent: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken();
  // Ended sessions are swept here rather than by a scheduler the embedded setup lacks.
  await executor.execute(sql`
    delete from admin_sessions
    where expires_at <= now() or last_seen_at <= now() - ${idleInterval(options.idleMinutes)}`);
  const [created] = await executor
    .insert(adminSessions)
    .values({
      tokenHash: hashToken(token),
      id: newId("ses"),
      adminId,
      expiresAt: sql`now() + make_interval(secs => ${options.lifetimeHours * 3600})`,
      clientAddress: options.clientAddress,
      userAgent: options.userAgent?.slice(0, 512) ?? null,
    })
    .returning({ expiresAt: adminSessions.expiresAt });
  if (!created) throw new Error("The session was not written");
  return { token, expiresAt: created.expiresAt };
}

/**
 * The admin a session token belongs to, if the session has neither expired nor gone idle; the
 * same statement records that it was seen, so reading a session costs one round trip.
 */
export async function findSessionAdmin(
  executor: Executor,
  token: string,
  policy: Pick<SessionPolicy, "idleMinutes">,
): Promise<SignedInAdmin | null> {
  const [row] = await queryRows<SignedInAdmin>(
    executor,
    sql`
    with live as (
      select s.token_hash, s.last_seen_at, s.id as session_id, a.id, a.email, a.role,
        a.totp_enabled_at is not null as two_factor_enabled
      from admin_sessions s join admins a on a.id = s.admin_id
      where s.token_hash = ${hashToken(token)} and s.expires_at > now()
        and s.last_seen_at > now() - ${idleInterval(policy.idleMinutes)}
    ), seen as (
      update admin_sessions set last_seen_at = now()
      where token_hash in (
        select token_hash from live
        where last_seen_at < now() - make_interval(secs => ${LAST_SEEN_PRECISION_SECONDS})
      )
    )
    select live.id, live.email, live.role, live.two_factor_enabled as "twoFactorEnabled",
      coalesce(o.require_two_factor, false) as "twoFactorRequired", live.session_id as "sessionId"
    from live left join organization_settings o on o.id = 1`,
  );
  return row ?? null;
}

export async function deleteSession(executor: Executor, token: string): Promise<void> {
  await executor.delete(adminSessions).where(eq(adminSessions.tokenHash, hashToken(token)));
}

function idleInterval(minutes: number) {
  return sql`make_interval(mins => ${minutes})`;
}

/**
 * Deletes the admin's sessions (all, or all but one) and their sign-ins still waiting for a
 * second factor: a half-finished sign-in proved a password that may be why this is happening.
 * Returns how many of the sessions were still live; rows of ended ones go too, uncounted.
 */
export async function endSessions(
  executor: Executor,
  adminId: string,
  { except, idleMinutes }: { except: string | null; idleMinutes: number },
): Promise<number> {
  const [ended] = await queryRows<{ live: number }>(
    executor,
    sql`
    with ended as (
      delete from admin_sessions
      where admin_id = ${adminId} ${except === null ? sql`` : sql`and id <> ${except}`}
      returning expires_at, last_seen_at
    )
    select count(*)::int as live from ended
    where expires_at > now() and last_seen_at > now() - make_interval(mins => ${idleMinutes})`,
  );
  await executor.delete(adminSignInChallenges).where(eq(adminSignInChallenges.adminId, adminId));
  return ended?.live ?? 0;
}
