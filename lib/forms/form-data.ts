import "server-only";
import { z } from "zod";

/**
 * Guards for server actions that take a form. React posts FormData; anything else (null, a
 * string, an array) came from a hand-made request, and gets the form's generic error instead of
 * a TypeError and a 500.
 */
export const FORM_UNREADABLE = "This form could not be read. Reload the page and try again.";

const formDataSchema = z.instanceof(FormData);

/** The submitted form, or null when the argument is not one. */
export function submittedForm(value: unknown): FormData | null {
  const parsed = formDataSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A text field's value; "" when it is missing or is a file. */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
