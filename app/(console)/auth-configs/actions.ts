"use server";

import {
  apiAccessOutput,
  apiAccessSchema,
  DELETED_CLIENT_IN_LIST,
  UNREADABLE_CLIENT_LIST,
} from "@/lib/api-access/schema";
import { refuseUnless } from "@/lib/auth/roles";
import { requireAdmin } from "@/lib/auth/session";
import { setAuthConfigAccess } from "@/lib/auth-configs/access";
import {
  type AuthConfigListItem,
  authConfigDetailOutput,
  authConfigIdSchema,
  authConfigListPageOutput,
  type CreateAuthConfigFormInput,
  type CreateAuthConfigResult,
  type DeleteAuthConfigResult,
  type GetAuthConfigResult,
  type ReplaceAuthConfigResult,
  type SetAuthConfigAccessResult,
  type TestAuthConfigResult,
} from "@/lib/auth-configs/contract";
import { type CreateAuthConfigFields, createAuthConfigSchema } from "@/lib/auth-configs/schema";
import {
  createAuthConfig,
  deleteAuthConfig,
  getAuthConfig,
  listAuthConfigs,
  replaceAuthConfig,
  testAuthConfig,
} from "@/lib/auth-configs/service";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsOf } from "@/lib/forms/field-errors";
import type { ListPageResult, ListQuery } from "@/lib/paging/contract";
import { listPageAction } from "@/lib/paging/list-action";
import { startRuntime } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments, calls the service and maps the result. There is deliberately no update action for
 * the config itself: Replace deletes a config and creates its successor under the same
 * identifier, in one step, and who may fetch its tokens is policy beside it
 * (setAuthConfigAccessAction).
 */

const NOT_FOUND = "This auth config no longer exists. Someone may have deleted it.";

/** One page of the list, after `after` when given; `search` matches part of the identifier. */
export async function listAuthConfigsAction(
  input: ListQuery = {},
): Promise<ListPageResult<AuthConfigListItem>> {
  const admin = await requireAdmin();
  return listPageAction(
    admin,
    "auth-configs",
    input,
    async (options) => listAuthConfigs((await startRuntime()).database.db, options),
    authConfigListPageOutput,
  );
}

export async function getAuthConfigAction(id: string): Promise<GetAuthConfigResult> {
  const admin = await requireAdmin();
  const parsed = authConfigIdSchema.safeParse(id);
  // A malformed id names no config: the same answer as a deleted one, not an error.
  if (!parsed.success) return { ok: true, config: null };
  try {
    const { database, keyring } = await startRuntime();
    const config = await getAuthConfig(database.db, keyring, parsed.data);
    return { ok: true, config: config ? authConfigDetailOutput.parse(config) : null };
  } catch (error) {
    return unexpectedFailure("auth-configs", "get", admin, error);
  }
}

export async function createAuthConfigAction(
  input: CreateAuthConfigFormInput,
): Promise<CreateAuthConfigResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  try {
    const { env, database, keyring } = await startRuntime();
    const schema = createAuthConfigSchema({
      allowPrivateTokenUrls: env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
    });
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return {
        ok: false,
        fieldErrors: fieldErrorsOf<CreateAuthConfigFields>(parsed.error),
      };
    }
    const result = await createAuthConfig(
      database.db,
      keyring,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, config: authConfigDetailOutput.parse(result.config) };
    switch (result.error) {
      case "identifier_taken":
        return {
          ok: false,
          fieldErrors: { identifier: "An auth config with this identifier already exists" },
        };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("auth-configs", "create", admin, error);
  }
}

/**
 * Replaces the config `id` with one made from `input` under the same identifier (see
 * replaceAuthConfig): how an upstream secret is rotated. Field errors as for create.
 */
export async function replaceAuthConfigAction(
  id: string,
  input: CreateAuthConfigFormInput,
): Promise<ReplaceAuthConfigResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = authConfigIdSchema.safeParse(id);
  if (!parsedId.success) return { ok: false, formError: NOT_FOUND, notFound: true };
  try {
    const { env, database, keyring, tokenBroker } = await startRuntime();
    const schema = createAuthConfigSchema({
      allowPrivateTokenUrls: env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
    });
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return { ok: false, fieldErrors: fieldErrorsOf<CreateAuthConfigFields>(parsed.error) };
    }
    const result = await replaceAuthConfig(
      database.db,
      keyring,
      tokenBroker,
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, config: authConfigDetailOutput.parse(result.config) };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      case "identifier_changed":
        return {
          ok: false,
          fieldErrors: {
            identifier: "Replace keeps the identifier; to use a new one, duplicate the config",
          },
        };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("auth-configs", "replace", admin, error);
  }
}

export async function deleteAuthConfigAction(id: string): Promise<DeleteAuthConfigResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = authConfigIdSchema.safeParse(id);
  if (!parsed.success) return { ok: false, formError: NOT_FOUND, notFound: true };
  try {
    const { database, tokenBroker } = await startRuntime();
    const result = await deleteAuthConfig(
      database.db,
      tokenBroker,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) {
      const { deleted } = result;
      return { ok: true, deleted: { id: deleted.id, identifier: deleted.identifier } };
    }
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("auth-configs", "delete", admin, error);
  }
}

export async function testAuthConfigAction(id: string): Promise<TestAuthConfigResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = authConfigIdSchema.safeParse(id);
  if (!parsed.success) return { ok: false, formError: NOT_FOUND };
  try {
    const { database, tokenBroker } = await startRuntime();
    const result = await testAuthConfig(
      database.db,
      tokenBroker,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) {
      const { tokenType, scope, expiresAt } = result;
      return { ok: true, tokenType, scope, expiresAt };
    }
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND };
      case "token_failed": {
        const { code, oauthError, status, message } = result;
        return { ok: false, code, oauthError, status, message };
      }
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure("auth-configs", "test", admin, error);
  }
}

/** Who may fetch the config's tokens through the API: saved as a whole, audited. */
export async function setAuthConfigAccessAction(
  id: unknown,
  input: unknown,
): Promise<SetAuthConfigAccessResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = authConfigIdSchema.safeParse(id);
  if (!parsedId.success) return { ok: false, formError: NOT_FOUND, notFound: true };
  const parsed = apiAccessSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: UNREADABLE_CLIENT_LIST };
  try {
    const { database } = await startRuntime();
    const result = await setAuthConfigAccess(
      database.db,
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, access: apiAccessOutput.parse(result.access) };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND, notFound: true };
      case "unknown_client":
        return {
          ok: false,
          fieldErrors: DELETED_CLIENT_IN_LIST,
        };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure("auth-configs", "change API access", admin, error);
  }
}
