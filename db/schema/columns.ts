import { boolean, text, timestamp } from "drizzle-orm/pg-core";

/** Timestamps every table carries; stored with time zone so instances in different zones agree. */
export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

/**
 * Who may use a record through the public API (lib/api-access): "all" lets in every caller
 * that passed the route's scope check; "selected" only the API clients in the record's member
 * table, and tills only when `api_access_tills` is set. Integrations and auth configs share it.
 */
export const apiAccessColumns = (defaultMode: "all" | "selected") => ({
  apiAccess: text("api_access", { enum: ["all", "selected"] })
    .notNull()
    .default(defaultMode),
  apiAccessTills: boolean("api_access_tills").notNull().default(false),
});
