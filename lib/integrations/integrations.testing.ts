/**
 * Helpers for the integrations tests: the seed's own example request, a loopback service whose
 * `/me` checks an API key the way the seed's authTestCode expects, an admin to act as and connect
 * links. Not part of the app: only *.test.ts files import this.
 */
import "server-only";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "@/db/client";
import type { ActorContext, ChangeContext } from "@/lib/audit/service";
import { insertTestAdmin } from "@/lib/auth-configs/token-broker.testing";
import { createConnectSession } from "./connect-sessions";

/** The seed's "Example: API Key Authentication" body, exactly as written there. */
export const SEED_EXAMPLE_BODY = {
  authType: "API_KEY",
  authFields: [
    {
      slug: "api_key",
      label: "API Key",
      type: "PASSWORD",
      description: "Your API key from the service dashboard",
      placeholder: "sk-...",
      required: true,
    },
    {
      slug: "base_url",
      label: "Base URL",
      type: "TEXT",
      description: "API base URL",
      placeholder: "https://api.example.com",
      required: true,
    },
  ],
  authTestCode: `
        const response = await fetch(secrets.base_url + '/me', {
          headers: { 'Authorization': 'Bearer ' + secrets.api_key }
        });
        if (!response.ok) throw new Error('Invalid credentials');
        return { success: true };
      `,
} as const;

export interface CredentialService {
  url: string;
  /** The one key `/me` accepts. */
  goodKey: string;
  /** How many requests reached the service. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A stand-in for the external service an integration connects to: `GET /me` answers 200 for
 * `Bearer <goodKey>` and 401 otherwise; `GET /slow?ms=…` answers after a delay, so a test can
 * hold a connection's test open while something else happens.
 */
export async function startCredentialService(
  goodKey = "sk-good-key-1234",
): Promise<CredentialService> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/me") {
      const ok = req.headers.authorization === `Bearer ${goodKey}`;
      send(ok ? 200 : 401, ok ? { id: "user-1" } : { error: "unauthorized" });
      return;
    }
    if (url.pathname === "/slow") {
      setTimeout(() => send(200, { ok: true }), Number(url.searchParams.get("ms") ?? 100));
      return;
    }
    send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    goodKey,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An admin row to act as (integrations reference their creator). */
export async function adminContext(db: Database): Promise<ChangeContext> {
  const admin = await insertTestAdmin(db);
  return { actor: { type: "admin", id: admin.id, label: admin.label }, clientAddress: "127.0.0.1" };
}

export function apiClientContext(clientId: string, clientKey: string): ActorContext {
  return {
    actor: { type: "api_client", id: clientId, label: clientKey },
    clientAddress: "127.0.0.1",
  };
}

/** The token in a connect link: its last path segment, which is what the hosted page reads. */
export function linkToken(url: string): string {
  return url.split("/").at(-1) ?? "";
}

/**
 * A connect link (for "user-1" on http://authdesk.test unless told otherwise), with its token as
 * the end user's browser presents it.
 */
export async function createTestLink(
  db: Database,
  input: { integrationId: string; endUserId?: string; returnUrl?: string; origin?: string },
  context: ActorContext,
) {
  const created = await createConnectSession(
    db,
    { endUserId: "user-1", origin: "http://authdesk.test", ...input },
    context,
  );
  if (!created.ok) throw new Error(`no link: ${created.error}`);
  return { ...created.session, token: linkToken(created.session.url) };
}
