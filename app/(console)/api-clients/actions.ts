"use server";

import { z } from "zod";
import type { AccessClient } from "@/lib/api-access/schema";
import { searchAccessCandidates } from "@/lib/api-access/service";
import {
  type ApiClientListItem,
  apiClientDetailOutput,
  apiClientIdSchema,
  apiClientListPageOutput,
  type DeleteApiClientResult,
  type GetApiClientResult,
  type RegisterApiClientFormInput,
  type RegisterApiClientResult,
} from "@/lib/api-clients/contract";
import {
  type DeleteApiClientInput,
  deleteApiClientSchema,
  type RegisterApiClientFields,
  registerApiClientSchema,
} from "@/lib/api-clients/schema";
import {
  deleteApiClient,
  getApiClient,
  listApiClients,
  registerApiClient,
} from "@/lib/api-clients/service";
import { requireAdmin } from "@/lib/auth/session";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import type { ListPageResult, ListQuery } from "@/lib/paging/contract";
import { listPageAction } from "@/lib/paging/list-action";
import { getDb } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments, calls the service and maps the result. There is deliberately no update action:
 * API clients are registered and deleted, never changed.
 */

const NOT_FOUND = "This API client no longer exists. Someone may have deleted it.";

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
