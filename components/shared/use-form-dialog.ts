"use client";

import { useCallback, useState } from "react";

/**
 * Open state for a dialog whose form starts afresh at every opening: each `show` gives the form a
 * new `key`, and may pass a record to fill it with (`prefill`, e.g. a record to duplicate).
 * Closing keeps the key and the prefill, so the form does not change while it animates out.
 */
export function useFormDialog<Prefill = never>() {
  const [state, setState] = useState<{ open: boolean; key: number; prefill: Prefill | null }>({
    open: false,
    key: 0,
    prefill: null,
  });

  const show = useCallback(
    (prefill: Prefill | null = null) =>
      setState((current) => ({ open: true, key: current.key + 1, prefill })),
    [],
  );

  const setOpen = useCallback((open: boolean) => setState((current) => ({ ...current, open })), []);

  return { ...state, show, setOpen };
}
