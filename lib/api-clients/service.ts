import "server-only";
import { eq, gt, inArray, sql } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { isForeignKeyViolation } from "@/db/errors";
import { apiClientPermissions, apiClients, apiGroups, tills } from "@/db/schema";
import { compareApiGroups, missingGroups } from "@/lib/api-groups/service";
import { type ChangeContext, recordAudit } from "@/lib/audit/service";
import { newId } from "@/lib/ids";
import { type PermissionLevel, scopesForPermissions } from "@/lib/oauth/scopes";
import type { Page } from "@/lib/paging/contract";
import { pageFrom } from "@/lib/paging/keyset";
import {
  type ListOptions,
  type ListSpec,
  listOrder,
  listWhere,
  pageLimit,
} from "@/lib/paging/list-query";
import { generateCredential, hashCredential, visiblePrefix } from "./credentials";
import {
  type RegisterApiClientInput,
  SECRET_GRACE_SECONDS,
  type SecretGracePeriod,
} from "./schema";

/**
 * API clients are registered and deleted; what a client may do (name, permissions, till, token
 * lifetime) never changes, and a test checks that no function here could change it. Only its
 * credentials have a lifecycle: the secret can be rolled (with a grace period for the old one,
 * which can be cut short) and all its tokens revoked. A client secret leaves this module only in
 * the result of `registerApiClient` or `rollApiClientSecret`; the table holds its SHA-256 and a
 * short visible prefix (and the same of the previous secret during its grace period).
 */
export interface ApiClientPermissionView {
  groupId: string;
  slug: string;
  name: string;
  level: PermissionLevel;
}

export interface ApiClientView {
  id: string;
  name: string;
  description: string | null;
  /** The public client key (OAuth client_id). */
  clientKey: string;
  /** Enough of the secret to tell two apart; never the secret or its hash. */
  secretPrefix: string;
  tokenTtlMinutes: number;
  /** Built-in groups first in the seed's order, then custom groups by name. */
  permissions: ApiClientPermissionView[];
  /** The scopes a token for this client is granted, derived from `permissions`. */
  scopes: string[];
  till: { id: string; code: string; name: string };
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** When the secret was last rolled; null while it is the one from registration. */
  secretRolledAt: Date | null;
  /** The old secret while it is still accepted (by the database's clock), else both null. */
  previousSecretPrefix: string | null;
  previousSecretExpiresAt: Date | null;
  /** When all its tokens were last revoked; tokens issued before then are refused. */
  tokensValidAfter: Date | null;
}

export type RegisterApiClientResult =
  | { ok: true; client: ApiClientView; clientKey: string; clientSecret: string }
  | { ok: false; error: "till_not_found" }
  | { ok: false; error: "group_not_found"; groupIds: string[] };

export async function registerApiClient(
  db: Database,
  input: RegisterApiClientInput,
  context: ChangeContext,
): Promise<RegisterApiClientResult> {
  const grants = Object.entries(input.permissions).flatMap(([groupId, level]) =>
    level === "none" ? [] : [{ groupId, level }],
  );
  const id = newId("cli");
  const clientKey = generateCredential("client_key");
  const clientSecret = generateCredential("client_secret");
  try {
    const outcome = await db.transaction(async (tx) => {
      const [till] = await tx
        .select({ code: tills.code })
        .from(tills)
        .where(eq(tills.id, input.tillId));
      if (!till) return { ok: false, error: "till_not_found" } as const;
      const missing = await missingGroups(
        tx,
        grants.map((grant) => grant.groupId),
      );
      if (missing.length)
        return { ok: false, error: "group_not_found", groupIds: missing } as const;
      await tx.insert(apiClients).values({
        id,
        name: input.name,
        description: input.description ?? null,
        clientKey,
        secretHash: hashCredential(clientSecret),
        secretPrefix: visiblePrefix(clientSecret),
        tokenTtlMinutes: input.tokenTtlMinutes,
        tillId: input.tillId,
        createdById: context.actor.id,
        createdByLabel: context.actor.label,
      });
      if (grants.length)
        await tx
          .insert(apiClientPermissions)
          .values(grants.map((grant) => ({ clientId: id, ...grant })));
      const client = (await getApiClient(tx, id)) as ApiClientView;
      await recordAudit(tx, {
        actor: context.actor,
        action: "api_client.registered",
        target: { type: "api_client", id },
        clientAddress: context.clientAddress,
        details: {
          name: client.name,
          clientKey,
          tillCode: till.code,
          tokenTtlMinutes: client.tokenTtlMinutes,
          permissions: Object.fromEntries(client.permissions.map((p) => [p.slug, p.level])),
        },
      });
      return { ok: true, client } as const;
    });
    return outcome.ok ? { ...outcome, clientKey, clientSecret } : outcome;
  } catch (error) {
    // The till or a granted group was deleted between the checks above and the inserts; the
    // foreign keys refused the row, so say which one is gone.
    if (!isForeignKeyViolation(error)) throw error;
    const [till] = await db.select({ id: tills.id }).from(tills).where(eq(tills.id, input.tillId));
    if (!till) return { ok: false, error: "till_not_found" };
    const missing = await missingGroups(
      db,
      grants.map((grant) => grant.groupId),
    );
    if (missing.length) return { ok: false, error: "group_not_found", groupIds: missing };
    throw error;
  }
}

/** The console list's order, keyset and search (lib/paging/list-query.ts). */
const listSpec: ListSpec = {
  key: apiClients.name,
  id: apiClients.id,
  contains: [apiClients.name, apiClients.clientKey],
  // Every key starts with `adk_ck_`, so only the name has a start worth matching.
  prefix: [apiClients.name],
};

/**
 * One page of clients by name (any case), then id: keyset pagination on `api_clients_name_idx`,
 * so a page costs the same at 100 clients as at 100,000. The id breaks ties between equal names;
 * the creation time is not in the key because PostgreSQL keeps microseconds that a Date sent
 * back as a cursor would lose. Throws InvalidCursorError for a cursor that is not ours.
 */
export async function listApiClients(
  executor: Executor,
  options: ListOptions = {},
): Promise<Page<ApiClientView>> {
  const limit = pageLimit(options.limit);
  const rows = await apiClientPageQuery(executor, options, limit);
  const page = pageFrom(rows, (client) => client.name, limit);
  return { items: await withPermissions(executor, page.items), nextCursor: page.nextCursor };
}

/** The query behind a page, unrun: the plan tests and the bench EXPLAIN it. */
export function apiClientPageQuery(executor: Executor, options: ListOptions, limit: number) {
  return (
    selectClients(executor)
      .where(listWhere(listSpec, options))
      .orderBy(...listOrder(listSpec))
      // One more than the page says whether there is a next page without counting.
      .limit(limit + 1)
  );
}

export async function getApiClient(executor: Executor, id: string): Promise<ApiClientView | null> {
  const rows = await selectClients(executor).where(eq(apiClients.id, id));
  const [client] = await withPermissions(executor, rows);
  return client ?? null;
}

export type DeleteApiClientResult =
  | {
      ok: true;
      deleted: { id: string; name: string; clientKey: string };
    }
  | { ok: false; error: "not_found" };

/**
 * Deletes a client. Every use of an access token checks that its client still exists, so each
 * of its tokens stops working on the next request, on every instance.
 */
export async function deleteApiClient(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<DeleteApiClientResult> {
  return db.transaction(async (tx): Promise<DeleteApiClientResult> => {
    const [deleted] = await tx
      .delete(apiClients)
      .where(eq(apiClients.id, id))
      .returning({ id: apiClients.id, name: apiClients.name, clientKey: apiClients.clientKey });
    if (!deleted) return { ok: false, error: "not_found" };
    await recordAudit(tx, {
      actor: context.actor,
      action: "api_client.deleted",
      target: { type: "api_client", id },
      clientAddress: context.clientAddress,
      details: { name: deleted.name, clientKey: deleted.clientKey },
    });
    return { ok: true, deleted };
  });
}

export type RollApiClientSecretResult =
  | { ok: true; client: ApiClientView; clientSecret: string }
  | { ok: false; error: "not_found" };

/** The client's row, locked for a change to its secrets: what the change's audit row names. */
async function lockSecrets(executor: Executor, id: string) {
  const [row] = await executor
    .select({ ...auditedColumns, ...previousSecretColumns })
    .from(apiClients)
    .where(eq(apiClients.id, id))
    .for("update");
  return row;
}

/**
 * Gives a client a new secret and returns it, the only time it is seen. With a grace period the
 * old secret keeps working until then (by the database's clock), so the calling systems can move
 * over without downtime; with "none" it stops at once. There is room for one old secret: a
 * previous secret still in its grace period stops at this roll. Tokens already issued are not
 * touched, whichever secret got them: they never depended on the secret (see
 * `revokeApiClientTokens` to end them too).
 */
export async function rollApiClientSecret(
  db: Database,
  id: string,
  gracePeriod: SecretGracePeriod,
  context: ChangeContext,
): Promise<RollApiClientSecretResult> {
  const clientSecret = generateCredential("client_secret");
  const graceSeconds = SECRET_GRACE_SECONDS[gracePeriod];
  const keepOld = graceSeconds > 0;
  return db.transaction(async (tx): Promise<RollApiClientSecretResult> => {
    const before = await lockSecrets(tx, id);
    if (!before) return { ok: false, error: "not_found" };
    // Set from the old row's values: UPDATE reads every right-hand side before writing.
    await tx
      .update(apiClients)
      .set({
        previousSecretHash: keepOld ? sql`${apiClients.secretHash}` : null,
        previousSecretPrefix: keepOld ? sql`${apiClients.secretPrefix}` : null,
        previousSecretExpiresAt: keepOld
          ? sql`now() + ${graceSeconds}::int * interval '1 second'`
          : null,
        secretHash: hashCredential(clientSecret),
        secretPrefix: visiblePrefix(clientSecret),
        secretRolledAt: sql`now()`,
      })
      .where(eq(apiClients.id, id));
    const client = (await getApiClient(tx, id)) as ApiClientView;
    await recordAudit(tx, {
      actor: context.actor,
      action: "api_client.secret_rolled",
      target: { type: "api_client", id },
      clientAddress: context.clientAddress,
      details: {
        name: before.name,
        clientKey: before.clientKey,
        gracePeriod,
        secretPrefix: client.secretPrefix,
        oldSecretPrefix: before.secretPrefix,
        // Null with no grace period: the old secret stopped with this roll.
        oldSecretAcceptedUntil: client.previousSecretExpiresAt?.toISOString() ?? null,
        ...(before.previousSecretPrefix
          ? { endedPreviousSecretPrefix: before.previousSecretPrefix }
          : {}),
      },
    });
    return { ok: true, client, clientSecret };
  });
}

export type ApiClientChangeResult =
  | { ok: true; client: ApiClientView }
  | { ok: false; error: "not_found" | "no_previous_secret" };

/**
 * "Expire old secret now": ends the previous secret's grace period at once, for when every
 * calling system has moved over (or the old secret leaked after all).
 */
export async function expirePreviousSecret(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<ApiClientChangeResult> {
  return db.transaction(async (tx): Promise<ApiClientChangeResult> => {
    const before = await lockSecrets(tx, id);
    if (!before) return { ok: false, error: "not_found" };
    // Also clears a previous secret whose grace period ran out by itself: it was refused anyway.
    await tx
      .update(apiClients)
      .set({ previousSecretHash: null, previousSecretPrefix: null, previousSecretExpiresAt: null })
      .where(eq(apiClients.id, id));
    if (!before.previousSecretPrefix || !before.previousSecretExpiresAt) {
      return { ok: false, error: "no_previous_secret" };
    }
    await recordAudit(tx, {
      actor: context.actor,
      action: "api_client.old_secret_expired",
      target: { type: "api_client", id },
      clientAddress: context.clientAddress,
      details: {
        name: before.name,
        clientKey: before.clientKey,
        oldSecretPrefix: before.previousSecretPrefix,
        scheduledEnd: before.previousSecretExpiresAt.toISOString(),
      },
    });
    return { ok: true, client: (await getApiClient(tx, id)) as ApiClientView };
  });
}

/**
 * "Revoke all tokens": every token the client holds stops working at once, on every instance,
 * while the client and its secrets stay. Tokens issued at or before this instant (the
 * database's clock) are refused by the check every token use makes (lib/oauth/tokens.ts).
 */
export async function revokeApiClientTokens(
  db: Database,
  id: string,
  context: ChangeContext,
): Promise<ApiClientChangeResult> {
  return db.transaction(async (tx): Promise<ApiClientChangeResult> => {
    // Lock first, then read the clock: `now()` is when the transaction began, and a wait for a
    // concurrent roll's lock would leave tokens issued meanwhile dated after the revocation.
    const revoked = await lockSecrets(tx, id);
    if (!revoked) return { ok: false, error: "not_found" };
    await tx
      .update(apiClients)
      .set({ tokensValidAfter: sql`clock_timestamp()` })
      .where(eq(apiClients.id, id));
    await recordAudit(tx, {
      actor: context.actor,
      action: "api_client.tokens_revoked",
      target: { type: "api_client", id },
      clientAddress: context.clientAddress,
      details: { name: revoked.name, clientKey: revoked.clientKey },
    });
    return { ok: true, client: (await getApiClient(tx, id)) as ApiClientView };
  });
}

/** What the lifecycle's audit events name: never a secret or its hash. */
const auditedColumns = {
  name: apiClients.name,
  clientKey: apiClients.clientKey,
  secretPrefix: apiClients.secretPrefix,
};

/** The previous secret while the database's clock says it is still accepted; else nulls. */
const stillAccepted = gt(apiClients.previousSecretExpiresAt, sql`now()`);
const previousSecretColumns = {
  previousSecretPrefix: sql<string | null>`case when ${stillAccepted}
    then ${apiClients.previousSecretPrefix} end`,
  previousSecretExpiresAt: sql<Date | null>`case when ${stillAccepted}
    then ${apiClients.previousSecretExpiresAt} end`.mapWith(apiClients.previousSecretExpiresAt),
};

/** The columns a view needs; `secret_hash` is deliberately not among them. */
function selectClients(executor: Executor) {
  return executor
    .select({
      id: apiClients.id,
      name: apiClients.name,
      description: apiClients.description,
      clientKey: apiClients.clientKey,
      secretPrefix: apiClients.secretPrefix,
      tokenTtlMinutes: apiClients.tokenTtlMinutes,
      till: { id: tills.id, code: tills.code, name: tills.name },
      createdBy: apiClients.createdByLabel,
      createdAt: apiClients.createdAt,
      lastUsedAt: apiClients.lastUsedAt,
      secretRolledAt: apiClients.secretRolledAt,
      ...previousSecretColumns,
      tokensValidAfter: apiClients.tokensValidAfter,
    })
    .from(apiClients)
    .innerJoin(tills, eq(tills.id, apiClients.tillId))
    .$dynamic();
}

type ClientRow = Omit<ApiClientView, "permissions" | "scopes">;

/** The permissions of a page of clients (or one client): one query, one parameter per client. */
async function withPermissions(executor: Executor, rows: ClientRow[]): Promise<ApiClientView[]> {
  if (rows.length === 0) return [];
  const grants = await executor
    .select({
      clientId: apiClientPermissions.clientId,
      groupId: apiGroups.id,
      slug: apiGroups.slug,
      name: apiGroups.name,
      builtIn: apiGroups.builtIn,
      level: apiClientPermissions.level,
    })
    .from(apiClientPermissions)
    .innerJoin(apiGroups, eq(apiGroups.id, apiClientPermissions.groupId))
    .where(
      inArray(
        apiClientPermissions.clientId,
        rows.map((row) => row.id),
      ),
    );
  grants.sort((a, b) => compareApiGroups({ ...a, id: a.groupId }, { ...b, id: b.groupId }));
  const byClient = new Map<string, ApiClientPermissionView[]>();
  for (const { clientId, groupId, slug, name, level } of grants) {
    const permissions = byClient.get(clientId) ?? [];
    permissions.push({ groupId, slug, name, level });
    byClient.set(clientId, permissions);
  }
  return rows.map((row) => {
    const permissions = byClient.get(row.id) ?? [];
    return { ...row, permissions, scopes: scopesForPermissions(permissions) };
  });
}
