import type { z } from "zod";

/** The first message for each top-level field, the shape forms show beside their inputs. */
export function fieldErrorsOf<Field extends string>(
  error: z.ZodError,
): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form") as Field;
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The first message for each field path ("authFields.1.slug"), for forms whose fields are nested
 * in lists and objects; a problem with the whole input is keyed "form".
 */
export function fieldErrorsByPath(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".") || "form";
    errors[path] ??= issue.message;
  }
  return errors;
}
