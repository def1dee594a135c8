"use client";

import type * as React from "react";
import { Toaster as Sonner, type ToasterProps, toast } from "sonner";

export { toast };

/** Sonner, dressed in the console's tokens. Rendered once, by `<Providers>`. */
export function Toaster(props: ToasterProps) {
  return (
    <Sonner
      position="bottom-right"
      closeButton
      toastOptions={{
        classNames: {
          // Sonner's own stylesheet is unlayered, so it beats Tailwind's layer without `!`.
          toast: "font-sans! shadow-lg!",
          title: "font-medium!",
          description: "text-fg-muted!",
          actionButton: "bg-accent! text-accent-fg!",
          cancelButton: "bg-surface-muted! text-fg!",
        },
      }}
      style={
        {
          "--normal-bg": "var(--color-surface)",
          "--normal-text": "var(--color-fg)",
          "--normal-border": "var(--color-line)",
          "--border-radius": "0.625rem",
        } as React.CSSProperties
      }
      {...props}
    />
  );
}
