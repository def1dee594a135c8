import { z } from "zod";

/** Events per page: the server render's first page and every "Older events" fetch. */
export const AUDIT_PAGE_SIZE = 25;
/** Suggestions the actor filter shows for what has been typed so far. */
export const ACTOR_SUGGESTIONS = 10;

const blankAsUndefined = (value: string | undefined) => value || undefined;

/** The filters, as the page's URL and the next-page action carry them. */
export const auditFiltersSchema = z
  .object({
    action: z.string().max(100).optional().transform(blankAsUndefined),
    actor: z.string().max(320).optional().transform(blankAsUndefined),
  })
  .strict();

export type AuditFilters = z.output<typeof auditFiltersSchema>;

/** One "Older events" request: the filters and the cursor from the page before. */
export const auditPageRequestSchema = auditFiltersSchema
  .extend({ cursor: z.string().min(1).max(100) })
  .strict();

export type AuditPageRequest = z.input<typeof auditPageRequestSchema>;

export const actorSearchSchema = z.object({ prefix: z.string().trim().max(320) }).strict();
