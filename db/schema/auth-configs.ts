import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { admins } from "./admins";
import { createdAt } from "./columns";

/**
 * Outbound OAuth 2.0 client-credentials configs. The credential columns hold sealed values
 * (lib/crypto, registered in lib/crypto/registry.ts); there is deliberately no updated_at:
 * a config is immutable once created.
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
