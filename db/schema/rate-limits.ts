import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Fixed-window counters shared by every app instance (lib/rate-limit): failed sign-ins and
 * client and till authentications (per address, per account and address, per account), and
 * leased request quotas per API caller. One row per key; a row whose window has ended counts as
 * zero and is reset by the next hit. Failure throttles' backoff lengthens a live window.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    windowEndsAt: timestamp("window_ends_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (table) => [index("rate_limit_counters_window_ends_idx").on(table.windowEndsAt)],
);
