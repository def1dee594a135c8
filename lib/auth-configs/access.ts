import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { authConfigApiClients, authConfigs } from "@/db/schema";
import type { ApiAccess, ApiAccessInput } from "@/lib/api-access/schema";
import {
  type AccessList,
  type AccessVerdict,
  type ApiAccessCaller,
  checkAccess,
  createAccessChecker,
  readAccess,
  setAccess,
} from "@/lib/api-access/service";
import type { ChangeContext } from "@/lib/audit/service";

/**
 * Who may fetch an auth config's tokens through POST /api/v1/auth-configs/{identifier}/token.
 * Policy, not config: the config itself stays immutable (./service.ts), while its access list
 * is set in the console beside it and changes are audited. New configs let nobody in; the
 * migration that brought access lists set every existing config to "all" (docs/least-privilege.md).
 */
export const authConfigAccess: AccessList = {
  table: authConfigs,
  id: authConfigs.id,
  mode: authConfigs.apiAccess,
  tills: authConfigs.apiAccessTills,
  members: authConfigApiClients,
  memberRecord: authConfigApiClients.authConfigId,
  memberClient: authConfigApiClients.apiClientId,
  auditAction: "auth_config.api_access_changed",
  targetType: "auth_config",
};

/** The config's access list for the console. */
export function readAuthConfigAccess(
  executor: Executor,
  row: { id: string; apiAccess: "all" | "selected"; apiAccessTills: boolean },
): Promise<ApiAccess> {
  return readAccess(executor, authConfigAccess, row.id, {
    mode: row.apiAccess,
    tills: row.apiAccessTills,
  });
}

export type SetAuthConfigAccessResult =
  | { ok: true; access: ApiAccess }
  | { ok: false; error: "not_found" | "unknown_client" };

export async function setAuthConfigAccess(
  db: Database,
  id: string,
  access: ApiAccessInput,
  context: ChangeContext,
): Promise<SetAuthConfigAccessResult> {
  const result = await setAccess(db, authConfigAccess, id, access, context);
  if (!result.ok) return result;
  const [row] = await db.select().from(authConfigs).where(eq(authConfigs.id, id));
  if (!row) return { ok: false, error: "not_found" };
  return { ok: true, access: await readAuthConfigAccess(db, row) };
}

/** Whether the caller may fetch tokens of the config with this identifier (any case). */
export function checkAuthConfigAccess(
  executor: Executor,
  identifier: string,
  caller: ApiAccessCaller,
): Promise<AccessVerdict> {
  return checkAccess(
    executor,
    authConfigAccess,
    sql`lower(${authConfigs.identifier}) = ${identifier.toLowerCase()}`,
    caller,
  );
}

/**
 * The same check for the token route, batched across concurrent requests: every program's call
 * asks it, and a round trip of its own per request halved the route's throughput.
 */
export function createAuthConfigAccessChecker(
  db: Database,
): (identifier: string, caller: ApiAccessCaller) => Promise<AccessVerdict> {
  const check = createAccessChecker(db, authConfigAccess, sql`lower(${authConfigs.identifier})`);
  return (identifier, caller) => check(identifier.toLowerCase(), caller);
}

/** The API clients on a config's list, for Replace to hand on to the successor. */
export async function readGrantedClientIds(
  executor: Executor,
  configId: string,
): Promise<string[]> {
  const rows = await executor
    .select({ clientId: authConfigApiClients.apiClientId })
    .from(authConfigApiClients)
    .where(eq(authConfigApiClients.authConfigId, configId));
  return rows.map((row) => row.clientId);
}

/** Puts clients on a config's list (Replace's successor; the old row's list is gone with it). */
export async function grantClients(
  executor: Executor,
  configId: string,
  clientIds: string[],
): Promise<void> {
  if (clientIds.length === 0) return;
  await executor
    .insert(authConfigApiClients)
    .values(clientIds.map((apiClientId) => ({ authConfigId: configId, apiClientId })));
}
