/**
 * Helpers for the fresh-credentials tests and bench: OAuth connections made from a real
 * authorization at the oidc-provider fixture, a token aged on purpose, and a loopback proxy that
 * records which refresh tokens reached the provider. Only tests and benches import this.
 */
import "server-only";
import http from "node:http";
import type { Socket } from "node:net";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { integrationConnections, integrations } from "@/db/schema";
import type { Keyring } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import { closer, listen } from "@/lib/testing/http-server";
import { authorizeAsEndUser } from "@/lib/testing/oauth-provider";
import { sealTokenSet } from "../connections";
import { loadOAuthClient } from "./client";
import { REDIRECT_URI } from "./oauth.testing";
import { buildAuthorizationUrl, exchangeCode } from "./protocol";
import type { OAuthDependencies, TokenSet } from "./types";

const VERIFIER = "v".repeat(43);
const CHALLENGE = "7w_YNF9DSfIdPf_pRjSq646_kPr-2-o9NAl16JGghdM"; // S256 of VERIFIER

/** An end user's tokens from the integration's provider: the real flow, the dev login pages. */
export async function authorizeEndUser(
  deps: OAuthDependencies,
  integrationId: string,
  login = "end-user-1",
): Promise<TokenSet> {
  const client = await loadOAuthClient(deps, integrationId);
  const url = await buildAuthorizationUrl(deps, client, {
    state: "state-1",
    codeChallenge: CHALLENGE,
    redirectUri: REDIRECT_URI,
  });
  const callback = await authorizeAsEndUser(url, { login });
  if (!callback.code) throw new Error(`the provider answered ${callback.error ?? "no code"}`);
  return exchangeCode(deps, client, {
    code: callback.code,
    codeVerifier: VERIFIER,
    redirectUri: REDIRECT_URI,
  });
}

/**
 * Stores `tokens` as an end user's OAuth connection directly, without the flow (no revision lock,
 * no audit row): for tests that start from a connection already made.
 */
export async function insertOAuthConnection(
  db: Database,
  keyring: Keyring,
  integrationId: string,
  endUserId: string,
  tokens: TokenSet,
  /** The client the tokens were issued to (oauthClientKey); left out, any client may refresh. */
  clientKey: string | null = null,
): Promise<string> {
  const [integration] = await db
    .select({ authVersion: integrations.authVersion })
    .from(integrations)
    .where(eq(integrations.id, integrationId));
  if (!integration) throw new Error("no such integration");
  const id = newId("conn");
  await db.insert(integrationConnections).values({
    id,
    integrationId,
    authVersion: integration.authVersion,
    endUserId,
    valuesSealed: sealTokenSet(keyring, id, tokens),
    tokenExpiresAt: tokens.expiresAt,
    oauthClientKey: clientKey,
    refreshedAt: new Date(),
    createdByLabel: "test",
  });
  return id;
}

/**
 * Makes the stored token an hour-old one that expires in `expiresInMs` (negative: expired), so
 * the next read must refresh it.
 */
export async function ageToken(db: Database, connectionId: string, expiresInMs: number) {
  await db
    .update(integrationConnections)
    .set({
      tokenExpiresAt: new Date(Date.now() + expiresInMs),
      refreshedAt: new Date(Date.now() - 3_600_000),
    })
    .where(eq(integrationConnections.id, connectionId));
}

/** A lease taken by an instance that then died, lapsing in `ms` by the database's clock. */
export async function leaveLease(db: Database, connectionId: string, ms: number) {
  await db
    .update(integrationConnections)
    .set({ refreshLeaseUntil: sql`now() + ${ms}::integer * interval '1 millisecond'` })
    .where(eq(integrationConnections.id, connectionId));
}

export interface RecordingProxy {
  tokenUrl: string;
  /** Every refresh_token parameter that passed through, in order. */
  presentedRefreshTokens: string[];
  close(): Promise<void>;
}

/** Forwards POST /token to `tokenUrl` and notes each refresh token presented on the way. */
export async function startRecordingProxy(tokenUrl: string): Promise<RecordingProxy> {
  const target = new URL(tokenUrl);
  const presented: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const refreshToken = new URLSearchParams(body.toString("utf8")).get("refresh_token");
      if (refreshToken) presented.push(refreshToken);
      const upstream = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    tokenUrl: `http://127.0.0.1:${port}/token`,
    presentedRefreshTokens: presented,
    close: closer(server, sockets),
  };
}
