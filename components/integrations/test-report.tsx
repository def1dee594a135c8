"use client";

import { OutcomePanel } from "@/components/shared/outcome-panel";
import { Badge, type BadgeVariant } from "@/components/ui/badge";
import type { SampleTestReport, SandboxReport } from "@/lib/integrations/contract";

const FAILURE_TITLES: Record<string, string> = {
  threw: "The code threw an error",
  syntax: "The code does not parse",
  timeout: "The code took too long",
  resources: "The code ran out of memory or stack",
  unavailable: "The sandbox is unavailable",
};

/**
 * What a run of the test code did: passed or failed (with the error's `name: message`), what it
 * returned, each URL it fetched with the status, what it logged, and how long it took. The sandbox
 * has already redacted every secret value from all of it.
 */
export function TestReport({
  report,
  title,
  onDismiss,
}: {
  report: SampleTestReport | SandboxReport;
  /** Overrides the headline, e.g. for a connection the failed test kept from being stored. */
  title?: string;
  onDismiss?: () => void;
}) {
  const headline =
    title ?? (report.ok ? "Test passed" : (FAILURE_TITLES[report.kind ?? ""] ?? "Test failed"));
  return (
    <OutcomePanel
      ok={report.ok}
      title={headline}
      note={`in ${Math.round(report.durationMs).toLocaleString("en-US")} ms`}
      onDismiss={onDismiss}
      headingLevel="h4"
      className="grid gap-3"
    >
      {report.ok ? (
        <ReportPart label="Returned">
          <Code>{"value" in report ? formatValue(report.value) : "—"}</Code>
        </ReportPart>
      ) : report.error ? (
        <ReportPart label="Error">
          <Code>
            {report.error.name}: {report.error.message}
          </Code>
        </ReportPart>
      ) : null}

      <ReportPart label="Requests">
        {report.fetches.length === 0 ? (
          <p className="text-fg-muted">No requests.</p>
        ) : (
          <ul className="grid gap-1.5" aria-label="Requests">
            {report.fetches.map((fetch, index) => (
              // The same URL may be fetched twice; the order is the identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <li key={index} className="flex min-w-0 flex-wrap items-baseline gap-x-2 gap-y-0.5">
                <span className="font-mono text-fg-muted text-xs">{fetch.method}</span>
                <span className="min-w-0 break-all font-mono text-fg text-xs">{fetch.url}</span>
                {fetch.status === null ? (
                  <Badge variant="danger">{fetch.error ?? "No answer"}</Badge>
                ) : (
                  <Badge variant={statusVariant(fetch.status)}>{fetch.status}</Badge>
                )}
              </li>
            ))}
          </ul>
        )}
      </ReportPart>

      <ReportPart label="Logs">
        {report.logs.length === 0 ? (
          <p className="text-fg-muted">Nothing logged.</p>
        ) : (
          <Code>{report.logs.join("\n")}</Code>
        )}
      </ReportPart>
    </OutcomePanel>
  );
}

function ReportPart({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid min-w-0 gap-1">
      <h5 className="font-medium text-fg-muted text-xs uppercase tracking-wide">{label}</h5>
      {children}
    </div>
  );
}

/** Pre-formatted, wrapped rather than scrolled sideways, and capped in height. */
function Code({ children }: { children: React.ReactNode }) {
  return (
    <pre className="max-h-48 min-w-0 overflow-y-auto whitespace-pre-wrap break-all rounded-md bg-surface/70 px-2.5 py-1.5 font-mono text-fg text-xs leading-relaxed ring-1 ring-line ring-inset">
      {children}
    </pre>
  );
}

function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value, null, 2);
}

function statusVariant(status: number): BadgeVariant {
  if (status < 300) return "success";
  if (status < 400) return "info";
  return "danger";
}
