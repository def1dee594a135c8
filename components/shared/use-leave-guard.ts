"use client";

import { useEffect } from "react";

/**
 * While `active`, leaving the page (reload, closing the tab, another site) makes the browser ask
 * first, with its own "Leave site?" prompt (the text cannot be customised). For what cannot be
 * had again: a secret shown once, unsaved edits.
 */
export function useLeaveGuard(active = true): void {
  useEffect(() => {
    if (!active) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [active]);
}
