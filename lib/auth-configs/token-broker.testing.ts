/**
 * Loopback token servers and seed helpers for the token broker's tests and benchmark. Not part
 * of the app: nothing outside *.test.ts and bench/ imports this file.
 */
import "server-only";
import http from "node:http";
import type { Socket } from "node:net";
import type { Database } from "@/db/client";
import { admins } from "@/db/schema";
import type { ApiAccessInput } from "@/lib/api-access/schema";
import { generateKeyEntry, type Keyring, parseKeyring } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import {
  closer,
  listen,
  type RecordingServer,
  startRecordingServer,
} from "@/lib/testing/http-server";
import { setAuthConfigAccess } from "./access";
import type { AuthMethod } from "./schema";
import { createAuthConfig } from "./service";

export const testKeyring = (): Keyring => parseKeyring(generateKeyEntry(1));

/** createAuthConfig records who created a config; the foreign key wants a real admin row. */
export async function insertTestAdmin(db: Database): Promise<{ id: string; label: string }> {
  const id = newId("adm");
  const label = `${id}@example.com`;
  await db
    .insert(admins)
    .values({ id, email: label, passwordHash: "not-a-real-hash", role: "owner" });
  return { id, label };
}

export interface TestConfigInput {
  identifier: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  authMethod?: AuthMethod;
  scope?: string;
  audience?: string;
  /** Who may fetch its tokens over the API; left out, nobody (a new config's default). */
  apiAccess?: ApiAccessInput;
}

/** Creates a config through the real service, so the broker reads sealed columns as in the app. */
export async function seedConfig(
  db: Database,
  keyring: Keyring,
  admin: { id: string; label: string },
  input: TestConfigInput,
): Promise<string> {
  const result = await createAuthConfig(
    db,
    keyring,
    {
      identifier: input.identifier,
      tokenUrl: input.tokenUrl,
      scope: input.scope ?? "api:read",
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      authMethod: input.authMethod ?? "client_secret_basic",
      audience: input.audience,
      description: undefined,
    },
    { actor: { type: "admin", id: admin.id, label: admin.label }, clientAddress: null },
  );
  if (!result.ok) throw new Error(`seeding ${input.identifier} failed: ${result.error}`);
  if (input.apiAccess) {
    const context = { actor: { type: "admin" as const, ...admin }, clientAddress: null };
    const access = await setAuthConfigAccess(db, result.config.id, input.apiAccess, context);
    if (!access.ok) throw new Error(`granting ${input.identifier} failed: ${access.error}`);
  }
  return result.config.id;
}

// ---------------------------------------------------------------------------------------------
// A real OAuth 2.0 server: oidc-provider with the client-credentials grant.

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  authMethod: AuthMethod;
}

/** `:`, `+`, `%` and a space: wrong form-urlencoding before base64 would break Basic auth. */
export const AWKWARD_SECRET = "s3cr:et+50%off and (more)!*'";

export const OIDC_CLIENTS: OidcClient[] = [
  { clientId: "basic-client", clientSecret: AWKWARD_SECRET, authMethod: "client_secret_basic" },
  {
    clientId: "post-client",
    clientSecret: "post secret+with:chars%",
    authMethod: "client_secret_post",
  },
];

export const OIDC_SCOPES = ["api:read", "api:write"];

export interface OidcServer {
  tokenUrl: string;
  /** POSTs that reached the token endpoint, counted at the server. */
  tokenRequests(): number;
  /** Lifetime, in seconds, of tokens issued from now on. */
  setTtl(seconds: number): void;
  close(): Promise<void>;
}

interface OidcProviderModule {
  default: new (
    issuer: string,
    configuration: Record<string, unknown>,
  ) => { callback(): http.RequestListener };
}

const OIDC_NOISE = /^oidc-provider (WARNING|NOTICE)/;

export async function startOidcServer(
  options: { ttlSeconds?: number; clients?: OidcClient[] } = {},
): Promise<OidcServer> {
  // oidc-provider warns that Node 20 is not its preferred runtime and that its in-memory
  // adapter and keys are for development: all true and all fine for a loopback test server.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && OIDC_NOISE.test(args[0])) return;
    warn(...args);
  };
  try {
    // A computed specifier: oidc-provider ships no types, and this file needs only its constructor.
    const specifier: string = "oidc-provider";
    const { default: Provider } = (await import(specifier)) as OidcProviderModule;
    let ttlSeconds = options.ttlSeconds ?? 300;
    let tokenRequests = 0;
    let handle: http.RequestListener | undefined;
    const sockets = new Set<Socket>();
    const server = http.createServer((req, res) => {
      if (req.method === "POST" && req.url?.split("?")[0] === "/token") tokenRequests += 1;
      if (!handle) return void res.writeHead(503).end();
      handle(req, res);
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    const port = await listen(server);
    const provider = new Provider(`http://127.0.0.1:${port}`, {
      clients: (options.clients ?? OIDC_CLIENTS).map((client) => ({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        token_endpoint_auth_method: client.authMethod,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        scope: OIDC_SCOPES.join(" "),
      })),
      scopes: OIDC_SCOPES,
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: false },
      },
      // biome-ignore lint/correctness/noComponentHookFactories: oidc-provider's TTL name, not a React component
      ttl: { ClientCredentials: () => ttlSeconds },
    });
    handle = provider.callback();
    const close = closer(server, sockets);
    return {
      tokenUrl: `http://127.0.0.1:${port}/token`,
      tokenRequests: () => tokenRequests,
      setTtl: (seconds) => {
        ttlSeconds = seconds;
      },
      close: async () => {
        await close();
        console.warn = warn;
      },
    };
  } catch (error) {
    console.warn = warn;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// A token server we control, for faults: each test sets how it answers.

export type { RecordedRequest } from "@/lib/testing/http-server";
export { sendJson } from "@/lib/testing/http-server";

export type FakeTokenServer = RecordingServer;

/** A recording loopback server whose `url()` defaults to `/token`. */
export async function startFakeTokenServer(): Promise<FakeTokenServer> {
  const server = await startRecordingServer();
  return { ...server, url: (path = "/token") => server.url(path) };
}
