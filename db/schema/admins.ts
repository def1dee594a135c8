import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt } from "./columns";

export const admins = pgTable(
  "admins",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("admins_email_lower_idx").on(sql`lower(${table.email})`)],
);

/** Sessions are looked up by the SHA-256 of the cookie token, so a database leak gives no usable cookie. */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    adminId: text("admin_id")
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Moved forward (at most once a minute) by each request; the idle timeout counts from it. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" })
      .notNull()
      .defaultNow(),
    clientAddress: text("client_address"),
    userAgent: text("user_agent"),
  },
  (table) => [
    index("admin_sessions_admin_idx").on(table.adminId),
    index("admin_sessions_expires_idx").on(table.expiresAt),
  ],
);
