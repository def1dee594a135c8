import "server-only";

/**
 * Replaces every secret value in a text with `[redacted]`: the value itself and the forms code is
 * likely to put it in (URL-encoded for a query or path, form-encoded, inside a JSON string, base64
 * and base64url, as in a Basic header or a token). Values shorter than 3 characters are left
 * alone: they would blank out ordinary text without protecting anything. A secret transformed any
 * other way (reversed, hashed, cut into pieces, base64 of a longer string around it) is not
 * recognised.
 *
 * Text is redacted before it is cut to size, never after: see `Redactor.cut`, the one way text
 * from the guest should reach the report.
 */

export const REDACTED = "[redacted]";
const MIN_SECRET_LENGTH = 3;
const ELLIPSIS = "…";

export interface Redactor {
  /**
   * Every place where some form of some secret occurs, overlaps included, becomes `[redacted]`:
   * where two secrets overlap (one ends with what the other starts with), neither is left in part.
   */
  (text: string): string;
  /** The longest form searched for: text cut before redaction must keep this much extra. */
  longestForm: number;
  /**
   * Redacts, then cuts to `max` characters, an ellipsis marking the cut. `truncated` says the text
   * is itself only the start of a longer one, cut before it got here (by the guest, the worker):
   * its end may then hold the start of a secret, cut short and so not recognised, which would
   * come into view once longer secrets before it shrink to `[redacted]`. That end is removed (or
   * redacted with the occurrence it overlaps): the longest tail of the text that begins some form
   * of some secret.
   */
  cut(text: string, max: number, truncated?: boolean): string;
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const unique = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of encodedForms(secret)) unique.add(form);
  }
  const forms = [...unique].map((text) => ({ text, failure: failureFunction(text) }));
  const redact = (text: string): string => replaceCovered(text, forms, 0);
  const cut = (text: string, max: number, truncated = false): string => {
    let body = text;
    let tail = 0;
    if (truncated) {
      if (body.endsWith(ELLIPSIS)) body = body.slice(0, -ELLIPSIS.length);
      tail = Math.max(0, ...forms.map((form) => startAtEnd(body, form)));
    }
    const redacted = replaceCovered(body, forms, tail);
    if (!truncated && redacted.length <= max) return redacted;
    return `${redacted.slice(0, Math.max(0, max - 1))}${ELLIPSIS}`;
  };
  const longestForm = Math.max(0, ...forms.map((form) => form.text.length));
  return Object.assign(redact, { longestForm, cut });
}

function encodedForms(secret: string): string[] {
  const forms = [secret];
  try {
    forms.push(encodeURIComponent(secret), encodeURI(secret));
  } catch {
    // A lone surrogate has no URL encoding; the value itself is still redacted.
  }
  forms.push(new URLSearchParams({ v: secret }).toString().slice(2));
  // As it shows in JSON: console.log of an object, a thrown object, a request body.
  forms.push(JSON.stringify(secret).slice(1, -1));
  const base64 = Buffer.from(secret, "utf8").toString("base64");
  forms.push(base64, base64.replace(/=+$/, ""), Buffer.from(secret, "utf8").toString("base64url"));
  return forms;
}

interface Form {
  text: string;
  /** Knuth–Morris–Pratt: for each prefix, its longest proper prefix that is also its suffix. */
  failure: number[];
}

interface Span {
  start: number;
  end: number;
  /** An occurrence of a form; otherwise the start of one, cut short at the end of the text. */
  whole: boolean;
}

/**
 * Replaces each run of characters covered by some occurrence of some form with `[redacted]`. The
 * last `tail` characters (the start of a form, cut short) go too: as part of the run they overlap,
 * or else simply removed. Both are found in the same text before anything is replaced, so that
 * removing one cannot break up the other (a secret whose end repeats its start, say, ending
 * exactly where the text was cut).
 */
function replaceCovered(text: string, forms: readonly Form[], tail: number): string {
  const spans: Span[] = [];
  for (const { text: form } of forms) {
    for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) {
      spans.push({ start: at, end: at + form.length, whole: true });
    }
  }
  if (tail > 0) spans.push({ start: text.length - tail, end: text.length, whole: false });
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start);
  let out = "";
  let position = 0;
  let index = 0;
  while (index < spans.length) {
    const first = spans[index] as Span;
    let { end, whole } = first;
    index += 1;
    // Overlapping occurrences are one; touching ones stay two, as two secrets side by side.
    for (let next = spans[index]; next && next.start < end; next = spans[index]) {
      end = Math.max(end, next.end);
      whole ||= next.whole;
      index += 1;
    }
    out += text.slice(position, first.start) + (whole ? REDACTED : "");
    position = end;
  }
  return out + text.slice(position);
}

/** How many characters at the end of `text` are the start of `form` (less than all of it). */
function startAtEnd(text: string, form: Form): number {
  const pattern = form.text;
  let matched = 0;
  for (let index = Math.max(0, text.length - pattern.length + 1); index < text.length; index += 1) {
    while (matched > 0 && text[index] !== pattern[matched]) {
      matched = form.failure[matched - 1] as number;
    }
    if (text[index] === pattern[matched]) matched += 1;
  }
  return matched;
}

function failureFunction(pattern: string): number[] {
  const failure = new Array<number>(pattern.length).fill(0);
  let matched = 0;
  for (let index = 1; index < pattern.length; index += 1) {
    while (matched > 0 && pattern[index] !== pattern[matched]) {
      matched = failure[matched - 1] as number;
    }
    if (pattern[index] === pattern[matched]) matched += 1;
    failure[index] = matched;
  }
  return failure;
}

/** Redacts every string (keys and values) of a JSON value. */
export function redactJson(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact)]),
    );
  }
  return value;
}
