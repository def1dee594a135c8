import "server-only";

/**
 * Replaces every secret value in a text with `[redacted]`: the value itself and the forms code is
 * likely to put it in (URL-encoded for a query or path, form-encoded, base64 and base64url, as in
 * a Basic header or a token). Values shorter than 3 characters are left alone: they would blank
 * out ordinary text without protecting anything. A secret transformed any other way (reversed,
 * hashed, cut into pieces, base64 of a longer string around it) is not recognised.
 */

export const REDACTED = "[redacted]";
const MIN_SECRET_LENGTH = 3;

export interface Redactor {
  (text: string): string;
  /** The longest form searched for: text cut before redaction must keep this much extra. */
  longestForm: number;
}

export function createRedactor(secrets: readonly string[]): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of encodedForms(secret)) forms.add(form);
  }
  // Longest first, so that a form containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  const redact = (text: string): string =>
    ordered.reduce((result, form) => result.split(form).join(REDACTED), text);
  return Object.assign(redact, { longestForm: ordered[0]?.length ?? 0 });
}

function encodedForms(secret: string): string[] {
  const forms = [secret];
  try {
    forms.push(encodeURIComponent(secret), encodeURI(secret));
  } catch {
    // A lone surrogate has no URL encoding; the value itself is still redacted.
  }
  forms.push(new URLSearchParams({ v: secret }).toString().slice(2));
  const base64 = Buffer.from(secret, "utf8").toString("base64");
  forms.push(base64, base64.replace(/=+$/, ""), Buffer.from(secret, "utf8").toString("base64url"));
  return forms;
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
