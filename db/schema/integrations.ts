import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { AUTH_TYPES, CONNECTION_STATUSES, FIELD_TYPES } from "../../lib/integrations/schema";
import { admins } from "./admins";
import { apiClients } from "./api-clients";
import { apiAccessColumns, createdAt } from "./columns";

/** A CHECK that the column holds one of `values` (the lists the zod schemas validate with). */
function oneOf(column: AnyPgColumn, values: readonly string[]) {
  return sql`${column} in (${sql.join(
    values.map((value) => sql.raw(`'${value}'`)),
    sql`, `,
  )})`;
}

/**
 * Custom integrations and their auth configuration (lib/integrations/README.md). The auth
 * configuration is versioned twice over:
 * - `authVersion` changes whenever `authType` does. Connections reference (id, authVersion), so
 *   the database itself refuses a connection made under a type that has since changed.
 * - `authRevision` changes on every auth update (fields, test code, OAuth client), so work that
 *   started before an update (a connection being tested, an OAuth flow) can tell it is stale.
 */
export const integrations = pgTable(
  "integrations",
  {
    id: uuid("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    authType: text("auth_type", { enum: AUTH_TYPES }).notNull().default("NONE"),
    authTestCode: text("auth_test_code"),
    authVersion: integer("auth_version").notNull().default(1),
    authRevision: integer("auth_revision").notNull().default(1),
    /** "all": every caller holding INTEGRATION_API; "selected": integration_api_clients only. */
    ...apiAccessColumns("all"),
    /** Where a connect link may send the end user back to (lib/integrations/README.md). */
    connectReturnUrls: text("connect_return_urls").array().notNull().default(sql`'{}'::text[]`),
    createdById: text("created_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    authUpdatedAt: timestamp("auth_updated_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    unique("integrations_id_auth_version_key").on(table.id, table.authVersion),
    // The list's order and keyset (byte order: a prefix search walks it too), and the index for
    // substring searches of 3 characters or more.
    index("integrations_name_lower_idx").on(sql`lower(${table.name}) collate "C"`, table.id),
    index("integrations_name_trgm_idx").using("gin", table.name.op("gin_trgm_ops")),
    check("integrations_auth_type_known", oneOf(table.authType, AUTH_TYPES)),
  ],
);

/** The fields end users fill in; replaced as a whole on every auth update. */
export const integrationAuthFields = pgTable(
  "integration_auth_fields",
  {
    id: text("id").primaryKey(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    slug: text("slug").notNull(),
    label: text("label").notNull(),
    type: text("type", { enum: FIELD_TYPES }).notNull(),
    description: text("description").notNull().default(""),
    placeholder: text("placeholder"),
    required: boolean("required").notNull().default(false),
  },
  (table) => [
    uniqueIndex("integration_auth_fields_slug_idx").on(table.integrationId, table.slug),
    uniqueIndex("integration_auth_fields_position_idx").on(table.integrationId, table.position),
    check("integration_auth_fields_type_known", oneOf(table.type, FIELD_TYPES)),
  ],
);

/**
 * The OAuth client of an OAUTH or OAUTH_DCR integration. The four credential columns are
 * write-only: sealed (lib/crypto/registry.ts) and never returned by any response.
 */
export const integrationOAuthClients = pgTable("integration_oauth_clients", {
  integrationId: uuid("integration_id")
    .primaryKey()
    .references(() => integrations.id, { onDelete: "cascade" }),
  scopes: text("scopes"),
  label: text("label"),
  authorizationCode: text("authorization_code").notNull().default(""),
  accessTokenCode: text("access_token_code").notNull().default(""),
  refreshTokenCode: text("refresh_token_code").notNull().default(""),
  authUrlSealed: text("auth_url_sealed"),
  tokenUrlSealed: text("token_url_sealed"),
  clientIdSealed: text("client_id_sealed"),
  clientSecretSealed: text("client_secret_sealed"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** The API clients allowed to manage an integration whose api_access is "selected". */
export const integrationApiClients = pgTable(
  "integration_api_clients",
  {
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    apiClientId: text("api_client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.integrationId, table.apiClientId] }),
    index("integration_api_clients_client_idx").on(table.apiClientId),
  ],
);

/**
 * One end user's credentials for an integration, or (end_user_id = '') the one service
 * connection of a SERVICE_ACCOUNT integration. `values_sealed` is the sealed JSON of slug → value.
 */
export const integrationConnections = pgTable(
  "integration_connections",
  {
    id: text("id").primaryKey(),
    integrationId: uuid("integration_id").notNull(),
    authVersion: integer("auth_version").notNull(),
    endUserId: text("end_user_id").notNull(),
    status: text("status", { enum: CONNECTION_STATUSES }).notNull().default("active"),
    /**
     * Field values (slug → value), or for an OAuth connection its token set
     * ({ accessToken, refreshToken, tokenType, scope }), as sealed JSON.
     */
    valuesSealed: text("values_sealed").notNull(),
    /** When the OAuth access token expires; null for field connections and tokens without expiry. */
    tokenExpiresAt: timestamp("token_expires_at", { withTimezone: true, mode: "date" }),
    /**
     * Bumped on every write of values_sealed: a refresh writes its result only if the revision it
     * read is still there (compare-and-swap), so no two refreshes both land.
     */
    credentialsRevision: integer("credentials_revision").notNull().default(1),
    /** One instance's claim to refresh this connection's token, until then (a lease, not a lock). */
    refreshLeaseUntil: timestamp("refresh_lease_until", { withTimezone: true, mode: "date" }),
    refreshedAt: timestamp("refreshed_at", { withTimezone: true, mode: "date" }),
    /** Why the last refresh failed, in our words (an OAuth error code, never the server's text). */
    lastRefreshError: text("last_refresh_error"),
    /**
     * Which OAuth client the tokens were issued to (a hash of its token endpoint and client id). A
     * refresh token is only ever sent to that client's token endpoint: after the client changes
     * (a new client id, token URL or DCR registration) the connection needs a reconnect.
     */
    oauthClientKey: text("oauth_client_key"),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true, mode: "date" }),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    // No ON UPDATE action: changing the type must delete the connections first, and a connection
    // inserted under the old version fails this check instead of surviving the change.
    foreignKey({
      name: "integration_connections_integration_version_fk",
      columns: [table.integrationId, table.authVersion],
      foreignColumns: [integrations.id, integrations.authVersion],
    }).onDelete("cascade"),
    uniqueIndex("integration_connections_end_user_idx").on(table.integrationId, table.endUserId),
    index("integration_connections_created_idx").on(
      table.integrationId,
      table.createdAt.desc(),
      table.id.desc(),
    ),
  ],
);

/**
 * A connect link: lets one end user connect one integration from Authdesk's hosted page
 * (/connect/<token>), once, until it expires. Only the token's SHA-256 is stored.
 */
export const integrationConnectSessions = pgTable(
  "integration_connect_sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    /** The auth version the link was made for: a link outlives no type change. */
    authVersion: integer("auth_version").notNull(),
    endUserId: text("end_user_id").notNull(),
    returnUrl: text("return_url"),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    spentAt: timestamp("spent_at", { withTimezone: true, mode: "date" }),
    /** The connection the link made, once spent. */
    connectionId: text("connection_id"),
  },
  (table) => [
    uniqueIndex("integration_connect_sessions_token_idx").on(table.tokenHash),
    index("integration_connect_sessions_expires_idx").on(table.expiresAt),
  ],
);

/**
 * One authorization-code flow in progress: the `state` sent to the provider (stored hashed),
 * bound to its connect link, to the browser that started it (a cookie whose hash is stored) and to
 * the auth configuration it started under. Single use, ten minutes.
 */
export const integrationOAuthStates = pgTable(
  "integration_oauth_states",
  {
    stateHash: text("state_hash").primaryKey(),
    connectSessionId: text("connect_session_id")
      .notNull()
      .references(() => integrationConnectSessions.id, { onDelete: "cascade" }),
    integrationId: uuid("integration_id").notNull(),
    authVersion: integer("auth_version").notNull(),
    authRevision: integer("auth_revision").notNull(),
    browserBindingHash: text("browser_binding_hash").notNull(),
    /** The PKCE code_verifier, sealed and bound to state_hash. */
    codeVerifierSealed: text("code_verifier_sealed").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
  },
  // Deleted by cascade with their connect link (deleteStaleConnectSessions), which needs this index.
  (table) => [index("integration_oauth_states_session_idx").on(table.connectSessionId)],
);

/**
 * An OAUTH_DCR integration's client, registered once (RFC 7591) at the authorization server found
 * from its server URL, and shared by all its connections. `fingerprint` is a hash of what the
 * registration was made for (auth version, server URL, redirect URI): when it no longer matches,
 * the client is registered again.
 */
export const integrationOAuthRegistrations = pgTable("integration_oauth_registrations", {
  integrationId: uuid("integration_id")
    .primaryKey()
    .references(() => integrations.id, { onDelete: "cascade" }),
  fingerprint: text("fingerprint").notNull(),
  /** The discovered endpoints (issuer, authorization, token, registration, resource…). */
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull(),
  redirectUri: text("redirect_uri").notNull(),
  tokenEndpointAuthMethod: text("token_endpoint_auth_method").notNull(),
  clientIdSealed: text("client_id_sealed").notNull(),
  clientSecretSealed: text("client_secret_sealed"),
  registrationAccessTokenSealed: text("registration_access_token_sealed"),
  /** RFC 7591's client_secret_expires_at; null when the secret does not expire (0) or there is none. */
  clientSecretExpiresAt: timestamp("client_secret_expires_at", {
    withTimezone: true,
    mode: "date",
  }),
  registeredAt: timestamp("registered_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow(),
});
