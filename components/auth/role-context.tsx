"use client";

import type * as React from "react";
import { createContext, useContext } from "react";
import { type Role, roleAllows } from "@/lib/auth/roles";

/*
 * The signed-in admin's role, for hiding what it cannot do. Hiding is a courtesy: every server
 * action checks the role itself and refuses whatever the browser sends.
 */

const RoleContext = createContext<Role>("viewer");

export function RoleProvider({ role, children }: { role: Role; children: React.ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>;
}

export function useRole(): Role {
  return useContext(RoleContext);
}

/** Where a Viewer sees what others can change: the same words as the server's refusal. */
export const VIEWER_CAN_ONLY_LOOK = "Your role is Viewer: you can look, but not change anything.";

/** Whether the signed-in admin's role includes `needed`. */
export function useCan(needed: Role): boolean {
  return roleAllows(useRole(), needed);
}

/** Renders its children only for admins whose role includes `needed`. */
export function IfRole({ needed, children }: { needed: Role; children: React.ReactNode }) {
  return useCan(needed) ? children : null;
}
