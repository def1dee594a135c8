import type { Metadata } from "next";
import { z } from "zod";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { Pagination } from "@/components/audit/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { listAuditEvents, listAuditFacets } from "@/lib/audit/service";
import { requireAdmin } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 25;

/** The URL is the state, so a filtered page can be linked and reloaded; bad values fall back. */
const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  action: z.string().max(100).optional().catch(undefined),
  actor: z.string().max(320).optional().catch(undefined),
});

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const query = querySchema.parse(await searchParams);
  const filters = { action: query.action || undefined, actor: query.actor || undefined };
  const db = await getDb();
  const [{ events, total }, facets] = await Promise.all([
    listAuditEvents(db, { ...filters, page: query.page, pageSize: PAGE_SIZE }),
    listAuditFacets(db),
  ]);
  return (
    <div className="space-y-6">
      <PageHeader
        title="Audit log"
        description="Who did what, and when: sign-ins, admin changes, and every create, delete and setting change. Newest first."
      />
      <AuditFilters actions={facets.actions} actors={facets.actors} selected={filters} />
      <AuditTable events={events} filtered={Boolean(filters.action || filters.actor)} />
      <Pagination page={query.page} pageSize={PAGE_SIZE} total={total} filters={filters} />
    </div>
  );
}
