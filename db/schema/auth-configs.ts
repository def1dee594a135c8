import { sql } from "drizzle-orm";
import {
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { admins } from "./admins";
import { apiClients } from "./api-clients";
import { apiAccessColumns, createdAt } from "./columns";

/**
 * Outbound OAuth 2.0 client-credentials configs. The credential columns hold sealed values
 * (lib/crypto, registered in lib/crypto/registry.ts); there is deliberately no updated_at:
 * a config is immutable once created. Who may fetch its tokens (api_access, and
 * auth_config_api_clients) is policy, not config, and may change (lib/auth-configs/access.ts).
 */
export const authConfigs = pgTable(
  "auth_configs",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    type: text("type", { enum: ["oauth2_client_credentials"] }).notNull(),
    tokenUrlSealed: text("token_url_sealed").notNull(),
    scopeSealed: text("scope_sealed").notNull(),
    clientIdSealed: text("client_id_sealed").notNull(),
    clientSecretSealed: text("client_secret_sealed").notNull(),
    authMethod: text("auth_method", {
      enum: ["client_secret_basic", "client_secret_post"],
    }).notNull(),
    audience: text("audience"),
    description: text("description"),
    createdById: text("created_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    tokensFetched: integer("tokens_fetched").notNull().default(0),
    /**
     * The config this one replaced under the same identifier (lib/auth-configs/service.ts,
     * replaceAuthConfig). That row is gone, so this is no foreign key: it names the old id for
     * the audit log, whose events about it stay. Its usage figures carried over to this row.
     */
    replacesId: text("replaces_id"),
    /** New configs let nobody in until an admin grants access (docs/least-privilege.md). */
    ...apiAccessColumns("selected"),
  },
  (table) => [
    // Case-insensitive uniqueness lives in the database, so racing creates cannot both win.
    uniqueIndex("auth_configs_identifier_lower_idx").on(sql`lower(${table.identifier})`),
    index("auth_configs_created_idx").on(table.createdAt),
    // The list's order and keyset (byte order: a prefix search walks it too), and the index for
    // substring searches of 3 characters or more.
    index("auth_configs_identifier_order_idx").on(
      sql`lower(${table.identifier}) collate "C"`,
      table.id,
    ),
    index("auth_configs_identifier_trgm_idx").using("gin", table.identifier.op("gin_trgm_ops")),
  ],
);

/** The API clients allowed to fetch an auth config's tokens when its api_access is "selected". */
export const authConfigApiClients = pgTable(
  "auth_config_api_clients",
  {
    authConfigId: text("auth_config_id")
      .notNull()
      .references(() => authConfigs.id, { onDelete: "cascade" }),
    apiClientId: text("api_client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
  },
  (table) => [
    primaryKey({ columns: [table.authConfigId, table.apiClientId] }),
    index("auth_config_api_clients_client_idx").on(table.apiClientId),
  ],
);
