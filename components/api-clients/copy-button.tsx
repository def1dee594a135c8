"use client";

import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";
import { Button, type ButtonProps } from "@/components/ui/button";
import { toast } from "@/components/ui/toast";

/**
 * Copies `value` with the Clipboard API and says "Copied" for a moment. `label` names what is
 * copied for screen readers ("Copy client secret"); the live region announces the result.
 */
export function CopyButton({
  value,
  label,
  size = "sm",
  className,
}: {
  value: string;
  label: string;
  size?: ButtonProps["size"];
  className?: string;
}) {
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard access (permission refused, or an insecure origin): the value is on screen
      // and selectable, so say how to copy it instead.
      toast.error("Could not copy", {
        description: "Your browser refused access to the clipboard. Select the text and copy it.",
      });
    }
  };

  return (
    <>
      <Button
        type="button"
        variant="secondary"
        size={size}
        onClick={copy}
        aria-label={label}
        className={className}
      >
        {copied ? (
          <Check className="text-success-text" aria-hidden="true" />
        ) : (
          <Copy aria-hidden="true" />
        )}
        {size === "icon" || size === "icon-sm" ? null : copied ? "Copied" : "Copy"}
      </Button>
      <span className="sr-only" aria-live="polite">
        {copied ? "Copied" : ""}
      </span>
    </>
  );
}
