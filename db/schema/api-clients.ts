import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { admins } from "./admins";
import { createdAt } from "./columns";

/** One row (id = 1): organisation-wide auth settings. */
export const organizationSettings = pgTable(
  "organization_settings",
  {
    id: integer("id").primaryKey().default(1),
    basicAuthEnabled: boolean("basic_auth_enabled").notNull().default(true),
    /** Every admin must set up two-factor sign-in before using the console (owners set it). */
    requireTwoFactor: boolean("require_two_factor").notNull().default(false),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [check("organization_settings_single_row", sql`${table.id} = 1`)],
);

/** The organisation's identities for Basic auth; API clients act as one of them. */
export const tills = pgTable(
  "tills",
  {
    id: text("id").primaryKey(),
    code: text("code").notNull(),
    name: text("name").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdById: text("created_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("tills_code_lower_idx").on(sql`lower(${table.code})`),
    // The list's order and keyset, byte order so that a prefix search walks it too (lib/paging).
    index("tills_code_order_idx").on(sql`lower(${table.code}) collate "C"`, table.id),
    index("tills_name_prefix_idx").on(sql`lower(${table.name}) collate "C"`),
    // Substring search of 3 characters or more, in the code and name together: one index scan
    // where two (a BitmapOr of GIN scans) cost the planner more than reading a narrow table.
    index("tills_search_trgm_idx").using(
      "gin",
      sql`(${table.code} || ' ' || ${table.name}) gin_trgm_ops`,
    ),
  ],
);

/** Permission groups of the public API; scopes are `<slug>:read` and `<slug>:write`. */
export const apiGroups = pgTable(
  "api_groups",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    /** Seeded groups cannot be deleted. */
    builtIn: boolean("built_in").notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("api_groups_slug_idx").on(table.slug)],
);

export const apiClients = pgTable(
  "api_clients",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description"),
    /** The public client key (client_id), `adk_ck_…`. */
    clientKey: text("client_key").notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    secretHash: text("secret_hash").notNull(),
    /** The secret's first characters, so admins can tell secrets apart. */
    secretPrefix: text("secret_prefix").notNull(),
    /** When the secret was last rolled; null while it is the one shown at registration. */
    secretRolledAt: timestamp("secret_rolled_at", { withTimezone: true, mode: "date" }),
    /**
     * The secret before the last roll, accepted until `previousSecretExpiresAt` (the database's
     * clock) so the calling systems can move over without downtime. Only its SHA-256 is kept,
     * like the current one's; all three are null when no previous secret is accepted.
     */
    previousSecretHash: text("previous_secret_hash"),
    previousSecretPrefix: text("previous_secret_prefix"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", {
      withTimezone: true,
      mode: "date",
    }),
    /**
     * "Revoke all tokens": every token issued at or before this instant is refused. Checked by
     * the lookup every token use makes anyway (lib/oauth/tokens.ts), so it holds at once on
     * every instance.
     */
    tokensValidAfter: timestamp("tokens_valid_after", { withTimezone: true, mode: "date" }),
    tokenTtlMinutes: integer("token_ttl_minutes").notNull(),
    tillId: text("till_id")
      .notNull()
      .references(() => tills.id, { onDelete: "restrict" }),
    createdById: text("created_by_id").references(() => admins.id, { onDelete: "set null" }),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    uniqueIndex("api_clients_client_key_idx").on(table.clientKey),
    // With the id, so a till's clients are counted in index order and the count stops at its cap.
    index("api_clients_till_idx").on(table.tillId, table.id),
    // The console's list order and keyset: name in any case, byte order, then id. Byte order
    // lets a 1–2 character prefix search walk the same index (lib/paging/list-query.ts).
    index("api_clients_name_idx").on(sql`lower(${table.name}) collate "C"`, table.id),
    // Substring search of 3 characters or more, on the name or the client key.
    index("api_clients_name_trgm_idx").using("gin", table.name.op("gin_trgm_ops")),
    index("api_clients_client_key_trgm_idx").using("gin", table.clientKey.op("gin_trgm_ops")),
    check("api_clients_token_ttl_range", sql`${table.tokenTtlMinutes} between 5 and 1440`),
    // A previous secret is whole or absent: a hash without an end would be accepted for ever.
    check(
      "api_clients_previous_secret_whole",
      sql`(${table.previousSecretHash} is null) = (${table.previousSecretExpiresAt} is null)
        and (${table.previousSecretHash} is null) = (${table.previousSecretPrefix} is null)`,
    ),
  ],
);

export const apiClientPermissions = pgTable(
  "api_client_permissions",
  {
    clientId: text("client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => apiGroups.id, { onDelete: "cascade" }),
    level: text("level", { enum: ["read", "write"] }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.clientId, table.groupId] }),
    // With the client, so a group's clients are counted in index order and the count stops at its cap.
    index("api_client_permissions_group_idx").on(table.groupId, table.clientId),
  ],
);

/**
 * A till's permission per API group, chosen like an API client's when the till is added: Basic
 * requests as the till carry only these scopes (lib/api-auth/basic.ts).
 */
export const tillPermissions = pgTable(
  "till_permissions",
  {
    tillId: text("till_id")
      .notNull()
      .references(() => tills.id, { onDelete: "cascade" }),
    groupId: text("group_id")
      .notNull()
      .references(() => apiGroups.id, { onDelete: "cascade" }),
    level: text("level", { enum: ["read", "write"] }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tillId, table.groupId] }),
    index("till_permissions_group_idx").on(table.groupId, table.tillId),
  ],
);

/**
 * Access tokens revoked before they expire, by /oauth/revoke. The tokens themselves are signed,
 * not stored (lib/oauth/access-tokens.ts); every use looks the token's id up here, so a
 * revocation holds at once on every instance. A row is deleted once its token has expired, and
 * goes with its client (cascade), whose deletion stops the client's tokens anyway.
 */
export const revokedAccessTokens = pgTable(
  "revoked_access_tokens",
  {
    tokenId: text("token_id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => apiClients.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    index("revoked_access_tokens_client_idx").on(table.clientId),
    index("revoked_access_tokens_expires_idx").on(table.expiresAt),
  ],
);
