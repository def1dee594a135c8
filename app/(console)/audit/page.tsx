import type { Metadata } from "next";
import { z } from "zod";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditLog } from "@/components/audit/audit-log";
import { PageHeader } from "@/components/ui/page-header";
import { auditEventOutput } from "@/lib/audit/contract";
import { AUDIT_PAGE_SIZE, auditFiltersSchema } from "@/lib/audit/schema";
import { listAuditEvents } from "@/lib/audit/service";
import { requireAdmin } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "Audit log" };

/** The URL is the state, so a filtered view can be linked and reloaded; bad values fall back. */
const querySchema = z.object({
  action: z.string().optional().catch(undefined),
  actor: z.string().optional().catch(undefined),
});

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const parsed = auditFiltersSchema.safeParse(querySchema.parse(await searchParams));
  const filters = parsed.success ? parsed.data : { action: undefined, actor: undefined };
  const page = await listAuditEvents(await getDb(), { ...filters, limit: AUDIT_PAGE_SIZE });
  // Without a cursor there is nothing to refuse; the check keeps the types honest.
  if (!page.ok) throw new Error("the first audit page was refused");
  return (
    <div className="space-y-6">
      <PageHeader
        title="Audit log"
        description="Who did what, and when: sign-ins, admin changes, and every create, delete and setting change. Newest first."
      />
      <AuditFilters selected={filters} />
      <AuditLog
        filters={filters}
        firstPage={{
          events: z.array(auditEventOutput).parse(page.events),
          nextCursor: page.nextCursor,
        }}
        renderedAt={Date.now()}
      />
    </div>
  );
}
