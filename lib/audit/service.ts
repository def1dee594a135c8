import "server-only";
import { and, count, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEvents } from "@/db/schema";

export type AuditActor =
  | { type: "admin"; id: string; label: string }
  /** A program calling the public API: an API client (label: its client key) or a till. */
  | { type: "api_client"; id: string; label: string }
  | { type: "till"; id: string; label: string }
  | { type: "anonymous"; label?: string }
  | { type: "system"; label: string };

/** Who makes a console change, and from where: what every audited service call needs. */
export interface ChangeContext {
  actor: Extract<AuditActor, { type: "admin" }>;
  clientAddress: string | null;
}

export interface AuditEventInput {
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string };
  clientAddress?: string | null;
  /** Small, secret-free context, e.g. `{ reason: "wrong_password" }`. */
  details?: Record<string, unknown>;
}

/**
 * Who makes a change that may come from the console or the public API (the integrations area).
 * Kept apart from ChangeContext because admin-only changes store the actor as an admin reference.
 */
export interface ActorContext {
  actor:
    | Extract<AuditActor, { type: "admin" | "api_client" | "till" }>
    /**
     * An end user on the hosted connect page: no account of ours, so anonymous, labelled with
     * their end user id and the connect link they used (lib/integrations/connect-sessions.ts).
     */
    | { type: "anonymous"; label: string };
  clientAddress: string | null;
}

/**
 * Records an audit event. Pass the transaction that makes the change, so the event is written
 * if and only if the change is.
 */
export async function recordAudit(executor: Executor, event: AuditEventInput): Promise<void> {
  await executor.insert(auditEvents).values(auditColumns(event));
}

/**
 * An event as the row recordAudit writes. Statements that write their audit row themselves (an
 * INSERT in a WITH clause, so the row and the read it records are one atomic statement) take
 * their values from here, so both ways store the same thing.
 */
export function auditColumns(event: AuditEventInput) {
  return {
    actorType: event.actor.type,
    actorId: "id" in event.actor ? event.actor.id : null,
    actorLabel: event.actor.label ?? null,
    action: event.action,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    clientAddress: event.clientAddress ?? null,
    details: event.details ?? {},
  } satisfies typeof auditEvents.$inferInsert;
}

export interface AuditQuery {
  page: number;
  pageSize: number;
  action?: string;
  actor?: string;
}

export async function listAuditEvents(executor: Executor, query: AuditQuery) {
  const filter = and(
    query.action ? eq(auditEvents.action, query.action) : undefined,
    query.actor ? eq(auditEvents.actorLabel, query.actor) : undefined,
  );
  const [events, [totals]] = await Promise.all([
    executor
      .select()
      .from(auditEvents)
      .where(filter)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    executor.select({ total: count() }).from(auditEvents).where(filter),
  ]);
  return { events, total: totals?.total ?? 0 };
}

/** The distinct actions and actors, for the filter menus. */
export async function listAuditFacets(executor: Executor) {
  const [actions, actors] = await Promise.all([
    executor
      .selectDistinct({ value: auditEvents.action })
      .from(auditEvents)
      .orderBy(auditEvents.action),
    executor
      .selectDistinct({ value: auditEvents.actorLabel })
      .from(auditEvents)
      .where(sql`${auditEvents.actorLabel} is not null`)
      .orderBy(auditEvents.actorLabel),
  ]);
  return {
    actions: actions.map((row) => row.value),
    actors: actors.flatMap((row) => (row.value ? [row.value] : [])),
  };
}
