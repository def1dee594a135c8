import { z } from "zod";
import type { ActionFailure } from "@/lib/forms/action-result";

/**
 * What the console receives about audit events, shared by the page, the actions and the
 * browser. An allowlist: the server parses events through it before sending them.
 */
export const auditEventOutput = z.object({
  id: z.number().int(),
  occurredAt: z.date(),
  actorType: z.string(),
  actorLabel: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  clientAddress: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});

export type AuditEventView = z.output<typeof auditEventOutput>;

export interface AuditEventsPage {
  events: AuditEventView[];
  /** Where the next ("Older events") page starts; null when there are no older events. */
  nextCursor: string | null;
}

export type ListAuditEventsResult = ({ ok: true } & AuditEventsPage) | ActionFailure;

export type SearchAuditActorsResult = { ok: true; actors: string[] } | ActionFailure;
