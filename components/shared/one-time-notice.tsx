import { TriangleAlert } from "lucide-react";
import type * as React from "react";

/** The warning above anything shown once (a secret, a link, recovery codes): save it now. */
export function OneTimeNotice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div
      role="note"
      className="flex gap-3 rounded-lg border border-warning-text/25 bg-warning-subtle px-4 py-3 text-warning-text"
    >
      <TriangleAlert className="mt-0.5 size-5 shrink-0" aria-hidden="true" />
      <div className="grid gap-1 text-sm">
        <p className="font-semibold">{title}</p>
        <p>{children}</p>
      </div>
    </div>
  );
}
