"use server";

import { z } from "zod";
import {
  apiAccessSchema,
  DELETED_CLIENT_IN_LIST,
  UNREADABLE_CLIENT_LIST,
} from "@/lib/api-access/schema";
import { refuseUnless } from "@/lib/auth/roles";
import { requireAdmin } from "@/lib/auth/session";
import { assertNever, changeContextFor, unexpectedFailure } from "@/lib/forms/action-support";
import { fieldErrorsByPath } from "@/lib/forms/field-errors";
import { requestPublicOrigin } from "@/lib/http/request-origin";
import { createConnectSession, setConnectReturnUrls } from "@/lib/integrations/connect-sessions";
import {
  createConnection,
  deleteConnection,
  type FieldIssue,
  listConnections,
  type CreateConnectionResult as StoredConnectionResult,
  testAuthCode,
} from "@/lib/integrations/connections";
import {
  type CreateConnectionResult,
  type CreateConnectLinkResult,
  type CreateIntegrationResult,
  connectionOutput,
  type DeleteConnectionResult,
  type DeleteIntegrationResult,
  type GetIntegrationResult,
  type IntegrationListItem,
  integrationDetailOutput,
  integrationListPageOutput,
  type ListConnectionsResult,
  type SetApiAccessResult,
  type SetReturnUrlsResult,
  sampleTestReportOutput,
  sandboxReportOutput,
  type TestAuthCodeResult,
  type UpdateAuthResult,
} from "@/lib/integrations/contract";
import {
  authFieldsSchema,
  codeSchema,
  connectionValuesSchema,
  connectReturnUrlsSchema,
  createConnectSessionSchema,
  createIntegrationSchema,
  integrationIdSchema,
  updateAuthSchema,
} from "@/lib/integrations/schema";
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  type Integration,
  listIntegrations,
  setApiAccess,
  updateIntegrationAuth,
} from "@/lib/integrations/service";
import type { ListPageResult, ListQuery } from "@/lib/paging/contract";
import { listPageAction } from "@/lib/paging/list-action";
import { startRuntime } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments, calls one service function and maps the result. The public API's routes call the
 * same services with the same schemas (lib/api/integration-routes.ts).
 */

const AREA = "integrations";
const NOT_FOUND = "This integration no longer exists. Someone may have deleted it.";
const SANDBOX_BUSY = "The code sandbox is busy. Try again in a moment.";
const notFound = { ok: false as const, formError: NOT_FOUND, notFound: true };
const connectionIdSchema = z.string().regex(/^conn_[0-9a-f]{20}$/);
const cursorSchema = z.string().max(200).optional();

/** One page of the list, after `after` when given; `search` matches part of the name. */
export async function listIntegrationsAction(
  input: ListQuery = {},
): Promise<ListPageResult<IntegrationListItem>> {
  const admin = await requireAdmin();
  return listPageAction(
    admin,
    AREA,
    input,
    async (options) => listIntegrations((await startRuntime()).database.db, options),
    integrationListPageOutput,
  );
}

export async function getIntegrationAction(id: string): Promise<GetIntegrationResult> {
  const admin = await requireAdmin();
  const parsed = integrationIdSchema.safeParse(id);
  // A malformed id names no integration: the same answer as a deleted one.
  if (!parsed.success) return { ok: true, integration: null };
  try {
    const { database } = await startRuntime();
    const integration = await getIntegration(database.db, parsed.data);
    return { ok: true, integration: integration ? detail(integration) : null };
  } catch (error) {
    return unexpectedFailure(AREA, "read an integration", admin, error);
  }
}

export async function createIntegrationAction(input: unknown): Promise<CreateIntegrationResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = createIntegrationSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsByPath(parsed.error) };
  try {
    const { database } = await startRuntime();
    const created = await createIntegration(
      database.db,
      parsed.data,
      await changeContextFor(admin),
    );
    return { ok: true, integration: detail(created) };
  } catch (error) {
    return unexpectedFailure(AREA, "create an integration", admin, error);
  }
}

export async function deleteIntegrationAction(id: string): Promise<DeleteIntegrationResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsed = integrationIdSchema.safeParse(id);
  if (!parsed.success) return notFound;
  try {
    const { database } = await startRuntime();
    const result = await deleteIntegration(database.db, parsed.data, await changeContextFor(admin));
    if (result.ok) return result;
    switch (result.error) {
      case "not_found":
        return notFound;
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure(AREA, "delete an integration", admin, error);
  }
}

/** The auth editor's Save: the same schema and service as PATCH …/auth in the public API. */
export async function updateIntegrationAuthAction(
  id: string,
  input: unknown,
): Promise<UpdateAuthResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  if (!parsedId.success) return notFound;
  try {
    const { env, database, keyring, sandbox } = await startRuntime();
    const schema = updateAuthSchema({ allowPrivateUrls: env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS });
    const parsed = schema.safeParse(input);
    if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsByPath(parsed.error) };
    const result = await updateIntegrationAuth(
      database.db,
      { keyring, sandbox },
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) {
      return {
        ok: true,
        integration: detail(result.integration),
        connectionsDeleted: result.connectionsDeleted,
      };
    }
    switch (result.error) {
      case "not_found":
        return notFound;
      case "invalid_code":
        return { ok: false, fieldErrors: { [result.path.join(".")]: result.message } };
      case "sandbox_unavailable":
        return { ok: false, formError: SANDBOX_BUSY };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure(AREA, "update an integration's auth configuration", admin, error);
  }
}

/** The editor's code and fields under the rules a save applies, and the sample values. */
const testInputSchema = z
  .object({ code: codeSchema, fields: authFieldsSchema, values: connectionValuesSchema })
  .strict();

/** "Test with sample values": runs the editor's code (saved or not) and stores nothing. */
export async function testAuthCodeAction(id: string, input: unknown): Promise<TestAuthCodeResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  const parsed = testInputSchema.safeParse(input);
  if (!parsedId.success) return { ok: false, formError: NOT_FOUND };
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsByPath(parsed.error) };
  try {
    const { database, sandbox } = await startRuntime();
    const result = await testAuthCode(
      database.db,
      sandbox,
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, report: sampleTestReportOutput.parse(result.test) };
    switch (result.error) {
      case "not_found":
        return { ok: false, formError: NOT_FOUND };
      case "invalid":
        return { ok: false, fieldErrors: errorsByPath(result.issues) };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure(AREA, "test auth code", admin, error);
  }
}

export async function listConnectionsAction(
  id: string,
  cursor?: string,
): Promise<ListConnectionsResult> {
  const admin = await requireAdmin();
  const parsedId = integrationIdSchema.safeParse(id);
  const parsedCursor = cursorSchema.safeParse(cursor);
  if (!parsedId.success || !parsedCursor.success) return { ok: false, formError: NOT_FOUND };
  try {
    const { database } = await startRuntime();
    const page = await listConnections(database.db, parsedId.data, { cursor: parsedCursor.data });
    if ("error" in page) return { ok: false, formError: "This list moved on; reload the page." };
    return {
      ok: true,
      connections: z.array(connectionOutput).parse(page.connections),
      nextCursor: page.nextCursor,
    };
  } catch (error) {
    return unexpectedFailure(AREA, "list connections", admin, error);
  }
}

/**
 * Adds (or replaces) the service connection of a SERVICE_ACCOUNT integration from the console:
 * the same service call as POST …/connections, so its values are tested before they are stored.
 */
export async function saveServiceConnectionAction(
  id: string,
  values: unknown,
): Promise<CreateConnectionResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  const parsedValues = connectionValuesSchema.safeParse(values);
  if (!parsedId.success) return { ok: false, formError: NOT_FOUND };
  if (!parsedValues.success) return { ok: false, formError: "Enter at most one value per field." };
  try {
    const { database, keyring, sandbox } = await startRuntime();
    const result = await createConnection(
      database.db,
      { keyring, sandbox },
      parsedId.data,
      { values: parsedValues.data },
      await changeContextFor(admin),
    );
    return connectionAnswer(result);
  } catch (error) {
    return unexpectedFailure(AREA, "save the service connection", admin, error);
  }
}

function connectionAnswer(result: StoredConnectionResult): CreateConnectionResult {
  if (result.ok) {
    return {
      ok: true,
      connection: connectionOutput.parse(result.connection),
      replaced: result.replaced,
    };
  }
  switch (result.error) {
    case "not_found":
      return { ok: false, formError: NOT_FOUND };
    case "invalid":
      return { ok: false, fieldErrors: errorsByPath(result.issues) };
    case "oauth_flow_required":
      return { ok: false, formError: "OAuth integrations connect through the OAuth flow." };
    case "auth_changed":
      return {
        ok: false,
        formError: "The auth configuration changed while testing these values. Try again.",
      };
    case "test_failed":
      return { ok: false, testFailed: sandboxReportOutput.parse(result.test) };
    case "sandbox_unavailable":
      return { ok: false, formError: SANDBOX_BUSY };
    default:
      return assertNever(result);
  }
}

export async function deleteConnectionAction(
  id: string,
  connectionId: string,
): Promise<DeleteConnectionResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  const parsedConnection = connectionIdSchema.safeParse(connectionId);
  const gone = {
    ok: false as const,
    formError: "This connection no longer exists.",
    notFound: true,
  };
  if (!parsedId.success || !parsedConnection.success) return gone;
  try {
    const { database } = await startRuntime();
    const result = await deleteConnection(
      database.db,
      parsedId.data,
      parsedConnection.data,
      await changeContextFor(admin),
    );
    return result.ok ? { ok: true } : gone;
  } catch (error) {
    return unexpectedFailure(AREA, "delete a connection", admin, error);
  }
}

export async function setApiAccessAction(id: string, input: unknown): Promise<SetApiAccessResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  const parsed = apiAccessSchema.safeParse(input);
  if (!parsedId.success) return notFound;
  if (!parsed.success) return { ok: false, fieldErrors: UNREADABLE_CLIENT_LIST };
  try {
    const { database } = await startRuntime();
    const result = await setApiAccess(
      database.db,
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, integration: detail(result.integration) };
    switch (result.error) {
      case "not_found":
        return notFound;
      case "unknown_client":
        return {
          ok: false,
          fieldErrors: DELETED_CLIENT_IN_LIST,
        };
      default:
        return assertNever(result.error);
    }
  } catch (error) {
    return unexpectedFailure(AREA, "change API access", admin, error);
  }
}

/** The Connections tab's "Connect links" allowlist: where links may send end users back to. */
export async function setConnectReturnUrlsAction(
  id: string,
  urls: unknown,
): Promise<SetReturnUrlsResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  if (!parsedId.success) return notFound;
  try {
    const { env, database } = await startRuntime();
    const schema = connectReturnUrlsSchema({
      allowPrivateUrls: env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
    });
    const parsed = schema.safeParse(urls);
    if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsByPath(parsed.error) };
    const result = await setConnectReturnUrls(
      database.db,
      parsedId.data,
      parsed.data,
      await changeContextFor(admin),
    );
    if (!result.ok) return notFound;
    const integration = await getIntegration(database.db, parsedId.data);
    return integration ? { ok: true, integration: detail(integration) } : notFound;
  } catch (error) {
    return unexpectedFailure(AREA, "change the return URLs", admin, error);
  }
}

/**
 * "Connect as…": the same link a program gets from POST …/connect-sessions, made by the admin,
 * so they can try the hosted page as an end user would. The link is in this answer only.
 */
export async function createConnectLinkAction(
  id: string,
  input: unknown,
): Promise<CreateConnectLinkResult> {
  const admin = await requireAdmin();
  const refused = refuseUnless(admin, "admin");
  if (refused) return refused;
  const parsedId = integrationIdSchema.safeParse(id);
  if (!parsedId.success) return notFound;
  const parsed = createConnectSessionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsByPath(parsed.error) };
  try {
    const { env, database } = await startRuntime();
    const result = await createConnectSession(
      database.db,
      {
        integrationId: parsedId.data,
        ...parsed.data,
        origin: await requestPublicOrigin(env.AUTHDESK_PUBLIC_URL),
      },
      await changeContextFor(admin),
    );
    if (result.ok) return { ok: true, link: result.session };
    switch (result.error) {
      case "not_found":
        return notFound;
      case "not_connectable":
        return { ok: false, formError: "Service account integrations have no end users." };
      case "return_url_not_allowed":
        return { ok: false, fieldErrors: { returnUrl: "Choose a URL from the allowlist." } };
      default:
        return assertNever(result);
    }
  } catch (error) {
    return unexpectedFailure(AREA, "make a connect link", admin, error);
  }
}

/** Errors keyed by their path joined with dots, as the console's forms look them up. */
function errorsByPath(issues: FieldIssue[]): Record<string, string> {
  return Object.fromEntries(issues.map((issue) => [issue.path.join("."), issue.message]));
}

function detail(integration: Integration) {
  return integrationDetailOutput.parse(integration);
}
