"use server";

import { z } from "zod";
import type { AccessClient } from "@/lib/api-access/schema";
import { searchAccessCandidates } from "@/lib/api-access/service";
import {
  type ApiClientChangeResult,
  type ApiClientListItem,
  apiClientDetailOutput,
  apiClientIdSchema,
  apiClientListPageOutput,
  type DeleteApiClientResult,
  type GetApiClientResult,
  type RegisterApiClientFormInput,
  type RegisterApiClientResult,
  type RollApiClientSecretResult,
} from "@/lib/api-clients/contract";
import {
  type ApiClientRefInput,
  apiClientRefSchema,
  type DeleteApiClientInput,
  deleteApiClientSchema,
  type RegisterApiClientFields,
  type RollApiClientSecretInput,
  registerApiClientSchema,
  rollApiClientSecretSchema,
} from "@/lib/api-clients/schema";
import {
  deleteApiClient,
  expirePreviousSecret,
  getApiClient,
  listApiClients,
  registerApiClient,
  revokeApiClientTokens,
  rollApiClientSecret,
} from "@/lib/api-clients/service";
import { refuseUnless } from "@/lib/auth/roles";
import { requireAdmin } from "@/lib/auth/session";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import type { ListPageResult, ListQuery } from "@/lib/paging/contract";
import { listPageAction } from "@/lib/paging/list-action";
import { getDb } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments, calls the service and maps the result. There is deliberately no update action:
 * what a client may do is fixed at registration; only its credentials have a lifecycle (roll
 * the secret, expire the old one, revoke all tokens).
 */

const NOT_FOUND = "This API client no longer exists. Someone may have deleted it.";
const NO_OLD_SECRET =
  "The old secret has already stopped working: its grace period ended or someone expired it.";

/** One page of the list, after `after` when given; `search` matches part of a name or key. */
export async function listApiClientsAction(
  input: ListQuery = {},
): Promise<ListPageResult<ApiClientListItem>> {
  const admin = await requireAdmin();
  return listPageAction(
    admin,
    "api-clients",
    input,
    async (options) => listApiClients(await getDb(), options),
    apiClientListPageOutput,
  );
}

export async function getApiClientAction(id: string): Promise<GetApiClientResult> {
  const admin = await requireAdmin();
  const parsed = apiClientIdSchema.safeParse(id);
  // A malformed id names no client: the same answer as a deleted one, not an error.
  if (!parsed.success) return { ok: true, client: null };
  try {
    const client = await getApiClient(await getDb(), parsed.data);
    return { ok: true, client: client ? apiClientDetailOutput.parse(client) : null };
  } catch (error) {
    return unexpectedFailure("api-clients", "read an API client", admin, error);
  }
}

/**
 * Registers a client and returns its secret: the one response that ever carries it. The secret
 * is not logged, audited or cached; a failure after it was generated loses it, which is safe
 * because only its hash was stored, in the same transaction as the client.
 */
export async function registerApiClientAction(
  input: RegisterApiClientFormInput,
): Promise<RegisterApiClientResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  try {
    const parsed = registerApiClientSchema.safeParse(input);
    if (!parsed.success) {
      return { ok: false, fieldErrors: fieldErrorsOf<RegisterApiClientFields>(parsed.error) };
    }
    // Whether the till and the granted groups still exist is the service's to say, inside the
    // transaction that registers the client: a check here would only race with it.
    const result = await registerApiClient(
      await getDb(),
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) {
      return {
        ok: true,
        client: apiClientDetailOutput.parse(result.client),
        clientKey: result.clientKey,
        clientSecret: result.clientSecret,
      };
    }
    switch (result.error) {
      case "till_not_found":
        return {
          ok: false,
          fieldErrors: { tillId: "This till no longer exists; select another one" },
        };
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
    return unexpectedFailure("api-clients", "register an API client", admin, error);
  }
}

export async function deleteApiClientAction(
  input: DeleteApiClientInput,
): Promise<DeleteApiClientResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = deleteApiClientSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: NOT_FOUND, notFound: true };
  try {
    const result = await deleteApiClient(
      await getDb(),
      parsed.data.id,
      await changeContextFor(admin),
    );
    if (result.ok) {
      const { id, name } = result.deleted;
      return { ok: true, deleted: { id, name } };
    }
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("api-clients", "delete an API client", admin, error);
  }
}

/**
 * Rolls the client's secret and returns the new one: besides registration, the one response that
 * ever carries a secret. Not logged, audited or cached, like registration's.
 */
export async function rollApiClientSecretAction(
  input: RollApiClientSecretInput,
): Promise<RollApiClientSecretResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = rollApiClientSecretSchema.safeParse(input);
  if (!parsed.success) {
    // Only a grace period outside the choices is the form's to fix; any other shape names no
    // client this console sent.
    const { id, gracePeriod } = fieldErrorsOf<keyof RollApiClientSecretInput>(parsed.error);
    if (gracePeriod && !id) return { ok: false, fieldErrors: { gracePeriod } };
    return { ok: false, formError: NOT_FOUND, notFound: true };
  }
  try {
    const { id, gracePeriod } = parsed.data;
    const result = await rollApiClientSecret(
      await getDb(),
      id,
      gracePeriod,
      await changeContextFor(admin),
    );
    if (result.ok) {
      return {
        ok: true,
        client: apiClientDetailOutput.parse(result.client),
        clientSecret: result.clientSecret,
      };
    }
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("api-clients", "roll an API client's secret", admin, error);
  }
}

/** "Expire old secret now": the previous secret stops working at once. */
export async function expireOldApiClientSecretAction(
  input: ApiClientRefInput,
): Promise<ApiClientChangeResult> {
  return changeClient(input, "expire an API client's old secret", expirePreviousSecret);
}

/** "Revoke all tokens": every token the client holds stops working, on every instance. */
export async function revokeApiClientTokensAction(
  input: ApiClientRefInput,
): Promise<ApiClientChangeResult> {
  return changeClient(input, "revoke an API client's tokens", revokeApiClientTokens);
}

/** Not exported, so not an endpoint: what the two one-click lifecycle actions share. */
async function changeClient(
  input: ApiClientRefInput,
  operation: string,
  change: typeof expirePreviousSecret,
): Promise<ApiClientChangeResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = apiClientRefSchema.safeParse(input);
  if (!parsed.success) return { ok: false, formError: NOT_FOUND, notFound: true };
  try {
    const result = await change(await getDb(), parsed.data.id, await changeContextFor(admin));
    if (result.ok) return { ok: true, client: apiClientDetailOutput.parse(result.client) };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      case "no_previous_secret":
        return { ok: false, formError: NO_OLD_SECRET };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("api-clients", operation, admin, error);
  }
}

const searchSchema = z.string().trim().max(100).optional();

/** API clients whose name or key contains `search`, for the access lists' picker. */
export async function searchAccessCandidatesAction(
  search: unknown,
): Promise<{ ok: true; clients: AccessClient[] } | { ok: false; formError: string }> {
  const admin = await requireAdmin();
  const parsed = searchSchema.safeParse(search);
  if (!parsed.success) return { ok: false, formError: "Search for at most 100 characters." };
  try {
    return { ok: true, clients: await searchAccessCandidates(await getDb(), parsed.data ?? "") };
  } catch (error) {
    return unexpectedFailure("api-clients", "search API clients", admin, error);
  }
}
