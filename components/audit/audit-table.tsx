import { ScrollText } from "lucide-react";
import { Badge, type BadgeVariant } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { AuditEventView as AuditEvent } from "@/lib/audit/contract";

function actionVariant(action: string): BadgeVariant {
  if (action.endsWith("_failed")) return "danger";
  if (action.endsWith(".created") || action.endsWith(".signed_in")) return "success";
  if (action.endsWith(".deleted")) return "warning";
  return "neutral";
}

/** UTC (the column says so), so admins in different places read the same time for one event. */
function formatTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

function formatDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/**
 * The events as a table from the `xl` breakpoint, and as a stacked list below it, where six
 * columns would only scroll sideways.
 */
export function AuditTable({ events, filtered }: { events: AuditEvent[]; filtered: boolean }) {
  if (events.length === 0) {
    return (
      <EmptyState
        icon={<ScrollText />}
        title={filtered ? "No events match these filters" : "No events yet"}
        description={
          filtered
            ? "Try another action or actor, or clear the filters."
            : "Sign-ins, admin changes and every create or delete will be listed here."
        }
      />
    );
  }
  return (
    <>
      <EventTable events={events} />
      <EventList events={events} />
    </>
  );
}

function EventTable({ events }: { events: AuditEvent[] }) {
  return (
    <Table aria-label="Audit events" containerClassName="hidden xl:block">
      <TableHeader>
        <TableRow>
          <TableHead>Time (UTC)</TableHead>
          <TableHead>Actor</TableHead>
          <TableHead>Action</TableHead>
          <TableHead>Target</TableHead>
          <TableHead>Address</TableHead>
          <TableHead>Details</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {events.map((event) => (
          <TableRow key={event.id}>
            <TableCell className="whitespace-nowrap text-fg-muted tabular-nums">
              <time dateTime={event.occurredAt.toISOString()}>{formatTime(event.occurredAt)}</time>
            </TableCell>
            <TableCell>
              <div className="font-medium text-fg">{event.actorLabel ?? "—"}</div>
              {event.actorType !== "admin" ? (
                <div className="text-fg-subtle text-xs">{actorTypeLabel(event.actorType)}</div>
              ) : null}
            </TableCell>
            <TableCell>
              <Badge variant={actionVariant(event.action)} className="font-mono">
                {event.action}
              </Badge>
            </TableCell>
            <TableCell
              className="max-w-40 truncate font-mono text-fg-muted text-xs"
              title={event.targetId ?? undefined}
            >
              {event.targetId ?? "—"}
            </TableCell>
            <TableCell className="font-mono text-fg-muted text-xs">
              {event.clientAddress ?? "—"}
            </TableCell>
            <TableCell className="text-fg-muted text-xs">
              {formatDetails(event.details) || "—"}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function EventList({ events }: { events: AuditEvent[] }) {
  return (
    <ul
      aria-label="Audit events"
      className="divide-y divide-line rounded-lg border border-line bg-surface xl:hidden"
    >
      {events.map((event) => (
        <li key={event.id} className="space-y-1.5 px-4 py-3 text-sm">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <Badge variant={actionVariant(event.action)} className="font-mono">
              {event.action}
            </Badge>
            <time
              dateTime={event.occurredAt.toISOString()}
              className="text-fg-muted text-xs tabular-nums"
            >
              {formatTime(event.occurredAt)} UTC
            </time>
          </div>
          <div className="font-medium text-fg">
            {event.actorLabel ?? "—"}
            {event.actorType !== "admin" ? (
              <span className="ml-1.5 font-normal text-fg-subtle text-xs">
                {actorTypeLabel(event.actorType)}
              </span>
            ) : null}
          </div>
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-fg-muted text-xs">
            <dt>Target</dt>
            <dd className="break-all font-mono">{event.targetId ?? "—"}</dd>
            <dt>Address</dt>
            <dd className="font-mono">{event.clientAddress ?? "—"}</dd>
            <dt>Details</dt>
            <dd className="[overflow-wrap:anywhere]">{formatDetails(event.details) || "—"}</dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}

/** Who acted, in words; admins are the norm and carry no label. */
function actorTypeLabel(type: string): string {
  const labels: Record<string, string> = { api_client: "API client", till: "till" };
  return labels[type] ?? type;
}
