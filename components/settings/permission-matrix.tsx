"use client";

import { useId } from "react";
import { SegmentedControl } from "@/components/shared/segmented-control";
import { Badge } from "@/components/ui/badge";
import type { ApiGroup } from "@/lib/api-groups/contract";
import {
  PERMISSION_CHOICES,
  PERMISSION_LABELS,
  type PermissionChoice,
} from "@/lib/api-groups/schema";
import { scopesForPermissions } from "@/lib/oauth/scopes";

const PERMISSION_OPTIONS = PERMISSION_CHOICES.map((value) => ({
  value,
  label: PERMISSION_LABELS[value],
}));

/**
 * The "Access Permission" matrix: None / View only / Modify per API group, and the scopes that
 * the choice grants. API clients are registered and tills added with it, so both read the same.
 */
export function PermissionMatrix({
  groups,
  value,
  onChange,
  error,
  emptyNote,
  scopesLead,
}: {
  groups: { data?: ApiGroup[]; isError: boolean; error: Error | null };
  /** Level by API group id; a group left out is None. */
  value: Record<string, PermissionChoice>;
  onChange: (groupId: string, level: PermissionChoice) => void;
  error?: string;
  /** Said when nothing is granted, e.g. "tokens for this client would grant no access". */
  emptyNote: string;
  /** Leads the scope list, e.g. "Tokens will carry". */
  scopesLead: string;
}) {
  const hintId = useId();
  const groupList = groups.data ?? [];
  const granted = groupList.flatMap((group) => {
    const level = value[group.id] ?? "none";
    return level === "none" ? [] : [{ slug: group.slug, level }];
  });
  const scopes = scopesForPermissions(granted);

  return (
    <fieldset
      data-field="permissions"
      tabIndex={-1}
      aria-describedby={hintId}
      aria-invalid={error ? true : undefined}
      className="grid gap-2 outline-hidden"
    >
      <legend className="float-left font-medium text-fg text-sm leading-5">
        Access Permission
      </legend>
      <p id={hintId} className="text-fg-subtle text-sm">
        <span className="font-medium text-fg-muted">View only</span> reads,{" "}
        <span className="font-medium text-fg-muted">Modify</span> also adds and updates, per group
        of APIs.
      </p>
      {error ? <p className="text-danger-text text-sm">{error}</p> : null}
      {groupList.length === 0 ? (
        <p className="rounded-lg border border-line border-dashed px-3 py-4 text-center text-fg-muted text-sm">
          {groups.isError ? groups.error?.message : "Loading API groups…"}
        </p>
      ) : (
        <ul className="divide-y divide-line rounded-lg border border-line">
          {groupList.map((group) => (
            <li key={group.id}>
              <PermissionRow
                group={group}
                value={value[group.id] ?? "none"}
                onChange={(level) => onChange(group.id, level)}
              />
            </li>
          ))}
        </ul>
      )}
      <p className="text-fg-subtle text-xs" aria-live="polite">
        {scopes.length === 0 ? (
          emptyNote
        ) : (
          <>
            {scopesLead}{" "}
            {scopes.map((scope, index) => (
              <span key={scope}>
                <code className="font-mono text-fg-muted">{scope}</code>
                {index < scopes.length - 1 ? " " : ""}
              </span>
            ))}
          </>
        )}
      </p>
    </fieldset>
  );
}

/** One group's None / View only / Modify, a radio group named by its legend. */
function PermissionRow({
  group,
  value,
  onChange,
}: {
  group: ApiGroup;
  value: PermissionChoice;
  onChange: (level: PermissionChoice) => void;
}) {
  return (
    <fieldset className="grid gap-x-4 gap-y-0.5 px-3 py-2.5 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center sm:gap-y-0">
      {/* Floated, a legend is laid out like any grid item yet still names the radio group. */}
      <legend className="float-left min-w-0 font-medium text-fg text-sm sm:col-start-1 sm:row-start-1">
        {group.name}
      </legend>
      <p className="flex flex-wrap items-center gap-2 sm:col-start-1 sm:row-start-2">
        <span className="font-mono text-fg-subtle text-xs">{group.slug}</span>
        {group.builtIn ? null : <Badge variant="info">Custom</Badge>}
      </p>
      <SegmentedControl
        name={`permission-${group.id}`}
        options={PERMISSION_OPTIONS}
        value={value}
        onChange={onChange}
        size="sm"
        className="mt-1.5 w-full sm:col-start-2 sm:row-span-2 sm:row-start-1 sm:mt-0 sm:w-auto"
      />
    </fieldset>
  );
}
