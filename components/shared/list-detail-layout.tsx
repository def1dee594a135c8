import { MousePointerClick } from "lucide-react";
import type * as React from "react";

/**
 * A list of records on the left and the selected one on the right, stacked on narrow screens.
 * The list stays put (sticky) while a long detail scrolls past it. The refs let the page focus
 * something in the list, and scroll to the detail when stacked (see useSelectionInUrl).
 */
export function ListDetailLayout({
  list,
  detail,
  listRef,
  detailRef,
}: {
  list: React.ReactNode;
  detail: React.ReactNode;
  listRef?: React.Ref<HTMLDivElement>;
  detailRef?: React.Ref<HTMLDivElement>;
}) {
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[20rem_minmax(0,1fr)]">
      <div ref={listRef} className="lg:sticky lg:top-6">
        {list}
      </div>
      <div ref={detailRef} className="min-w-0 scroll-mt-20 lg:scroll-mt-6">
        {detail}
      </div>
    </div>
  );
}

/**
 * The detail side while nothing is selected. Only beside the list: stacked under it, a prompt to
 * pick from the list just above would be noise.
 */
export function NoSelection({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="hidden flex-col items-center rounded-xl border border-line-strong border-dashed px-6 py-16 text-center lg:flex">
      <MousePointerClick className="mb-3 size-5 text-fg-subtle" aria-hidden="true" />
      <p className="font-medium text-fg text-sm">{title}</p>
      <p className="mt-1 max-w-xs text-fg-muted text-sm">{children}</p>
    </div>
  );
}
