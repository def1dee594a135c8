import type * as React from "react";
import { cn } from "@/lib/utils/cn";

/**
 * A description from the OpenAPI document. Descriptions are CommonMark; ours use plain sentences
 * and `code` spans only, so those are all that is rendered (anything else shows as written).
 */
export function RichText({ text, className }: { text: string; className?: string }) {
  // Splitting on backticks puts code at the odd indexes.
  const parts = text.split("`");
  return (
    <p
      className={cn(
        "whitespace-pre-line text-pretty text-fg-muted text-sm leading-relaxed",
        className,
      )}
    >
      {parts.map((part, index) =>
        index % 2 === 1 && index < parts.length - 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts never move.
          <Code key={index}>{part}</Code>
        ) : (
          part
        ),
      )}
    </p>
  );
}

/** Inline code: breaks anywhere rather than widening a phone's page. */
export function Code({ children, className }: { children: React.ReactNode; className?: string }) {
  return (
    <code
      className={cn(
        "rounded bg-surface-muted px-1 py-px font-mono text-[0.8125rem] text-fg [overflow-wrap:anywhere]",
        className,
      )}
    >
      {children}
    </code>
  );
}
