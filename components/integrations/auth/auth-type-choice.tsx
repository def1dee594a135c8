"use client";

import { TriangleAlert } from "lucide-react";
import { useId } from "react";
import { ChoiceCards } from "@/components/shared/choice-cards";
import { AUTH_TYPE_INFO, AUTH_TYPES, type AuthType } from "@/lib/integrations/schema";

const OPTIONS = AUTH_TYPES.map((type) => ({
  value: type,
  label: AUTH_TYPE_INFO[type].label,
  description: AUTH_TYPE_INFO[type].explanation,
}));

/**
 * The auth type, each option with its one-line explanation. A type other than the saved one is
 * flagged: saving it deletes the connections (Save asks first, with the count).
 */
export function AuthTypeChoice({
  value,
  savedType,
  onChange,
  error,
}: {
  value: AuthType;
  savedType: AuthType;
  onChange: (authType: AuthType) => void;
  error?: string;
}) {
  const name = useId();
  return (
    <fieldset className="grid gap-2">
      <legend className="float-left font-medium text-fg text-sm">Auth type</legend>
      <ChoiceCards
        name={name}
        options={OPTIONS}
        value={value}
        onChange={onChange}
        invalid={Boolean(error)}
        className="@xl:grid-cols-2"
      />
      {error ? <p className="text-danger-text text-sm">{error}</p> : null}
      {value !== savedType ? (
        <p className="flex gap-2 rounded-lg border border-warning-text/20 bg-warning-subtle px-3 py-2.5 text-sm text-warning-text">
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          Saved as {AUTH_TYPE_INFO[savedType].label}. Changing the type deletes every connection
          when you save; you will be asked to confirm.
        </p>
      ) : null}
    </fieldset>
  );
}
