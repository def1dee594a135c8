/**
 * Helpers for the tests of lib/api, lib/oauth and lib/api-auth: the API app served over real
 * HTTP as server.ts serves it, and rows inserted directly (tills, clients, permissions) so the
 * tests do not depend on the registration service. Not part of the app: nothing outside
 * *.test.ts imports this file.
 */
import "server-only";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { apiClientPermissions, apiClients, apiGroups, tillPermissions, tills } from "@/db/schema";
import { generateCredential, hashCredential, visiblePrefix } from "@/lib/api-clients/credentials";
import { hashPassword } from "@/lib/auth/password";
import { generateKeyEntry, type Keyring, parseKeyring } from "@/lib/crypto";
import { readRequestContext, setTrustedHeaders } from "@/lib/http/request-context";
import { newId } from "@/lib/ids";
import { type ApiDependencies, createApiApp } from "./app";

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** One keyring for every test app, so apps on one database accept each other's tokens. */
export const TEST_KEYRING = parseKeyring(generateKeyEntry(1));

/** createApiApp behind http.createServer, with the trusted headers server.ts sets. */
export async function startApiServer(
  deps: Omit<ApiDependencies, "keyring"> & { keyring?: Keyring },
): Promise<ApiServer> {
  const listener = getRequestListener(
    createApiApp({ ...deps, keyring: deps.keyring ?? TEST_KEYRING }).fetch,
  );
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    setTrustedHeaders(req, readRequestContext(req, false));
    void listener(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface SentFrom {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP request sent from a chosen loopback address (127.0.0.2, 127.0.0.3 …: all of
 * 127.0.0.0/8 is this machine), so a test can play several clients whose addresses differ on
 * the socket itself, as far as the server can tell.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<SentFrom> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: init.method ?? "POST", headers: init.headers, localAddress },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on("error", reject);
    request.end(init.body);
  });
}

export interface TestTill {
  id: string;
  code: string;
  password: string;
}

/**
 * A till with permissions by group slug; left out, Modify on every group, the access a till
 * that existed before till permissions keeps (db/migrations, least_privilege).
 */
export async function insertTill(
  db: Database,
  input: { code?: string; password?: string; permissions?: Record<string, "read" | "write"> } = {},
): Promise<TestTill> {
  const till = {
    id: newId("till"),
    code: input.code ?? `till-${newId("t").slice(2, 10)}`,
    password: input.password ?? "till password: 1+1=2 100%",
  };
  await db.insert(tills).values({
    id: till.id,
    code: till.code,
    name: `Till ${till.code}`,
    passwordHash: await hashPassword(till.password),
  });
  const groups = await db.select({ id: apiGroups.id, slug: apiGroups.slug }).from(apiGroups);
  const grants = groups.flatMap((group) => {
    const level = input.permissions ? input.permissions[group.slug] : "write";
    return level ? [{ tillId: till.id, groupId: group.id, level }] : [];
  });
  if (grants.length) await db.insert(tillPermissions).values(grants);
  return till;
}

export interface TestClient {
  id: string;
  clientKey: string;
  secret: string;
}

/** Permissions by group slug; the seeded groups are target-groups, transaction, integrations, all. */
export async function insertClient(
  db: Database,
  input: {
    tillId: string;
    permissions?: Record<string, "read" | "write">;
    tokenTtlMinutes?: number;
    /** Our secrets are base62; tests pass awkward ones to prove decoding. */
    secret?: string;
  },
): Promise<TestClient> {
  const client = {
    id: newId("cli"),
    clientKey: generateCredential("client_key"),
    secret: input.secret ?? generateCredential("client_secret"),
  };
  await db.insert(apiClients).values({
    id: client.id,
    name: `Client ${client.id}`,
    clientKey: client.clientKey,
    secretHash: hashCredential(client.secret),
    secretPrefix: visiblePrefix(client.secret),
    tokenTtlMinutes: input.tokenTtlMinutes ?? 60,
    tillId: input.tillId,
    createdByLabel: "test",
  });
  for (const [slug, level] of Object.entries(input.permissions ?? {})) {
    const [group] = await db.select().from(apiGroups).where(eq(apiGroups.slug, slug));
    if (!group) throw new Error(`no API group "${slug}"`);
    await db.insert(apiClientPermissions).values({ clientId: client.id, groupId: group.id, level });
  }
  return client;
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

/** RFC 6749 §2.3.1: client_secret_basic form-urlencodes both parts before base64. */
export function clientSecretBasicHeader(clientId: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return basicHeader(encode(clientId), encode(secret));
}

export function form(params: Record<string, string>): {
  headers: Record<string, string>;
  body: string;
} {
  return {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  };
}

/** A client-credentials access token for `client` from the server's /oauth/token. */
export async function accessTokenFor(server: ApiServer, client: TestClient): Promise<string> {
  const response = await fetch(`${server.url}/oauth/token`, {
    method: "POST",
    ...form({
      grant_type: "client_credentials",
      client_id: client.clientKey,
      client_secret: client.secret,
    }),
  });
  if (response.status !== 200) throw new Error(`/oauth/token answered ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
