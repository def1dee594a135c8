import "server-only";
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import {
  integrationAuthFields,
  integrationConnectSessions,
  integrationOAuthClients,
  integrations,
} from "@/db/schema";
import { sweepSometimes } from "@/db/sweep";
import { type ActorContext, type ChangeContext, recordAudit } from "@/lib/audit/service";
import { newId } from "@/lib/ids";
import type { ConnectPageModel, LinkProblem } from "./connect-contract";
import { hashToken, newRandomToken, RANDOM_TOKEN_PATTERN } from "./connect-tokens";
import type { AuthType } from "./schema";
import { parseHttpUrl, parseUrl } from "./url-rules";

/**
 * Connect links (lib/integrations/README.md, "The hosted connect page"). A program or an admin
 * makes one for one end user; the end user opens it in a browser and connects there, so their
 * credentials never pass through the program. The link's token is 32 random bytes; only its
 * SHA-256 is stored, so a database dump holds no usable link (./connect-tokens.ts).
 */

export const CONNECT_SESSION_LIFETIME_MS = 10 * 60_000;
export const CONNECT_PATH = "/connect";

export interface CreatedConnectSession {
  id: string;
  /** The link to hand to the end user; shown once, never stored. */
  url: string;
  expiresAt: Date;
}

export type CreateConnectSessionResult =
  | { ok: true; session: CreatedConnectSession }
  | { ok: false; error: "not_found" }
  /** A SERVICE_ACCOUNT integration has one connection for everyone, made by an admin. */
  | { ok: false; error: "not_connectable"; authType: AuthType }
  | { ok: false; error: "return_url_not_allowed" };

/**
 * Makes a single-use connect link for `endUserId`. `returnUrl`, when given, must match the
 * integration's allowlist (returnUrlAllowed); `origin` is this Authdesk's public origin.
 */
export async function createConnectSession(
  db: Database,
  input: { integrationId: string; endUserId: string; returnUrl?: string; origin: string },
  context: ActorContext,
): Promise<CreateConnectSessionResult> {
  const [integration] = await db
    .select({
      authType: integrations.authType,
      authVersion: integrations.authVersion,
      connectReturnUrls: integrations.connectReturnUrls,
    })
    .from(integrations)
    .where(eq(integrations.id, input.integrationId));
  if (!integration) return { ok: false, error: "not_found" };
  if (integration.authType === "SERVICE_ACCOUNT") {
    return { ok: false, error: "not_connectable", authType: integration.authType };
  }
  if (input.returnUrl && !returnUrlAllowed(input.returnUrl, integration.connectReturnUrls)) {
    return { ok: false, error: "return_url_not_allowed" };
  }
  const token = newRandomToken();
  const id = newId("cs");
  const expiresAt = new Date(Date.now() + CONNECT_SESSION_LIFETIME_MS);
  await db.transaction(async (tx) => {
    await tx.insert(integrationConnectSessions).values({
      id,
      tokenHash: hashToken(token),
      integrationId: input.integrationId,
      authVersion: integration.authVersion,
      endUserId: input.endUserId,
      returnUrl: input.returnUrl ?? null,
      createdByLabel: context.actor.label,
      expiresAt,
    });
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.connect_session_created",
      target: { type: "integration_connect_session", id },
      clientAddress: context.clientAddress,
      details: { integrationId: input.integrationId, endUserId: input.endUserId },
    });
  });
  sweepSometimes(db, "connect-links", async () => {
    await deleteStaleConnectSessions(db);
  });
  return { ok: true, session: { id, url: `${input.origin}${CONNECT_PATH}/${token}`, expiresAt } };
}

/**
 * How long an ended link is kept: for a day its page still says "expired" or "already used"
 * rather than "does not work", which is what an end user coming back the next day needs.
 */
export const STALE_CONNECT_SESSION_MS = 24 * 3_600_000;

/**
 * Deletes links that expired more than a day ago, and with them (ON DELETE CASCADE) their OAuth
 * states, whose ten minutes ended long before. Runs now and then behind link creation.
 */
export async function deleteStaleConnectSessions(
  executor: Executor,
  now: Date = new Date(),
): Promise<number> {
  const deleted = await executor
    .delete(integrationConnectSessions)
    .where(
      lt(integrationConnectSessions.expiresAt, new Date(now.getTime() - STALE_CONNECT_SESSION_MS)),
    )
    .returning({ id: integrationConnectSessions.id });
  return deleted.length;
}

/**
 * A return URL is allowed when its origin is an allowlisted URL's origin and its path is that
 * URL's path, or lies under it when the allowlisted path ends with "/". Its query may differ (a
 * platform passes its own state there); a fragment, credentials in the URL or another scheme may
 * not.
 */
export function returnUrlAllowed(candidate: string, allowlist: readonly string[]): boolean {
  // Plain http passes here: the allowlist's entries, checked under the private-URL rule when
  // they were saved, decide which origins may be used.
  const url = parseHttpUrl(candidate, { allowHttp: true });
  if (!url || url.hash) return false;
  return allowlist.some((entry) => {
    const allowed = parseUrl(entry);
    if (!allowed || allowed.origin !== url.origin) return false;
    return allowed.pathname.endsWith("/")
      ? url.pathname.startsWith(allowed.pathname)
      : url.pathname === allowed.pathname;
  });
}

/**
 * A link's stored return URL, if the integration's allowlist still allows it: an admin who removes
 * an entry (say, a compromised page) stops links already made from sending anyone there.
 */
export function stillAllowed(
  returnUrl: string | null,
  allowlist: readonly string[],
): string | null {
  return returnUrl && returnUrlAllowed(returnUrl, allowlist) ? returnUrl : null;
}

/** A link that works: what the hosted page shows, and what the service needs to connect. */
export interface OpenConnectSession extends ConnectPageModel {
  id: string;
  integrationId: string;
  authVersion: number;
  endUserId: string;
  returnUrl: string | null;
  expiresAt: Date;
}

export type OpenConnectSessionResult =
  | { ok: true; session: OpenConnectSession }
  | { ok: false; problem: LinkProblem; returnUrl: string | null };

/** Reads the link a browser presents, without spending it. */
export async function openConnectSession(
  executor: Executor,
  token: string,
  now: Date = new Date(),
): Promise<OpenConnectSessionResult> {
  if (!RANDOM_TOKEN_PATTERN.test(token)) return { ok: false, problem: "invalid", returnUrl: null };
  const [row] = await executor
    .select({
      session: integrationConnectSessions,
      integrationName: integrations.name,
      authType: integrations.authType,
      currentAuthVersion: integrations.authVersion,
      connectReturnUrls: integrations.connectReturnUrls,
      oauthLabel: integrationOAuthClients.label,
    })
    .from(integrationConnectSessions)
    .innerJoin(integrations, eq(integrations.id, integrationConnectSessions.integrationId))
    .leftJoin(
      integrationOAuthClients,
      eq(integrationOAuthClients.integrationId, integrationConnectSessions.integrationId),
    )
    .where(eq(integrationConnectSessions.tokenHash, hashToken(token)));
  if (!row) return { ok: false, problem: "invalid", returnUrl: null };
  const { session } = row;
  const returnUrl = stillAllowed(session.returnUrl, row.connectReturnUrls);
  const problem: LinkProblem | null = session.spentAt
    ? "spent"
    : session.expiresAt <= now
      ? "expired"
      : session.authVersion !== row.currentAuthVersion
        ? "auth_changed"
        : null;
  if (problem) return { ok: false, problem, returnUrl };
  const fields = await executor
    .select({
      slug: integrationAuthFields.slug,
      label: integrationAuthFields.label,
      type: integrationAuthFields.type,
      description: integrationAuthFields.description,
      placeholder: integrationAuthFields.placeholder,
      required: integrationAuthFields.required,
    })
    .from(integrationAuthFields)
    .where(eq(integrationAuthFields.integrationId, session.integrationId))
    .orderBy(integrationAuthFields.position);
  return {
    ok: true,
    session: {
      id: session.id,
      integrationId: session.integrationId,
      integrationName: row.integrationName,
      authType: row.authType,
      authVersion: session.authVersion,
      endUserId: session.endUserId,
      returnUrl,
      expiresAt: session.expiresAt,
      fields,
      oauthLabel: row.oauthLabel,
    },
  };
}

/**
 * Spends the link, inside the transaction that stores its connection: false when it was spent
 * (or expired) meanwhile, and the caller must then roll back. Two submissions of one link can
 * therefore never both store a connection.
 */
export async function spendConnectSession(
  executor: Executor,
  sessionId: string,
  connectionId: string,
): Promise<boolean> {
  const spent = await executor
    .update(integrationConnectSessions)
    .set({ spentAt: new Date(), connectionId })
    .where(
      and(
        eq(integrationConnectSessions.id, sessionId),
        isNull(integrationConnectSessions.spentAt),
        gt(integrationConnectSessions.expiresAt, new Date()),
      ),
    )
    .returning({ id: integrationConnectSessions.id });
  return spent.length === 1;
}

/**
 * Where the browser goes after a successful connect: the return URL with `connection_id` (and
 * `status=connected`) added to its query, or null to show Authdesk's own success page.
 */
export function returnUrlWith(
  returnUrl: string | null,
  params: Record<string, string>,
): string | null {
  if (!returnUrl) return null;
  const url = new URL(returnUrl);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Who acts when an end user connects through a link: nobody with an account here, so an
 * anonymous actor, labelled with what we know (the platform's end user id and the link). The
 * OAuth callback stores its connection as the same actor.
 */
export function endUserContext(
  session: Pick<OpenConnectSession, "id" | "endUserId">,
  clientAddress: string | null,
): ActorContext {
  return {
    actor: {
      type: "anonymous",
      label: `end user ${session.endUserId} (connect link ${session.id})`,
    },
    clientAddress,
  };
}

export type SetReturnUrlsResult = { ok: true; urls: string[] } | { ok: false; error: "not_found" };

/**
 * Replaces the integration's return-URL allowlist (checked by connectReturnUrlsSchema). Links
 * made before keep the return URL they were made with: it was allowed then, and they live ten
 * minutes.
 */
export async function setConnectReturnUrls(
  db: Database,
  integrationId: string,
  urls: string[],
  context: ChangeContext,
): Promise<SetReturnUrlsResult> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ urls: integrations.connectReturnUrls })
      .from(integrations)
      .where(eq(integrations.id, integrationId))
      .for("update");
    if (!before) return { ok: false, error: "not_found" } as const;
    await tx
      .update(integrations)
      .set({ connectReturnUrls: urls })
      .where(eq(integrations.id, integrationId));
    await recordAudit(tx, {
      actor: context.actor,
      action: "integration.connect_return_urls_changed",
      target: { type: "integration", id: integrationId },
      clientAddress: context.clientAddress,
      // Redirect targets are security-relevant and not secret: the audit names them.
      details: {
        added: urls.filter((url) => !before.urls.includes(url)),
        removed: before.urls.filter((url) => !urls.includes(url)),
      },
    });
    return { ok: true, urls } as const;
  });
}
