"use client";

import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";

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

  return { errors, setErrors, reject, clear, clearOnChange, formRef };
}
