import { CircleAlert } from "lucide-react";
import type * as React from "react";

/** A form-level error (not tied to one field), announced to screen readers when it appears. */
export function FormError({ children }: { children: React.ReactNode }) {
  return (
    <div
      role="alert"
      className="flex items-start gap-2 rounded-lg border border-danger/25 bg-danger-subtle px-3 py-2.5 text-danger-text text-sm"
    >
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <p>{children}</p>
    </div>
  );
}
