import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import {
  integrationAuthFields,
  integrationConnectSessions,
  integrationOAuthClients,
  integrations,
} from "@/db/schema";
import { type ActorContext, recordAudit } from "@/lib/audit/service";
import { newId } from "@/lib/ids";
import type { AuthType, FieldType } from "./schema";

/**
 * Connect links (lib/integrations/README.md, "The hosted connect page"). A program or an admin
 * makes one for one end user; the end user opens it in a browser and connects there, so their
 * credentials never pass through the program. The link's token is 32 random bytes; only its
 * SHA-256 is stored, so a database dump holds no usable link.
 */

export const CONNECT_SESSION_LIFETIME_MS = 10 * 60_000;
export const CONNECT_PATH = "/connect";
/** The token in a link: 32 bytes, base64url. Anything else is not looked up. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

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
  const token = randomBytes(32).toString("base64url");
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
  return { ok: true, session: { id, url: `${input.origin}${CONNECT_PATH}/${token}`, expiresAt } };
}

/**
 * A return URL is allowed when its origin is an allowlisted URL's origin and its path is that
 * URL's path, or lies under it when the allowlisted path ends with "/". Its query may differ (a
 * platform passes its own state there); a fragment, credentials in the URL or another scheme may
 * not.
 */
export function returnUrlAllowed(candidate: string, allowlist: readonly string[]): boolean {
  const url = parseUrl(candidate);
  if (!url || url.hash || url.username || url.password) return false;
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  return allowlist.some((entry) => {
    const allowed = parseUrl(entry);
    if (!allowed || allowed.origin !== url.origin) return false;
    return allowed.pathname.endsWith("/")
      ? url.pathname.startsWith(allowed.pathname)
      : url.pathname === allowed.pathname;
  });
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** What the hosted page may show: the integration's name and what the end user must provide. */
export interface OpenConnectSession {
  id: string;
  integrationId: string;
  integrationName: string;
  authType: AuthType;
  authVersion: number;
  endUserId: string;
  returnUrl: string | null;
  expiresAt: Date;
  fields: {
    slug: string;
    label: string;
    type: FieldType;
    description: string;
    placeholder: string | null;
    required: boolean;
  }[];
  /** The Connect button's label (the OAuth client's `label`), for OAuth types. */
  oauthLabel: string | null;
}

export type ConnectSessionProblem =
  /** No such link: never made, tampered with, or its integration was deleted. */
  | "invalid"
  | "expired"
  | "spent"
  /** The integration's auth type changed since the link was made. */
  | "auth_changed";

export type OpenConnectSessionResult =
  | { ok: true; session: OpenConnectSession }
  | { ok: false; problem: ConnectSessionProblem; returnUrl: string | null };

/** Reads the link a browser presents, without spending it. */
export async function openConnectSession(
  executor: Executor,
  token: string,
  now: Date = new Date(),
): Promise<OpenConnectSessionResult> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, problem: "invalid", returnUrl: null };
  const [row] = await executor
    .select({
      session: integrationConnectSessions,
      integrationName: integrations.name,
      authType: integrations.authType,
      currentAuthVersion: integrations.authVersion,
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
  const problem: ConnectSessionProblem | null = session.spentAt
    ? "spent"
    : session.expiresAt <= now
      ? "expired"
      : session.authVersion !== row.currentAuthVersion
        ? "auth_changed"
        : null;
  if (problem) return { ok: false, problem, returnUrl: session.returnUrl };
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
      returnUrl: session.returnUrl,
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
