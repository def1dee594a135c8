"use client";

import { ArrowRight, Store } from "lucide-react";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { PermissionMatrix } from "@/components/settings/permission-matrix";
import { useApiGroups, useTills } from "@/components/settings/queries";
import { useFormErrors } from "@/components/shared/use-form-errors";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import type { RegisterApiClientFormInput } from "@/lib/api-clients/contract";
import {
  PERMISSION_CHOICES,
  PERMISSION_LABELS,
  type PermissionChoice,
  type RegisterApiClientFields,
  registerApiClientSchemaFor,
  TOKEN_TTL_MINUTES,
} from "@/lib/api-clients/schema";
import type { ApiGroup } from "@/lib/api-groups/contract";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import type { Page } from "@/lib/paging/contract";
import type { Till } from "@/lib/tills/contract";
import { type RegisteredApiClient, useRegisterApiClient } from "./queries";
import { TokenTtlSlider } from "./token-ttl-slider";

const FIELD_ORDER: readonly RegisterApiClientFields[] = [
  "name",
  "description",
  "tokenTtlMinutes",
  "permissions",
  "tillId",
];

const _PERMISSION_OPTIONS = PERMISSION_CHOICES.map((value) => ({
  value,
  label: PERMISSION_LABELS[value],
}));

/**
 * The seed's Register form, field for field and with its labels. The same zod schema checks it
 * here and in the server action; "Next" registers the client and hands the one-time result up.
 */
export function RegisterForm({
  initialTills,
  initialGroups,
  onRegistered,
  onCancel,
}: {
  initialTills?: Page<Till>;
  initialGroups?: ApiGroup[];
  onRegistered: (registered: RegisteredApiClient) => void;
  onCancel: () => void;
}) {
  const tills = useTills(initialTills);
  const groups = useApiGroups(initialGroups);
  const { register, pending } = useRegisterApiClient();
  const { errors, setErrors, reject, clear, clearOnChange, formRef } = useFormErrors(FIELD_ORDER);
  const [ttl, setTtl] = useState<number>(TOKEN_TTL_MINUTES.default);
  const [permissions, setPermissions] = useState<Record<string, PermissionChoice>>({});

  const groupList = groups.data ?? [];
  // The first page of tills (by code); more load on demand under the select.
  const tillList = tills.items ?? [];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const values: RegisterApiClientFormInput = {
      name: String(data.get("name") ?? ""),
      description: String(data.get("description") ?? ""),
      tokenTtlMinutes: ttl,
      // Only what was granted: "none" is the default, and leaving it out means a group deleted
      // meanwhile that was never granted cannot fail the registration.
      permissions: Object.fromEntries(
        Object.entries(permissions).filter(
          ([groupId, level]) => level !== "none" && groupList.some((g) => g.id === groupId),
        ),
      ),
      tillId: String(data.get("tillId") ?? ""),
    };
    // The server parses with the same schema; this only spares a round trip for plain mistakes.
    const parsed = registerApiClientSchemaFor(groupList).safeParse(values);
    if (!parsed.success) return reject(fieldErrorsOf<RegisterApiClientFields>(parsed.error));
    setErrors({});
    const result = await register(values);
    if (!result) return; // the hook has shown a toast; the form keeps what was typed
    if (!result.ok) {
      if ("fieldErrors" in result) reject(result.fieldErrors);
      return;
    }
    onRegistered(result);
  }

  const choose = (groupId: string, level: PermissionChoice) => {
    setPermissions((current) => ({ ...current, [groupId]: level }));
    clear("permissions");
  };

  return (
    <form
      ref={formRef}
      onSubmit={submit}
      onChange={clearOnChange}
      noValidate
      className="flex min-h-0 flex-1 flex-col"
    >
      <div className="grid min-h-0 flex-1 gap-6 overflow-y-auto px-6 py-5">
        {/* Said first, not at the till field: better before the form is filled in than after. */}
        {tillList.length === 0 && tills.isSuccess ? <NoTills /> : null}
        <Field label="Client name" error={errors.name}>
          <Input
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            placeholder="Point-of-sale sync"
          />
        </Field>

        <Field label="Description" optional error={errors.description}>
          <Textarea
            name="description"
            rows={2}
            maxLength={500}
            placeholder="What calls the API with this client, and who owns it"
          />
        </Field>

        <Field
          label="Token expiry duration"
          error={errors.tokenTtlMinutes}
          hint="How long each access token issued to this client stays valid: 5 minutes to 24 hours."
        >
          <TokenTtlSlider
            name="tokenTtlMinutes"
            value={ttl}
            onChange={(minutes) => {
              setTtl(minutes);
              clear("tokenTtlMinutes");
            }}
          />
        </Field>

        <PermissionMatrix
          groups={groups}
          value={permissions}
          onChange={choose}
          error={errors.permissions}
          emptyNote="No scopes yet: tokens for this client would grant no access."
          scopesLead="Tokens will carry"
        />

        <Field
          label="Select your organization till"
          error={errors.tillId}
          hint={
            tillList.length === 0
              ? "Add a till in Settings first."
              : "Recorded as the actor of this client's write calls."
          }
        >
          {tillList.length === 0 ? (
            <Select name="tillId" required disabled defaultValue="">
              <option value="">
                {tills.isError ? "Could not load the tills" : "No tills yet"}
              </option>
            </Select>
          ) : (
            <Select name="tillId" required defaultValue="">
              <option value="" disabled>
                Choose a till…
              </option>
              {tillList.map((till) => (
                <option key={till.id} value={till.id}>
                  {till.code} · {till.name}
                </option>
              ))}
            </Select>
          )}
          {tills.hasNextPage ? (
            <Button
              type="button"
              variant="ghost"
              size="sm"
              onClick={() => tills.fetchNextPage()}
              disabled={tills.isFetchingNextPage}
            >
              Load more tills
            </Button>
          ) : null}
        </Field>
      </div>
      <DialogFooter className="border-line border-t bg-surface-subtle px-6 py-4">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" pending={pending}>
          Next
          {pending ? null : <ArrowRight aria-hidden="true" />}
        </Button>
      </DialogFooter>
    </form>
  );
}

function NoTills() {
  return (
    <div className="flex flex-col items-start gap-3 rounded-lg border border-line-strong border-dashed bg-surface-subtle px-4 py-3 text-sm sm:flex-row sm:items-center sm:justify-between">
      <p className="flex gap-2 text-fg-muted">
        <Store className="mt-0.5 size-4 shrink-0 text-fg-subtle" aria-hidden="true" />
        No tills yet. Every API client acts as a till, so add one first.
      </p>
      <Button asChild variant="secondary" size="sm">
        <Link href="/settings">Add a till in Settings</Link>
      </Button>
    </div>
  );
}
