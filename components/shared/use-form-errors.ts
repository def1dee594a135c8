"use client";

import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import type { z } from "zod";
import { fieldErrorsOf } from "@/lib/forms/field-errors";

/** What a form's mutation answers once it has run: accepted, or field errors for the form. */
type FormAnswer<Field extends string> =
  | { ok: true }
  | { ok: false; fieldErrors: Partial<Record<Field, string>> };

/**
 * Field errors for a form checked by a shared zod schema: `reject` shows them and moves focus to
 * the first field in `order` that has one; typing in a field clears its error, because the
 * message described the old value. A control is found by its `name`, or by `data-field` for
 * groups of controls (radio rows) whose names differ from the field's.
 */
export function useFormErrors<Field extends string>(order: readonly Field[]) {
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  // Bumped by each rejected submit, naming the field to focus.
  const [rejected, setRejected] = useState<{ field: Field } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (!rejected) return;
    const form = formRef.current;
    const control = form?.querySelector<HTMLElement>(
      `[name="${rejected.field}"], [data-field="${rejected.field}"]`,
    );
    if (!form || !control) return;
    control.focus({ preventScroll: true });
    // Scrolling to the label rather than the control keeps the field's name in view.
    const label = control.id ? form.querySelector(`label[for="${control.id}"]`) : null;
    (label ?? control).scrollIntoView({ block: "nearest" });
  }, [rejected]);

  const reject = useCallback(
    (fieldErrors: Partial<Record<Field, string>>) => {
      setErrors(fieldErrors);
      const field = order.find((name) => fieldErrors[name]);
      if (field) setRejected({ field });
    },
    [order],
  );

  const clear = useCallback((field: Field) => {
    setErrors((current) => {
      if (!current[field]) return current;
      const { [field]: _, ...rest } = current;
      return rest as Partial<Record<Field, string>>;
    });
  }, []);

  /** For the form's onChange: clears the error of the field that changed. */
  const clearOnChange = useCallback(
    (event: FormEvent<HTMLFormElement>) => {
      const target = event.target as HTMLElement;
      const name =
        target.closest<HTMLElement>("[data-field]")?.dataset.field ??
        (target as HTMLInputElement).name;
      if (name) clear(name as Field);
    },
    [clear],
  );

  /**
   * Checks `values` with the shared schema, then sends them with `send`. Field errors, the
   * schema's or the server's, are shown beside their fields; the accepted answer is returned, or
   * null. The server parses with the same schema: this only spares a round trip for plain
   * mistakes.
   */
  const checkAndSend = useCallback(
    async <Values, Answer extends FormAnswer<Field>>(
      schema: z.ZodType,
      values: Values,
      send: (values: Values) => Promise<Answer>,
    ): Promise<Extract<Answer, { ok: true }> | null> => {
      const parsed = schema.safeParse(values);
      if (!parsed.success) {
        reject(fieldErrorsOf<Field>(parsed.error));
        return null;
      }
      setErrors({});
      let answer: Answer;
      try {
        answer = await send(values);
      } catch {
        return null; // the hook has shown a toast; the form keeps what was typed
      }
      if (!answer.ok) {
        reject(answer.fieldErrors);
        return null;
      }
      return answer as Extract<Answer, { ok: true }>;
    },
    [reject],
  );

  return { errors, setErrors, reject, clear, clearOnChange, checkAndSend, formRef };
}
