"use client";

import { Lock, Undo2 } from "lucide-react";
import { useEffect, useRef } from "react";
import { useCan } from "@/components/auth/role-context";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils/cn";
import type { SecretDraft } from "./auth-draft";

/**
 * A value the server stores sealed and never sends back (an OAuth URL or credential). Stored, it
 * shows as "Stored" with Replace (an empty input: nothing to reveal) and Remove; not stored, it is
 * a plain empty input. Left alone, it is left out of the request and the stored value stays.
 */
export function WriteOnlyField({
  label,
  stored,
  draft,
  onChange,
  error,
  hint,
  masked = false,
  inputMode,
  placeholder,
  className,
}: {
  label: string;
  stored: boolean;
  draft: SecretDraft;
  onChange: (draft: SecretDraft) => void;
  error?: string;
  hint?: string;
  /** Shown as dots while typed, like a password. */
  masked?: boolean;
  inputMode?: "url" | "text";
  placeholder?: string;
  className?: string;
}) {
  const inputRef = useRef<HTMLInputElement>(null);
  const replaceRef = useRef<HTMLButtonElement>(null);
  // Where the focus goes after Replace or Cancel, which swap the controls under the pointer.
  const focusNext = useRef<"input" | "replace" | null>(null);
  const editing = !stored || draft.replacing;
  const canChange = useCan("admin");

  useEffect(() => {
    if (focusNext.current === "input") inputRef.current?.focus();
    if (focusNext.current === "replace") replaceRef.current?.focus();
    focusNext.current = null;
  });

  if (!editing) {
    return (
      <fieldset className={cn("grid min-w-0 gap-1.5", className)}>
        {/* A floated legend is laid out like any grid item, yet still names the group. */}
        <legend className="float-left font-medium text-fg text-sm leading-5">{label}</legend>
        <div className="flex min-h-9 flex-wrap items-center gap-2">
          {draft.remove ? (
            <>
              <Badge variant="warning">Removed when you save</Badge>
              <Button
                type="button"
                variant="ghost"
                size="sm"
                aria-label={`Keep the stored ${label}`}
                onClick={() => onChange({ ...draft, remove: false })}
              >
                <Undo2 aria-hidden="true" />
                Keep
              </Button>
            </>
          ) : (
            <>
              <Badge variant="success">
                <Lock aria-hidden="true" />
                Stored
              </Badge>
              {canChange ? (
                <>
                  <Button
                    ref={replaceRef}
                    type="button"
                    variant="secondary"
                    size="sm"
                    aria-label={`Replace ${label}`}
                    onClick={() => {
                      focusNext.current = "input";
                      onChange({ replacing: true, value: "", remove: false });
                    }}
                  >
                    Replace
                  </Button>
                  <Button
                    type="button"
                    variant="ghost"
                    size="sm"
                    aria-label={`Remove ${label}`}
                    onClick={() => onChange({ ...draft, remove: true })}
                  >
                    Remove
                  </Button>
                </>
              ) : null}
            </>
          )}
        </div>
        {error ? <p className="text-danger-text text-sm">{error}</p> : null}
      </fieldset>
    );
  }

  return (
    <Field
      label={label}
      className={className}
      optional={!stored}
      error={error}
      hint={stored ? "Write-only. Leave empty to keep the stored value." : hint}
    >
      <div className="flex min-w-0 gap-2">
        <Input
          ref={inputRef}
          type={masked ? "password" : "text"}
          inputMode={inputMode}
          value={draft.value}
          onChange={(event) => onChange({ ...draft, value: event.target.value })}
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder}
          className="font-mono"
          data-1p-ignore
          data-lpignore="true"
        />
        {stored ? (
          <Button
            type="button"
            variant="ghost"
            aria-label={`Cancel replacing ${label}`}
            onClick={() => {
              focusNext.current = "replace";
              onChange({ replacing: false, value: "", remove: false });
            }}
          >
            Cancel
          </Button>
        ) : null}
      </div>
    </Field>
  );
}
