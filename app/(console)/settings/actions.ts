"use server";

import { z } from "zod";
import {
  apiGroupOutput,
  type CreateApiGroupFormInput,
  type CreateApiGroupResult,
  type DeleteApiGroupResult,
  type DescribeGroupDeletionResult,
  groupDeletionOutput,
  type ListApiGroupsResult,
} from "@/lib/api-groups/contract";
import {
  type CreateApiGroupFields,
  createApiGroupSchema,
  type DeleteApiGroupInput,
  deleteApiGroupSchema,
} from "@/lib/api-groups/schema";
import {
  createApiGroup,
  deleteApiGroup,
  describeGroupDeletion,
  listApiGroups,
} from "@/lib/api-groups/service";
import { type RoleRefusal, refuseUnless } from "@/lib/auth/roles";
import { requireAdmin } from "@/lib/auth/session";
import { setTwoFactorRequirement } from "@/lib/auth/two-factor";
import {
  type TwoFactorRequirementInput,
  twoFactorRequirementSchema,
} from "@/lib/auth/two-factor-schema";
import type { ActionFailure } from "@/lib/forms/action-result";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import type { ListPageResult, ListQuery } from "@/lib/paging/contract";
import { listPageAction } from "@/lib/paging/list-action";
import { getDb } from "@/lib/runtime";
import {
  type GetSettingsResult,
  organizationSettingsOutput,
  type SetBasicAuthResult,
} from "@/lib/settings/contract";
import { type SetBasicAuthEnabledInput, setBasicAuthEnabledSchema } from "@/lib/settings/schema";
import { getOrganizationSettings, setBasicAuthEnabled } from "@/lib/settings/service";
import {
  type CreateTillFormInput,
  type CreateTillResult,
  type DeleteTillResult,
  type Till,
  tillListPageOutput,
  tillOutput,
} from "@/lib/tills/contract";
import {
  type CreateTillFields,
  createTillSchema,
  type DeleteTillInput,
  deleteTillSchema,
} from "@/lib/tills/schema";
import { createTill, deleteTill, listTills } from "@/lib/tills/service";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments with the shared strict schemas, calls the service and maps the typed result.
 */

const TILL_NOT_FOUND = "This till no longer exists. Someone may have deleted it.";
const GROUP_NOT_FOUND = "This API group no longer exists. Someone may have deleted it.";

export async function getSettingsAction(): Promise<GetSettingsResult> {
  const admin = await requireAdmin();
  try {
    const settings = await getOrganizationSettings(await getDb());
    return { ok: true, settings: organizationSettingsOutput.parse(settings) };
  } catch (error) {
    return unexpectedFailure("settings", "read the settings", admin, error);
  }
}

export async function setBasicAuthEnabledAction(
  input: SetBasicAuthEnabledInput,
): Promise<SetBasicAuthResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = setBasicAuthEnabledSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: "Choose Yes or No." };
  try {
    // The service records the audit event, and only when the value really changes.
    const result = await setBasicAuthEnabled(
      await getDb(),
      parsed.data.enabled,
      await changeContextFor(admin),
    );
    return {
      ok: true,
      changed: result.changed,
      settings: organizationSettingsOutput.parse(result.settings),
    };
  } catch (error) {
    return unexpectedFailure("settings", "change Basic authentication", admin, error);
  }
}

/** One page of the tills, after `after` when given; `search` matches part of the code or name. */
export async function listTillsAction(input: ListQuery = {}): Promise<ListPageResult<Till>> {
  const admin = await requireAdmin();
  return listPageAction(
    admin,
    "settings",
    input,
    async (options) => listTills(await getDb(), options),
    tillListPageOutput,
  );
}

export async function createTillAction(input: CreateTillFormInput): Promise<CreateTillResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = createTillSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf<CreateTillFields>(parsed.error) };
  }
  try {
    const result = await createTill(await getDb(), parsed.data, await changeContextFor(admin));
    if (result.ok) {
      return { ok: true, till: tillOutput.omit({ apiClientCount: true }).parse(result.till) };
    }
    switch (result.error) {
      case "code_taken":
        return { ok: false, fieldErrors: { code: "A till with this code already exists" } };
      case "group_not_found":
        return {
          ok: false,
          fieldErrors: {
            permissions: "An API group in this form no longer exists; check the permissions again",
          },
        };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("settings", "create a till", admin, error);
  }
}

export async function deleteTillAction(input: DeleteTillInput): Promise<DeleteTillResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = deleteTillSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: TILL_NOT_FOUND, notFound: true };
  try {
    const result = await deleteTill(await getDb(), parsed.data.id, await changeContextFor(admin));
    if (result.ok) return { ok: true, deleted: result.deleted };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: TILL_NOT_FOUND, notFound: true };
      case "till_in_use":
        // The service's message counts the clients; it names no secret, so it can be shown.
        return { ok: false, formError: result.message, inUse: true };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("settings", "delete a till", admin, error);
  }
}

export async function listApiGroupsAction(): Promise<ListApiGroupsResult> {
  const admin = await requireAdmin();
  try {
    return { ok: true, groups: z.array(apiGroupOutput).parse(await listApiGroups(await getDb())) };
  } catch (error) {
    return unexpectedFailure("settings", "list API groups", admin, error);
  }
}

export async function createApiGroupAction(
  input: CreateApiGroupFormInput,
): Promise<CreateApiGroupResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = createApiGroupSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fieldErrors: fieldErrorsOf<CreateApiGroupFields>(parsed.error) };
  }
  try {
    const result = await createApiGroup(await getDb(), parsed.data, await changeContextFor(admin));
    if (result.ok) {
      return {
        ok: true,
        group: apiGroupOutput.omit({ clientCount: true }).parse(result.group),
      };
    }
    switch (result.error) {
      case "slug_taken":
        return { ok: false, fieldErrors: { slug: "An API group with this slug already exists" } };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("settings", "create an API group", admin, error);
  }
}

export async function describeApiGroupDeletionAction(
  input: DeleteApiGroupInput,
): Promise<DescribeGroupDeletionResult> {
  const admin = await requireAdmin();
  const parsed = deleteApiGroupSchema.safeParse(input);
  // A malformed id names no group: the same answer as a deleted one.
  if (!parsed.success) return { ok: true, preview: null };
  try {
    const preview = await describeGroupDeletion(await getDb(), parsed.data.id);
    return { ok: true, preview: preview ? groupDeletionOutput.parse(preview) : null };
  } catch (error) {
    return unexpectedFailure("settings", "describe an API group's deletion", admin, error);
  }
}

export async function deleteApiGroupAction(
  input: DeleteApiGroupInput,
): Promise<DeleteApiGroupResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = deleteApiGroupSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: GROUP_NOT_FOUND, notFound: true };
  try {
    const result = await deleteApiGroup(
      await getDb(),
      parsed.data.id,
      await changeContextFor(admin),
    );
    if (result.ok) {
      const { id, slug, name } = result.deleted;
      return {
        ok: true,
        deleted: { id, slug, name },
        affectedClients: result.affectedClients,
      };
    }
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: GROUP_NOT_FOUND, notFound: true };
      case "built_in":
        return { ok: false, formError: "Built-in API groups cannot be deleted." };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("settings", "delete an API group", admin, error);
  }
}

export type SetTwoFactorRequirementResult =
  | { ok: true; required: boolean; changed: boolean }
  | ActionFailure
  | RoleRefusal;

/** Owners only: whether every admin must set up two-factor sign-in (lib/auth/two-factor.ts). */
export async function setTwoFactorRequirementAction(
  input: TwoFactorRequirementInput,
): Promise<SetTwoFactorRequirementResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "owner");
  if (refused) return refused;
  const parsed = twoFactorRequirementSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: "Choose Yes or No." };
  try {
    const result = await setTwoFactorRequirement(
      await getDb(),
      parsed.data.required,
      await changeContextFor(admin),
    );
    if (result.ok) return result;
    switch (result.error) {
      case "own_two_factor_missing":
        return {
          ok: false,
          formError:
            "Set up two-factor sign-in for your own account first (Your account → Two-factor sign-in), so you are not locked out by your own requirement.",
        };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("settings", "change the two-factor requirement", admin, error);
  }
}
