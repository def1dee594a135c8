import type * as React from "react";
import { formatDateTime } from "./format";
import { RelativeTime } from "./relative-time";

/** A titled group of label–value rows in a read-only detail pane. */
export function DetailSection({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div>
      <h3 className="font-medium text-fg-subtle text-xs uppercase tracking-wide">{title}</h3>
      <dl className="mt-2 divide-y divide-line">{children}</dl>
    </div>
  );
}

export function DetailRow({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-2.5 sm:grid-cols-[11rem_minmax(0,1fr)] sm:gap-4">
      <dt className="text-fg-muted text-sm">{label}</dt>
      <dd className="min-w-0 text-fg text-sm">{children}</dd>
    </div>
  );
}

/** What a detail pane shows instead of a record: not found, or a failure to load it. */
export function PaneMessage({
  title,
  icon,
  role,
  children,
}: {
  title: string;
  icon?: React.ReactNode;
  role?: "alert";
  children: React.ReactNode;
}) {
  return (
    <div
      role={role}
      className="flex flex-col items-center rounded-xl border border-line-strong border-dashed bg-surface px-6 py-12 text-center text-fg-muted text-sm"
    >
      {icon ? (
        <div
          className="mb-4 flex size-10 items-center justify-center rounded-lg border border-line bg-surface-subtle text-fg-muted [&_svg]:size-5"
          aria-hidden="true"
        >
          {icon}
        </div>
      ) : null}
      <h2 className="mb-1 font-semibold text-base text-fg">{title}</h2>
      {children}
    </div>
  );
}

/**
 * The "About" section every read-only record ends with: what it is for, who created it when, and
 * when it was last used. `children` adds rows of the record's own, e.g. a usage count.
 */
export function AboutSection({
  record,
  children,
}: {
  record: {
    description: string | null;
    createdAt: Date;
    createdBy: string;
    lastUsedAt: Date | null;
  };
  children?: React.ReactNode;
}) {
  return (
    <DetailSection title="About">
      <DetailRow label="Description">
        {record.description ? (
          <span className="whitespace-pre-line break-words">{record.description}</span>
        ) : (
          <span className="text-fg-subtle">No description</span>
        )}
      </DetailRow>
      <DetailRow label="Created">
        <time dateTime={record.createdAt.toISOString()}>{formatDateTime(record.createdAt)}</time>
        <span className="text-fg-muted"> by {record.createdBy}</span>
      </DetailRow>
      <DetailRow label="Last used">
        {record.lastUsedAt ? (
          <>
            <RelativeTime date={record.lastUsedAt} />{" "}
            <span className="text-fg-muted">({formatDateTime(record.lastUsedAt)})</span>
          </>
        ) : (
          <span className="text-fg-subtle">Never</span>
        )}
      </DetailRow>
      {children}
    </DetailSection>
  );
}
