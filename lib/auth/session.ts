import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER, PATH_HEADER, PROTOCOL_HEADER } from "@/lib/http/request-context";
import { getDb } from "@/lib/runtime";
import type { RequestMeta } from "./service";
import { sessionCookieName, signInChallengeCookieName } from "./session-cookie";
import { findSessionAdmin, type SessionPolicy, type SignedInAdmin } from "./sessions";

/* Next-side session helpers: every page, action and route handler calls one of these itself. */

/** The configured session lifetimes (lib/auth/sessions.ts). */
export function sessionPolicy(): SessionPolicy {
  const { AUTHDESK_SESSION_HOURS, AUTHDESK_SESSION_IDLE_MINUTES } = env();
  return { lifetimeHours: AUTHDESK_SESSION_HOURS, idleMinutes: AUTHDESK_SESSION_IDLE_MINUTES };
}

async function isHttps(): Promise<boolean> {
  return (await headers()).get(PROTOCOL_HEADER) === "https";
}

export const currentAdmin = cache(async (): Promise<SignedInAdmin | null> => {
  const token = (await cookies()).get(sessionCookieName(await isHttps()))?.value;
  if (!token) return null;
  return findSessionAdmin(await getDb(), token, sessionPolicy());
});

/** Where an admin must go first when the organisation requires two-factor sign-in. */
export const TWO_FACTOR_SETUP_PATH = "/account/two-factor";

/**
 * The signed-in admin, for the console's pages and actions; else a redirect to sign-in that
 * comes back to this page afterwards. While the organisation requires two-factor sign-in and
 * this admin has not set it up, the only way on is its set-up page. Each action still checks
 * the admin's role itself (`refuseUnless` in ./roles).
 */
export async function requireAdmin(): Promise<SignedInAdmin> {
  const admin = await requireSignedIn();
  if (admin.twoFactorRequired && !admin.twoFactorEnabled) redirect(TWO_FACTOR_SETUP_PATH);
  return admin;
}

/** The signed-in admin whatever two-factor requires: for their own account page and actions. */
export async function requireSignedIn(): Promise<SignedInAdmin> {
  const admin = await currentAdmin();
  if (admin) return admin;
  const here = (await headers()).get(PATH_HEADER);
  redirect(here && isSafeReturnPath(here) ? `/login?next=${encodeURIComponent(here)}` : "/login");
}

export async function requestMeta(): Promise<RequestMeta & { https: boolean }> {
  const incoming = await headers();
  return {
    clientAddress: incoming.get(CLIENT_ADDRESS_HEADER) || null,
    userAgent: incoming.get("user-agent"),
    https: incoming.get(PROTOCOL_HEADER) === "https",
  };
}

/** Path=/ and no Domain, as the __Host- prefix requires. */
const COOKIE_ATTRIBUTES = { httpOnly: true, sameSite: "lax", path: "/" } as const;

export async function setSessionCookie(
  token: string,
  expiresAt: Date,
  https: boolean,
): Promise<void> {
  (await cookies()).set(sessionCookieName(https), token, {
    ...COOKIE_ATTRIBUTES,
    secure: https,
    expires: expiresAt,
  });
}

export async function takeSessionToken(): Promise<string | undefined> {
  const jar = await cookies();
  const https = await isHttps();
  const name = sessionCookieName(https);
  const token = jar.get(name)?.value;
  // Browsers ignore a __Host- cookie set without Secure, the expired one that deletes it too.
  jar.set(name, "", { ...COOKIE_ATTRIBUTES, secure: https, maxAge: 0 });
  return token;
}

/** The sign-in waiting for its second factor (lib/auth/two-factor.ts), until it expires. */
export async function setSignInChallengeCookie(
  token: string,
  expiresAt: Date,
  https: boolean,
): Promise<void> {
  (await cookies()).set(signInChallengeCookieName(https), token, {
    ...COOKIE_ATTRIBUTES,
    // Strict: the challenge is only ever answered from our own sign-in page.
    sameSite: "strict",
    secure: https,
    expires: expiresAt,
  });
}

export async function readSignInChallengeToken(): Promise<string | undefined> {
  return (await cookies()).get(signInChallengeCookieName(await isHttps()))?.value;
}

export async function clearSignInChallengeCookie(): Promise<void> {
  const https = await isHttps();
  (await cookies()).set(signInChallengeCookieName(https), "", {
    ...COOKIE_ATTRIBUTES,
    secure: https,
    maxAge: 0,
  });
}

/** Only same-site paths, so `?next=` cannot send someone to another site after sign-in. */
export function isSafeReturnPath(path: unknown): path is string {
  // A repeated query parameter (`?next=/a&next=/b`) arrives as an array: not a path.
  return (
    typeof path === "string" &&
    path.startsWith("/") &&
    !path.startsWith("//") &&
    !path.startsWith("/\\") &&
    !path.startsWith("/login")
  );
}
