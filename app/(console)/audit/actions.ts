"use server";

import { z } from "zod";
import {
  auditEventOutput,
  type ListAuditEventsResult,
  type SearchAuditActorsResult,
} from "@/lib/audit/contract";
import {
  ACTOR_SUGGESTIONS,
  AUDIT_PAGE_SIZE,
  type AuditPageRequest,
  actorSearchSchema,
  auditPageRequestSchema,
} from "@/lib/audit/schema";
import { listAuditEvents, searchAuditActors } from "@/lib/audit/service";
import { requireAdmin } from "@/lib/auth/session";
import { unexpectedFailure } from "@/lib/forms/action-support";
import { startRuntime } from "@/lib/runtime";

/*
 * Every export here is a public endpoint: each one checks the session itself, parses its
 * arguments, calls the service and maps the result.
 */

const STALE_CURSOR =
  "This list can no longer be continued. Reload the page to start again from the newest events.";

/** The page after `cursor`: what "Older events" loads. The first page comes from the render. */
export async function listAuditEventsAction(
  request: AuditPageRequest,
): Promise<ListAuditEventsResult> {
  const admin = await requireAdmin();
  const parsed = auditPageRequestSchema.safeParse(request);
  if (!parsed.success) return { ok: false, formError: STALE_CURSOR };
  try {
    const { database } = await startRuntime();
    const page = await listAuditEvents(database.db, { ...parsed.data, limit: AUDIT_PAGE_SIZE });
    if (!page.ok) return { ok: false, formError: STALE_CURSOR };
    return {
      ok: true,
      events: z.array(auditEventOutput).parse(page.events),
      nextCursor: page.nextCursor,
    };
  } catch (error) {
    return unexpectedFailure("audit", "list events", admin, error);
  }
}

/** Actor labels starting with what the admin typed, for the actor filter. */
export async function searchAuditActorsAction(prefix: string): Promise<SearchAuditActorsResult> {
  const admin = await requireAdmin();
  const parsed = actorSearchSchema.safeParse({ prefix });
  if (!parsed.success) return { ok: false, formError: "Type at most 320 characters." };
  try {
    const { database } = await startRuntime();
    const actors = await searchAuditActors(database.db, parsed.data.prefix, ACTOR_SUGGESTIONS);
    return { ok: true, actors: z.array(z.string()).parse(actors) };
  } catch (error) {
    return unexpectedFailure("audit", "search actors", admin, error);
  }
}
