"use client";

import { javascript } from "@codemirror/lang-javascript";
import CodeMirror, { EditorView, type ReactCodeMirrorRef } from "@uiw/react-codemirror";
import { useId, useMemo, useRef } from "react";
import { Label } from "@/components/ui/label";
import { characterCount, LIMITS } from "@/lib/integrations/schema";
import { cn } from "@/lib/utils/cn";

/** The console's face and sizes inside CodeMirror; the frame and focus ring are the wrapper's. */
const consoleTheme = EditorView.theme({
  "&": { fontSize: "13px", backgroundColor: "transparent" },
  "&.cm-focused": { outline: "none" },
  ".cm-content": { fontFamily: "var(--font-mono)", padding: "8px 0" },
  ".cm-gutters": {
    fontFamily: "var(--font-mono)",
    backgroundColor: "var(--color-surface-subtle)",
    borderRight: "1px solid var(--color-line)",
    color: "var(--color-fg-subtle)",
  },
  ".cm-placeholder": { color: "var(--color-fg-subtle)" },
});

/** Parsed at save time as the body of an async function, so the editor treats it as a module. */
const language = javascript();

export type CodeFieldProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: React.ReactNode;
  placeholder?: string;
  /** Roughly how many lines are visible before the editor grows. */
  minLines?: number;
  /** Marks the field "Optional" beside its label. */
  optional?: boolean;
  /** The id of a text outside the field that describes it too, e.g. one hint for a group. */
  describedBy?: string;
  /** Shown, not edited: for a Viewer. */
  readOnly?: boolean;
};

/**
 * JavaScript in CodeMirror, with syntax highlighting and a live count of characters (graphemes,
 * as the server counts them) against the limit. The editable area is a labelled textbox that
 * Tab leaves, like any other control, instead of trapping keyboard users inside.
 */
export function CodeField({
  label,
  value,
  onChange,
  error,
  hint,
  placeholder,
  minLines = 6,
  optional,
  describedBy: describedByOutside,
  readOnly = false,
}: CodeFieldProps) {
  const id = useId();
  const labelId = `${id}-label`;
  const hintId = `${id}-hint`;
  const countId = `${id}-count`;
  const errorId = `${id}-error`;
  const editor = useRef<ReactCodeMirrorRef>(null);
  const count = useMemo(() => characterCount(value), [value]);
  const over = count > LIMITS.code;

  const describedBy = [error ? errorId : null, hint ? hintId : null, describedByOutside, countId]
    .filter(Boolean)
    .join(" ");
  const extensions = useMemo(
    () => [
      language,
      consoleTheme,
      // Long lines wrap: the editor never makes the page scroll sideways on a phone.
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-labelledby": labelId,
        "aria-describedby": describedBy,
        ...(error ? { "aria-invalid": "true" } : {}),
      }),
    ],
    [labelId, describedBy, error],
  );

  return (
    <div className="grid min-w-0 gap-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <span className="flex items-baseline gap-2">
          {/* Not a <label for>: the editable area is a contenteditable, which aria-labelledby names. */}
          <Label id={labelId} onClick={() => editor.current?.view?.focus()}>
            {label}
          </Label>
          {optional ? <span className="text-fg-subtle text-xs">Optional</span> : null}
        </span>
        <span
          id={countId}
          className={cn(
            "text-xs tabular-nums",
            over ? "font-medium text-danger-text" : "text-fg-subtle",
          )}
        >
          {count.toLocaleString("en-US")} / {LIMITS.code.toLocaleString("en-US")} characters
          {over ? <span className="sr-only">: over the limit</span> : null}
        </span>
      </div>
      <div
        className={cn(
          "min-w-0 overflow-hidden rounded-md border border-line-strong bg-surface shadow-xs transition-[border-color,box-shadow]",
          "focus-within:border-accent focus-within:ring-3 focus-within:ring-accent/20",
          (error || over) && "border-danger focus-within:border-danger focus-within:ring-danger/20",
        )}
        // The editor mounts after hydration; holding its height avoids a jump.
        style={{ minHeight: `${minLines * 1.4 + 1}rem` }}
      >
        <CodeMirror
          ref={editor}
          value={value}
          onChange={onChange}
          extensions={extensions}
          theme="light"
          minHeight={`${minLines * 1.4}rem`}
          placeholder={placeholder}
          readOnly={readOnly}
          editable={!readOnly}
          indentWithTab={false}
          basicSetup={{
            foldGutter: false,
            autocompletion: false,
            highlightActiveLine: false,
            highlightActiveLineGutter: false,
            searchKeymap: false,
          }}
        />
      </div>
      {error ? (
        <p id={errorId} className="text-danger-text text-sm">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={hintId} className="text-fg-subtle text-sm">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
