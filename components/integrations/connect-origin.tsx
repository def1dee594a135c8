"use client";

import { createContext, type ReactNode, useContext } from "react";

/**
 * The origin end users and OAuth providers reach Authdesk at (AUTHDESK_PUBLIC_URL, or the
 * console's own), from the page's server half: window.location would be wrong behind a proxy
 * that the operator configured a public URL for. A context, because the Auth and Connections
 * tabs both need it several components down.
 */
const ConnectOrigin = createContext<string | null>(null);

export function ConnectOriginProvider({
  origin,
  children,
}: {
  origin: string;
  children: ReactNode;
}) {
  return <ConnectOrigin.Provider value={origin}>{children}</ConnectOrigin.Provider>;
}

export function useConnectOrigin(): string {
  const origin = useContext(ConnectOrigin);
  return origin ?? (typeof window === "undefined" ? "" : window.location.origin);
}
