import { timestamp } from "drizzle-orm/pg-core";

/** Timestamps every table carries; stored with time zone so instances in different zones agree. */
export const createdAt = () =>
  timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
