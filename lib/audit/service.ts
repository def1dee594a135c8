import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { type Executor, queryRows } from "@/db/client";
import { auditEvents } from "@/db/schema";
import type { AuditAction } from "./actions";

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
  /** One of the known actions (./actions.ts), so the action menu can offer it. */
  action: AuditAction;
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
 * Records an event unless one with the same action and target was recorded in the last
 * `periodSeconds` (on the database's clock, so every instance agrees). For events that a
 * failing request would otherwise repeat on every call, such as a sealed value that cannot be
 * opened: the log says it once per period instead of filling up. Two instances racing may both
 * write; the bound is what matters, not exactly one row. Returns whether a row was written.
 */
export async function recordAuditAtMostEvery(
  executor: Executor,
  event: AuditEventInput & { target: { type: string; id: string } },
  periodSeconds: number,
): Promise<boolean> {
  const row = auditColumns(event);
  const written = await queryRows(
    executor,
    sql`
    insert into audit_events
      (actor_type, actor_id, actor_label, action, target_type, target_id, client_address, details)
    select ${row.actorType}, ${row.actorId}, ${row.actorLabel}, ${row.action}, ${row.targetType},
      ${row.targetId}, ${row.clientAddress}, ${JSON.stringify(row.details)}::jsonb
    where not exists (
      select 1 from audit_events
      where action = ${row.action} and target_type = ${row.targetType}
        and target_id = ${row.targetId}
        and occurred_at > now() - make_interval(secs => ${periodSeconds})
    )
    returning id`,
  );
  return written.length > 0;
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

export type AuditEvent = typeof auditEvents.$inferSelect;

export interface AuditQuery {
  limit: number;
  /** From a previous page's `nextCursor`: the page starts after that event. */
  cursor?: string;
  action?: string;
  /** An exact actor label, as offered by searchAuditActors. */
  actor?: string;
}

export type AuditPage =
  | { ok: true; events: AuditEvent[]; nextCursor: string | null }
  | { ok: false; error: "invalid_cursor" };

/*
 * Paging is keyset on (occurred_at desc, id desc), so a page costs the same deep in the log as
 * at its top. The cursor names the last event shown by id; the query takes that event's
 * occurred_at from the table itself, because a JavaScript Date would lose PostgreSQL's
 * microseconds and skip or repeat events. There is deliberately no total: counting a filtered
 * set of millions of events on every page is the cost this design avoids, and the page says
 * "Older events" / "No older events" instead.
 */
const CURSOR_PREFIX = "ae1.";

function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString("base64url");
}

/** The event id a cursor names, or null for a cursor we could not have made. */
export function decodeAuditCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^ae1\.([1-9][0-9]{0,15})$/.exec(text);
  const id = match?.[1] ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(id) && encodeCursor(id) === cursor ? id : null;
}

// The indexes are "desc nulls last" (drizzle-kit's desc), so the order says so too, or the
// planner could not walk them for the order.
const newestFirst = [
  sql`${auditEvents.occurredAt} desc nulls last`,
  sql`${auditEvents.id} desc nulls last`,
];

export async function listAuditEvents(executor: Executor, query: AuditQuery): Promise<AuditPage> {
  const afterId = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  if (afterId === null) return { ok: false, error: "invalid_cursor" };
  const events = await executor
    .select()
    .from(auditEvents)
    .where(
      and(
        query.action ? eq(auditEvents.action, query.action) : undefined,
        query.actor ? eq(auditEvents.actorLabel, query.actor) : undefined,
        afterId === undefined
          ? undefined
          : sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < ((select ${auditEvents.occurredAt} from ${auditEvents} where ${auditEvents.id} = ${afterId}), ${afterId})`,
      ),
    )
    .orderBy(...newestFirst)
    .limit(query.limit + 1);
  if (afterId !== undefined && events.length === 0) {
    // An empty page after a cursor: the end of the log, or an event that never existed.
    const [anchor] = await executor
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.id, afterId));
    if (!anchor) return { ok: false, error: "invalid_cursor" };
  }
  const page = events.slice(0, query.limit);
  const last = page.at(-1);
  return {
    ok: true,
    events: page,
    nextCursor: events.length > query.limit && last ? encodeCursor(last.id) : null,
  };
}

/**
 * Actor labels that start with `prefix`, ignoring case, for the actor filter's suggestions.
 * A loose index scan: each step jumps to the next distinct label in the search index, so the
 * cost follows the number of labels returned, not the number of events behind them.
 */
export async function searchAuditActors(
  executor: Executor,
  prefix: string,
  limit: number,
): Promise<string[]> {
  const low = prefix.toLowerCase();
  const high = prefixEnd(low);
  const key = sql`lower(${auditEvents.actorLabel}) collate "C"`;
  const below = high === null ? sql`true` : sql`${key} < ${high} collate "C"`;
  const rows = await queryRows<{ label: string }>(
    executor,
    sql`
    with recursive found(key) as (
      (select ${key} from ${auditEvents}
        where ${key} >= ${low} collate "C" and ${below}
        order by 1 limit 1)
      union all
      select (select ${key} from ${auditEvents}
                where ${key} > found.key and ${below}
                order by 1 limit 1)
        from found where found.key is not null
    )
    select (select ${auditEvents.actorLabel} from ${auditEvents} where ${key} = found.key
             limit 1) as label
      from found where found.key is not null
      limit ${limit}`,
  );
  return rows.map((row) => row.label);
}

/**
 * The smallest string above every string that starts with `prefix`, in code point (and so
 * UTF-8 byte, "C") order; null when there is none, i.e. the range is open above.
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((char) => char.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = (points.pop() ?? 0) + 1;
    if (last > 0x10ffff) continue;
    // Surrogates cannot be sent as text; the next code point after them is U+E000.
    points.push(last >= 0xd800 && last <= 0xdfff ? 0xe000 : last);
    return String.fromCodePoint(...points);
  }
  return null;
}
