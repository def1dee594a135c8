import "server-only";
import { createHash } from "node:crypto";
import { and, eq, lte, ne, or, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { integrationOAuthClients, integrationOAuthRegistrations, integrations } from "@/db/schema";
import { open, seal } from "@/lib/crypto";
import {
  integrationOAuthSealedColumns,
  oauthRegistrationSealedColumns,
  sealBindingFor,
} from "@/lib/crypto/registry";
import {
  chooseAuthMethod,
  discoverServer,
  type Registration,
  registerClient,
  type ServerMetadata,
} from "./discovery";
import { type OAuthClientConfig, type OAuthDependencies, OAuthError } from "./types";

type OAuthClientRow = typeof integrationOAuthClients.$inferSelect;
type RegistrationRow = typeof integrationOAuthRegistrations.$inferSelect;

/**
 * The OAuth client of an integration: for OAUTH, its stored (sealed) oauthClient; for OAUTH_DCR,
 * the client registered at the authorization server discovered from its server URL (registering
 * it first when there is none yet, or the stored one no longer fits). Throws OAuthError.
 *
 * `redirectUri` is where the provider sends the browser back; without it (a refresh), an
 * OAUTH_DCR integration uses its stored registration as it is and never registers.
 */
export async function loadOAuthClient(
  deps: OAuthDependencies,
  integrationId: string,
  options: { redirectUri?: string } = {},
): Promise<OAuthClientConfig> {
  const [row] = await deps.db
    .select({
      authType: integrations.authType,
      authVersion: integrations.authVersion,
      client: integrationOAuthClients,
    })
    .from(integrations)
    .leftJoin(integrationOAuthClients, eq(integrationOAuthClients.integrationId, integrations.id))
    .where(eq(integrations.id, integrationId));
  if (!row?.client) throw notConfigured("The integration has no OAuth client");
  const opened = openClient(deps, row.client);
  if (row.authType === "OAUTH") return staticClient(row.client, opened);
  if (row.authType !== "OAUTH_DCR") throw notConfigured("The integration is not an OAuth type");
  return dcrClient(
    deps,
    { integrationId, authVersion: row.authVersion, row: row.client, opened },
    options,
  );
}

interface OpenedClient {
  authUrl: string | null;
  tokenUrl: string | null;
  clientId: string | null;
  clientSecret: string | null;
}

function openClient(deps: OAuthDependencies, row: OAuthClientRow): OpenedClient {
  const opened = (property: keyof typeof integrationOAuthSealedColumns, value: string | null) =>
    value === null
      ? null
      : open(
          deps.keyring,
          value,
          sealBindingFor(integrationOAuthSealedColumns[property], row.integrationId),
        );
  return {
    authUrl: opened("authUrl", row.authUrlSealed),
    tokenUrl: opened("tokenUrl", row.tokenUrlSealed),
    clientId: opened("clientId", row.clientIdSealed),
    clientSecret: opened("clientSecret", row.clientSecretSealed),
  };
}

function codeOf(row: OAuthClientRow): OAuthClientConfig["code"] {
  return {
    authorizationCode: row.authorizationCode,
    accessTokenCode: row.accessTokenCode,
    refreshTokenCode: row.refreshTokenCode,
  };
}

/**
 * OAUTH: the admin's client as stored. A URL may be left out only where custom code replaces the
 * request that needs it. A secret means client_secret_basic, which RFC 6749 §2.3.1 makes every
 * server support; a provider that insists on client_secret_post takes custom code.
 */
function staticClient(row: OAuthClientRow, opened: OpenedClient): OAuthClientConfig {
  const code = codeOf(row);
  const tokenUrlNeeded = !code.accessTokenCode || !code.refreshTokenCode;
  if (!opened.clientId) throw notConfigured("The OAuth client has no client ID");
  if (!opened.authUrl && !code.authorizationCode)
    throw notConfigured("The OAuth client has no authorization URL");
  if (!opened.tokenUrl && tokenUrlNeeded) throw notConfigured("The OAuth client has no token URL");
  return {
    authorizationEndpoint: opened.authUrl ?? "",
    tokenEndpoint: opened.tokenUrl ?? "",
    clientId: opened.clientId,
    clientSecret: opened.clientSecret,
    tokenEndpointAuthMethod: opened.clientSecret ? "client_secret_basic" : "none",
    scopes: row.scopes,
    resource: null,
    code,
  };
}

interface DcrIntegration {
  integrationId: string;
  authVersion: number;
  row: OAuthClientRow;
  opened: OpenedClient;
}

/**
 * OAUTH_DCR: oauthClient.authUrl is the MCP (or other) server's URL. A client ID set there is a
 * pre-registered client, MCP's first preference, used with the discovered endpoints; otherwise
 * Authdesk's own registration, made once and stored.
 */
async function dcrClient(
  deps: OAuthDependencies,
  integration: DcrIntegration,
  options: { redirectUri?: string },
): Promise<OAuthClientConfig> {
  const { row, opened } = integration;
  const serverUrl = opened.authUrl;
  if (!serverUrl) throw notConfigured("The integration has no server URL");
  if (opened.clientId) {
    const metadata = await discoverServer(deps, serverUrl);
    return configFrom(row, metadata, {
      clientId: opened.clientId,
      clientSecret: opened.clientSecret,
      registrationAccessToken: null,
      tokenEndpointAuthMethod: chooseAuthMethod(
        metadata.authMethodsSupported,
        !!opened.clientSecret,
      ),
      clientSecretExpiresAt: null,
    });
  }
  const stored = await readRegistration(deps, integration.integrationId);
  if (!options.redirectUri) {
    if (!stored) {
      throw new OAuthError("not_configured", "No client is registered for this integration", {
        unregistered: true,
      });
    }
    return configFromStored(deps, row, stored);
  }
  const fingerprint = registrationFingerprint(
    integration.authVersion,
    serverUrl,
    options.redirectUri,
  );
  if (stored && stored.fingerprint === fingerprint && !secretExpired(stored)) {
    return configFromStored(deps, row, stored);
  }
  return registerOnce(deps, integration, {
    serverUrl,
    redirectUri: options.redirectUri,
    fingerprint,
  });
}

/**
 * What a registration was made for. The auth version is in it because a type change deletes the
 * OAuth client: a later OAUTH_DCR configuration starts from a fresh registration.
 */
/**
 * Which client a connection's tokens were issued to: its token endpoint and client id, hashed.
 * A refresh token goes only to the client it was issued to (fresh-credentials.ts), so a changed
 * client id, token URL or DCR registration never receives the old client's refresh tokens.
 */
export function oauthClientKey(
  client: Pick<OAuthClientConfig, "tokenEndpoint" | "clientId">,
): string {
  return createHash("sha256")
    .update(client.tokenEndpoint)
    .update("\n")
    .update(client.clientId)
    .digest("hex");
}

export function registrationFingerprint(
  authVersion: number,
  serverUrl: string,
  redirectUri: string,
): string {
  return createHash("sha256")
    .update(JSON.stringify([authVersion, serverUrl, redirectUri]))
    .digest("hex");
}

function secretExpired(row: RegistrationRow, now = new Date()): boolean {
  return row.clientSecretExpiresAt !== null && row.clientSecretExpiresAt <= now;
}

/**
 * Registrations in progress in this process, per integration: connects that start together here
 * share one registration. Across instances, the first stored registration wins (storeRegistration),
 * so a race costs at most one unused client at the provider, never two stored ones.
 */
const registering = new Map<string, Promise<OAuthClientConfig>>();

function registerOnce(
  deps: OAuthDependencies,
  integration: DcrIntegration,
  request: { serverUrl: string; redirectUri: string; fingerprint: string },
): Promise<OAuthClientConfig> {
  const key = `${integration.integrationId}:${request.fingerprint}`;
  const running = registering.get(key);
  if (running) return running;
  const started = register(deps, integration, request).finally(() => registering.delete(key));
  registering.set(key, started);
  return started;
}

async function register(
  deps: OAuthDependencies,
  integration: DcrIntegration,
  request: { serverUrl: string; redirectUri: string; fingerprint: string },
): Promise<OAuthClientConfig> {
  const metadata = await discoverServer(deps, request.serverUrl);
  const scopes = integration.row.scopes ?? metadata.resourceScopes;
  const registration = await registerClient(deps, metadata, {
    redirectUri: request.redirectUri,
    scopes,
  });
  const stored = await storeRegistration(deps, integration.integrationId, {
    fingerprint: request.fingerprint,
    redirectUri: request.redirectUri,
    metadata,
    registration,
  });
  return configFromStored(deps, integration.row, stored);
}

/**
 * Inserts the registration, or replaces a stored one that no longer fits (another fingerprint,
 * an expired secret). When a fitting one is already there, another connect registered first:
 * its row is kept and returned, and ours is dropped.
 */
async function storeRegistration(
  deps: OAuthDependencies,
  integrationId: string,
  input: {
    fingerprint: string;
    redirectUri: string;
    metadata: ServerMetadata;
    registration: Registration;
  },
): Promise<RegistrationRow> {
  const sealed = (property: keyof typeof oauthRegistrationSealedColumns, value: string | null) =>
    value === null
      ? null
      : seal(
          deps.keyring,
          value,
          sealBindingFor(oauthRegistrationSealedColumns[property], integrationId),
        );
  const { registration } = input;
  const values = {
    integrationId,
    fingerprint: input.fingerprint,
    metadata: { ...input.metadata },
    redirectUri: input.redirectUri,
    tokenEndpointAuthMethod: registration.tokenEndpointAuthMethod,
    clientIdSealed: sealed("clientId", registration.clientId) as string,
    clientSecretSealed: sealed("clientSecret", registration.clientSecret),
    registrationAccessTokenSealed: sealed(
      "registrationAccessToken",
      registration.registrationAccessToken,
    ),
    clientSecretExpiresAt: registration.clientSecretExpiresAt,
    // Set here, in milliseconds, so forgetRegistration can name this row exactly.
    registeredAt: new Date(),
  };
  // One statement decides, so two instances storing at once cannot both win: the second waits
  // for the first's row and then replaces it only if that row does not fit either.
  const [row] = await deps.db
    .insert(integrationOAuthRegistrations)
    .values(values)
    .onConflictDoUpdate({
      target: integrationOAuthRegistrations.integrationId,
      set: values,
      setWhere: or(
        ne(integrationOAuthRegistrations.fingerprint, input.fingerprint),
        lte(integrationOAuthRegistrations.clientSecretExpiresAt, sql`now()`),
      ),
    })
    .returning();
  if (row) return row;
  const winner = await readRegistration(deps, integrationId);
  if (!winner) throw new Error("The registration was neither stored nor found");
  return winner;
}

async function readRegistration(
  deps: OAuthDependencies,
  integrationId: string,
): Promise<RegistrationRow | undefined> {
  const [row] = await deps.db
    .select()
    .from(integrationOAuthRegistrations)
    .where(eq(integrationOAuthRegistrations.integrationId, integrationId));
  return row;
}

function configFromStored(
  deps: OAuthDependencies,
  row: OAuthClientRow,
  stored: RegistrationRow,
): OAuthClientConfig {
  const opened = (property: keyof typeof oauthRegistrationSealedColumns, value: string | null) =>
    value === null
      ? null
      : open(
          deps.keyring,
          value,
          sealBindingFor(oauthRegistrationSealedColumns[property], stored.integrationId),
        );
  // Both columns are written only by storeRegistration, from a validated ServerMetadata and a
  // method chooseAuthMethod picked; the jsonb and text column types cannot say so.
  const method = stored.tokenEndpointAuthMethod as OAuthClientConfig["tokenEndpointAuthMethod"];
  return {
    ...configFrom(row, stored.metadata as unknown as ServerMetadata, {
      clientId: opened("clientId", stored.clientIdSealed) as string,
      clientSecret: opened("clientSecret", stored.clientSecretSealed),
      registrationAccessToken: null,
      tokenEndpointAuthMethod: method,
      clientSecretExpiresAt: stored.clientSecretExpiresAt,
    }),
    registeredAt: stored.registeredAt,
  };
}

function configFrom(
  row: OAuthClientRow,
  metadata: ServerMetadata,
  registration: Registration,
): OAuthClientConfig {
  return {
    authorizationEndpoint: metadata.authorizationEndpoint,
    tokenEndpoint: metadata.tokenEndpoint,
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    tokenEndpointAuthMethod: registration.tokenEndpointAuthMethod,
    scopes: row.scopes ?? metadata.resourceScopes,
    resource: metadata.resource,
    issuer: { value: metadata.issuer, inResponse: metadata.issuerInResponse ?? false },
    code: codeOf(row),
  };
}

/**
 * Drops the stored registration `client` came from, after the provider answered invalid_client
 * to it: the server forgot it (or revoked it). The next connect registers again. Existing
 * connections keep their tokens but cannot refresh with the new client (refresh tokens are bound
 * to the client they were issued to): their end users must connect again (see README.md).
 */
export async function forgetRegistration(
  executor: Executor,
  integrationId: string,
  client: Pick<OAuthClientConfig, "registeredAt">,
): Promise<boolean> {
  if (!client.registeredAt) return false;
  const deleted = await executor
    .delete(integrationOAuthRegistrations)
    .where(
      and(
        eq(integrationOAuthRegistrations.integrationId, integrationId),
        eq(integrationOAuthRegistrations.registeredAt, client.registeredAt),
      ),
    )
    .returning({ integrationId: integrationOAuthRegistrations.integrationId });
  return deleted.length > 0;
}

function notConfigured(message: string): OAuthError {
  return new OAuthError("not_configured", message);
}
