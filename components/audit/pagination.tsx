import Link from "next/link";
import { Button } from "@/components/ui/button";

interface PaginationProps {
  page: number;
  pageSize: number;
  total: number;
  filters: { action?: string; actor?: string };
}

function pageHref(page: number, filters: PaginationProps["filters"]): string {
  const params = new URLSearchParams();
  if (filters.action) params.set("action", filters.action);
  if (filters.actor) params.set("actor", filters.actor);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query ? `/audit?${query}` : "/audit";
}

export function Pagination({ page, pageSize, total, filters }: PaginationProps) {
  if (total === 0) return null;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const first = Math.min((page - 1) * pageSize + 1, total);
  const last = Math.min(page * pageSize, total);
  return (
    <nav
      aria-label="Audit log pages"
      className="flex items-center justify-between gap-4 text-fg-muted text-sm"
    >
      <p className="tabular-nums">
        {first <= last
          ? `${first}–${last} of ${total}`
          : `Page ${page} is past the last page (${lastPage})`}
      </p>
      <div className="flex gap-2">
        <PageLink label="Previous" page={page - 1} disabled={page <= 1} filters={filters} />
        <PageLink label="Next" page={page + 1} disabled={page >= lastPage} filters={filters} />
      </div>
    </nav>
  );
}

function PageLink({
  label,
  page,
  disabled,
  filters,
}: {
  label: string;
  page: number;
  disabled: boolean;
  filters: PaginationProps["filters"];
}) {
  if (disabled) {
    return (
      <Button variant="secondary" size="sm" disabled>
        {label}
      </Button>
    );
  }
  return (
    <Button asChild variant="secondary" size="sm">
      <Link href={pageHref(page, filters)} rel={label === "Next" ? "next" : "prev"}>
        {label}
      </Link>
    </Button>
  );
}
