import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { CLIENT_ADDRESS_HEADER, PATH_HEADER, PROTOCOL_HEADER } from "@/lib/http/request-context";
import { getDb } from "@/lib/runtime";
import type { RequestMeta } from "./service";
import { findSessionAdmin, type SignedInAdmin } from "./sessions";

/** Next-side session helpers: every page, action and route handler calls one of these itself. */
export const SESSION_COOKIE = "authdesk_session";

export const currentAdmin = cache(async (): Promise<SignedInAdmin | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return findSessionAdmin(await getDb(), token);
});

/** The signed-in admin, or a redirect to sign-in that comes back to this page afterwards. */
export async function requireAdmin(): Promise<SignedInAdmin> {
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

export async function setSessionCookie(
  token: string,
  expiresAt: Date,
  https: boolean,
): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: https,
    path: "/",
    expires: expiresAt,
  });
}

export async function takeSessionToken(): Promise<string | undefined> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  jar.delete(SESSION_COOKIE);
  return token;
}

/** Only same-site paths, so `?next=` cannot send someone to another site after sign-in. */
export function isSafeReturnPath(path: string): boolean {
  return (
    path.startsWith("/") &&
    !path.startsWith("//") &&
    !path.startsWith("/\\") &&
    !path.startsWith("/login")
  );
}
