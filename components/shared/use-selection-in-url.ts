"use client";

import { usePathname } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";

/** Where the list and the detail sit side by side; below it they are stacked. */
const DESKTOP_QUERY = "(min-width: 64rem)";

export type SelectOptions = {
  /** Replace the history entry instead of adding one, e.g. after deleting the selected record. */
  replace?: boolean;
  /** On stacked panes, scroll the detail into view. */
  reveal?: boolean;
};

function selectionInLocation(): string | null {
  return new URLSearchParams(window.location.search).get("id") || null;
}

/**
 * The selected record of a list-and-detail page, kept in `?id=` so a detail can be linked and
 * reloaded. It is changed with the History API (which Next's router follows) and mirrored in
 * state, so the detail switches at once with no server round trip, and Back and Forward work.
 *
 * `initialSelected` is what the server loaded for the page's `?id=`. It seeds the first detail
 * pane only (`initialDetail`); later panes load their own, so a record deleted here cannot come
 * back from this snapshot after its cache entry is collected.
 */
export function useSelectionInUrl<Initial extends { id: string }>(initialSelected: Initial | null) {
  const pathname = usePathname();
  const [selectedId, setSelectedId] = useState<string | null>(initialSelected?.id ?? null);
  const [initialDetail, setInitialDetail] = useState(initialSelected);
  // The detail pane's wrapper, scrolled to when a selection is revealed on stacked panes.
  const detailRef = useRef<HTMLDivElement>(null);

  // A server render for another `?id=` (a link followed within the page) moves the selection.
  const serverSelectedId = initialSelected?.id ?? null;
  useEffect(() => setSelectedId(serverSelectedId), [serverSelectedId]);

  useEffect(() => {
    const follow = () => {
      setSelectedId(selectionInLocation());
      setInitialDetail(null);
    };
    window.addEventListener("popstate", follow);
    return () => window.removeEventListener("popstate", follow);
  }, []);

  const hrefFor = useCallback(
    (id: string) => `${pathname}?id=${encodeURIComponent(id)}`,
    [pathname],
  );

  const select = useCallback(
    (id: string | null, options: SelectOptions = {}) => {
      setSelectedId(id);
      setInitialDetail(null);
      const url = id ? hrefFor(id) : pathname;
      if (options.replace) window.history.replaceState(null, "", url);
      else if (url !== `${window.location.pathname}${window.location.search}`)
        window.history.pushState(null, "", url);
      // Stacked panes: bring the detail into view, or the click would seem to do nothing.
      if (options.reveal && !window.matchMedia(DESKTOP_QUERY).matches) {
        requestAnimationFrame(() => detailRef.current?.scrollIntoView({ block: "start" }));
      }
    },
    [hrefFor, pathname],
  );

  return { selectedId, initialDetail, detailRef, hrefFor, select };
}
