import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { isForeignKeyViolation } from "@/db/errors";
import { integrationConnectSessions, integrationOAuthStates, integrations } from "@/db/schema";
import { open, seal } from "@/lib/crypto";
import { oauthStateVerifierSealedColumn, sealBindingFor } from "@/lib/crypto/registry";
import type { CallbackProblem, LinkProblem } from "../connect-contract";
import {
  endUserContext,
  openConnectSession,
  returnUrlWith,
  stillAllowed,
} from "../connect-sessions";
import { hashToken, newRandomToken, RANDOM_TOKEN_PATTERN } from "../connect-tokens";
import {
  retryOnceOnUniqueViolation,
  type StoreOAuthResult,
  storeOAuthConnection,
} from "../connections";
import { OAUTH_AUTH_TYPES } from "../schema";
import { forgetRegistration, loadOAuthClient, oauthClientKey } from "./client";
import { buildAuthorizationUrl, exchangeCode } from "./protocol";
import {
  type OAuthClientConfig,
  type OAuthDependencies,
  OAuthError,
  type OAuthErrorCode,
  type TokenSet,
} from "./types";

/**
 * The authorization-code flow with PKCE (S256) behind the hosted connect page's Connect button
 * and its callback page (/connect/callback). ./README.md explains the state and its checks.
 */

export const OAUTH_STATE_LIFETIME_MS = 10 * 60_000;

export type StartAuthorizationResult =
  | { ok: true; authorizationUrl: string }
  /** The link itself is no good (expired, spent, type changed…): show its page. */
  | { ok: false; problem: LinkProblem }
  | { ok: false; error: OAuthErrorCode };

/**
 * Starts a flow for the connect link `token`: stores a fresh state (hashed), the PKCE verifier
 * (sealed) and the hash of `browserBinding` (a random value the page keeps in an HttpOnly cookie),
 * and answers the provider's authorization URL to send the browser to.
 */
export async function startAuthorization(
  deps: OAuthDependencies,
  input: { token: string; redirectUri: string; browserBinding: string },
): Promise<StartAuthorizationResult> {
  // The binding is the page's own random cookie; without one, no callback could be tied to it.
  if (input.browserBinding.length < 16)
    throw new Error("startAuthorization needs a browser binding");
  const opened = await openConnectSession(deps.db, input.token);
  if (!opened.ok) return { ok: false, problem: opened.problem };
  const { session } = opened;
  if (!OAUTH_AUTH_TYPES.includes(session.authType)) return { ok: false, error: "not_configured" };
  // The revision is read before the client, so an update in between shows as a moved revision.
  const [integration] = await deps.db
    .select({ authVersion: integrations.authVersion, authRevision: integrations.authRevision })
    .from(integrations)
    .where(eq(integrations.id, session.integrationId));
  if (!integration || integration.authVersion !== session.authVersion) {
    return { ok: false, problem: "auth_changed" };
  }

  const state = newRandomToken();
  const stateHash = hashToken(state);
  const verifier = newRandomToken();
  let authorizationUrl: string;
  try {
    const client = await loadOAuthClient(deps, session.integrationId, {
      redirectUri: input.redirectUri,
    });
    authorizationUrl = await buildAuthorizationUrl(deps, client, {
      state,
      codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
      redirectUri: input.redirectUri,
    });
  } catch (error) {
    if (error instanceof OAuthError) return { ok: false, error: error.code };
    throw error;
  }
  await deps.db.insert(integrationOAuthStates).values({
    stateHash,
    connectSessionId: session.id,
    integrationId: session.integrationId,
    authVersion: session.authVersion,
    authRevision: integration.authRevision,
    browserBindingHash: hashToken(input.browserBinding),
    codeVerifierSealed: seal(
      deps.keyring,
      verifier,
      sealBindingFor(oauthStateVerifierSealedColumn, stateHash),
    ),
    redirectUri: input.redirectUri,
    expiresAt: new Date(Date.now() + OAUTH_STATE_LIFETIME_MS),
  });
  return { ok: true, authorizationUrl };
}

export type CompleteAuthorizationResult =
  | { ok: true; connectionId: string; integrationName: string; returnTo: string | null }
  | {
      ok: false;
      problem: CallbackProblem;
      error?: OAuthErrorCode;
      /** The link's return URL with `error=…`, when the state was good enough to know it. */
      returnTo: string | null;
    };

type FlowRow = NonNullable<Awaited<ReturnType<typeof readFlow>>>;

/**
 * Completes the flow on the callback: checks the state (single use, unexpired, this browser, the
 * same auth configuration), exchanges the code with the stored verifier, and stores the tokens
 * sealed as the end user's connection while spending the link, in one transaction.
 */
export async function completeAuthorization(
  deps: OAuthDependencies,
  input: {
    state: string | null;
    code: string | null;
    error: string | null;
    /** RFC 9207's `iss` from the callback's query, when the server sent one. */
    iss?: string | null;
    browserBinding: string | null;
    /** The end user's address, for the audit event. */
    clientAddress?: string | null;
  },
): Promise<CompleteAuthorizationResult> {
  const flow =
    input.state && RANDOM_TOKEN_PATTERN.test(input.state)
      ? await readFlow(deps, input.state)
      : null;
  if (!flow) return { ok: false, problem: "invalid_state", returnTo: null };
  const returnUrl = stillAllowed(flow.session.returnUrl, flow.connectReturnUrls);
  const fail = (problem: CallbackProblem, error?: OAuthErrorCode): CompleteAuthorizationResult => {
    if (error) logFailure(flow, problem, error);
    return {
      ok: false,
      problem,
      ...(error ? { error } : {}),
      returnTo: returnUrlWith(returnUrl, { error: error ?? problem }),
    };
  };
  // Another browser learns nothing from the state and cannot use it up for its owner.
  if (!sameBrowser(flow.state.browserBindingHash, input.browserBinding)) {
    return { ok: false, problem: "wrong_browser", returnTo: null };
  }
  if (flow.state.usedAt) return fail("used_state");
  if (flow.state.expiresAt <= new Date()) return fail("expired_state");
  // Used up before anything else happens, so a replay racing this one never exchanges a code.
  if (!(await markUsed(deps, flow.state.stateHash))) return fail("used_state");
  // Only access_denied is the end user saying no; other errors (invalid_scope, server_error…)
  // are the provider refusing the request.
  if (input.error !== null) {
    return input.error === "access_denied" ? fail("denied") : fail("exchange_failed", "rejected");
  }
  const moved = configurationMoved(flow);
  if (moved) return fail(moved);
  if (!input.code) return fail("exchange_failed", "invalid_response");

  const exchanged = await exchange(deps, flow, input.code, input.iss ?? null);
  if (!exchanged.ok) return fail("exchange_failed", exchanged.error);
  const stored = await store(deps, flow, exchanged, input.clientAddress ?? null);
  if (!stored.ok) return fail(stored.error);
  return {
    ok: true,
    connectionId: stored.connection.id,
    integrationName: flow.integrationName,
    returnTo: returnUrlWith(returnUrl, {
      connection_id: stored.connection.id,
      status: "connected",
    }),
  };
}

/**
 * RFC 9207: when the server is known to name itself in authorization responses, the response must
 * carry its name, and any `iss` present must be this server's. Otherwise an attacker's server, mixed
 * up with it, could have its code sent to this server's token endpoint. No code is exchanged.
 */
function checkIssuer(client: OAuthClientConfig, iss: string | null): void {
  if (!client.issuer) return;
  const matches = iss !== null && trimSlash(iss) === trimSlash(client.issuer.value);
  if (matches || (iss === null && !client.issuer.inResponse)) return;
  throw new OAuthError("rejected", "The authorization response names another issuer");
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

/** Why a sign-in failed, for the operator: our error code and ids, never the provider's text. */
function logFailure(flow: FlowRow, problem: CallbackProblem, error: OAuthErrorCode): void {
  console.warn(
    `oauth connect: ${problem} (${error}) for integration ${flow.state.integrationId}, connect link ${flow.session.id}`,
  );
}

async function readFlow(deps: OAuthDependencies, state: string) {
  const [row] = await deps.db
    .select({
      state: integrationOAuthStates,
      session: integrationConnectSessions,
      integrationName: integrations.name,
      currentAuthVersion: integrations.authVersion,
      currentAuthRevision: integrations.authRevision,
      connectReturnUrls: integrations.connectReturnUrls,
    })
    .from(integrationOAuthStates)
    .innerJoin(
      integrationConnectSessions,
      eq(integrationConnectSessions.id, integrationOAuthStates.connectSessionId),
    )
    .innerJoin(integrations, eq(integrations.id, integrationOAuthStates.integrationId))
    .where(eq(integrationOAuthStates.stateHash, hashToken(state)));
  return row ?? null;
}

/** Hashes of equal length compared in constant time: the cookie's value never leaks by timing. */
function sameBrowser(expectedHash: string, browserBinding: string | null): boolean {
  if (!browserBinding) return false;
  const expected = Buffer.from(expectedHash, "hex");
  const actual = Buffer.from(hashToken(browserBinding), "hex");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

async function markUsed(deps: OAuthDependencies, stateHash: string): Promise<boolean> {
  const used = await deps.db
    .update(integrationOAuthStates)
    .set({ usedAt: new Date() })
    .where(
      and(eq(integrationOAuthStates.stateHash, stateHash), isNull(integrationOAuthStates.usedAt)),
    )
    .returning({ stateHash: integrationOAuthStates.stateHash });
  return used.length === 1;
}

function configurationMoved(flow: FlowRow): "auth_changed" | "link_spent" | null {
  const { state, session } = flow;
  if (
    flow.currentAuthVersion !== state.authVersion ||
    flow.currentAuthRevision !== state.authRevision
  ) {
    return "auth_changed";
  }
  if (session.spentAt || session.expiresAt <= new Date()) return "link_spent";
  return null;
}

async function exchange(
  deps: OAuthDependencies,
  flow: FlowRow,
  code: string,
  iss: string | null,
): Promise<
  { ok: true; tokens: TokenSet; clientKey: string } | { ok: false; error: OAuthErrorCode }
> {
  const { state } = flow;
  const codeVerifier = open(
    deps.keyring,
    state.codeVerifierSealed,
    sealBindingFor(oauthStateVerifierSealedColumn, state.stateHash),
  );
  let client: Awaited<ReturnType<typeof loadOAuthClient>> | undefined;
  try {
    client = await loadOAuthClient(deps, state.integrationId, { redirectUri: state.redirectUri });
    checkIssuer(client, iss);
    const tokens = await exchangeCode(deps, client, {
      code,
      codeVerifier,
      redirectUri: state.redirectUri,
    });
    return { ok: true, tokens, clientKey: oauthClientKey(client) };
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    // The server no longer knows our registered client: the next connect registers again.
    if (error.code === "invalid_client" && client?.registeredAt) {
      await forgetRegistration(deps.db, state.integrationId, client);
    }
    return { ok: false, error: error.code };
  }
}

async function store(
  deps: OAuthDependencies,
  flow: FlowRow,
  exchanged: { tokens: TokenSet; clientKey: string },
  clientAddress: string | null,
): Promise<StoreOAuthResult> {
  const write = () =>
    deps.db.transaction((tx) =>
      storeOAuthConnection(tx, deps.keyring, {
        integrationId: flow.state.integrationId,
        endUserId: flow.session.endUserId,
        connectSessionId: flow.session.id,
        revision: flow.state.authRevision,
        ...exchanged,
        context: endUserContext(flow.session, clientAddress),
      }),
    );
  try {
    // Another link of the same end user may insert its first connection meanwhile: then update it.
    return await retryOnceOnUniqueViolation(write);
  } catch (error) {
    // The type changed and the old auth version is gone: the foreign key refused the row.
    if (isForeignKeyViolation(error)) return { ok: false, error: "auth_changed" };
    throw error;
  }
}
