import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true, mode: "date" })
      .notNull()
      .defaultNow(),
    actorType: text("actor_type", {
      enum: ["admin", "api_client", "till", "anonymous", "system"],
    }).notNull(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    clientAddress: text("client_address"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    // The log is read newest first, a page at a time from a (occurred_at, id) cursor: each
    // filter has an index in that order so a filtered page is a short index walk too. The
    // action and actor indexes lead with the filtered column, so they also serve plain lookups.
    index("audit_events_occurred_idx").on(table.occurredAt.desc(), table.id.desc()),
    index("audit_events_action_occurred_idx").on(
      table.action,
      table.occurredAt.desc(),
      table.id.desc(),
    ),
    index("audit_events_actor_occurred_idx").on(
      table.actorLabel,
      table.occurredAt.desc(),
      table.id.desc(),
    ),
    // The actor filter's suggestions: a case-insensitive prefix search that walks distinct
    // labels. Bytewise ("C") order makes a prefix one contiguous range whatever the
    // database's collation.
    index("audit_events_actor_search_idx").on(sql`lower(${table.actorLabel}) collate "C"`),
  ],
);
