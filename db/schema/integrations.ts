import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { AUTH_TYPES, FIELD_TYPES } from "../../lib/integrations/schema";
import { admins } from "./admins";
import { apiClients } from "./api-clients";
import { createdAt } from "./columns";

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
    /** "all": every API client holding INTEGRATION_API; "selected": integration_api_clients only. */
    apiAccess: text("api_access", { enum: ["all", "selected"] })
      .notNull()
      .default("all"),
    createdById: text("created_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    authUpdatedAt: timestamp("auth_updated_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    unique("integrations_id_auth_version_key").on(table.id, table.authVersion),
    index("integrations_name_lower_idx").on(sql`lower(${table.name})`, table.id),
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
    status: text("status", { enum: ["active", "expired", "failed"] })
      .notNull()
      .default("active"),
    valuesSealed: text("values_sealed").notNull(),
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
