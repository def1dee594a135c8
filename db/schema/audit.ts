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
    index("audit_events_occurred_idx").on(table.occurredAt.desc(), table.id.desc()),
    index("audit_events_action_idx").on(table.action),
    index("audit_events_actor_idx").on(table.actorLabel),
  ],
);
