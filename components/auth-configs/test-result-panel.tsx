"use client";

import { formatDateTime } from "@/components/shared/format";
import { OutcomePanel } from "@/components/shared/outcome-panel";
import { RelativeTime } from "@/components/shared/relative-time";
import { ScopeChips } from "@/components/shared/scope-chips";
import type { ActionFailure, TestAuthConfigResult } from "@/lib/auth-configs/contract";

export type TestOutcome = Exclude<TestAuthConfigResult, ActionFailure> & { testedAt: Date };

/**
 * The outcome of a Test, inline in the detail: what the token server granted, or its typed error
 * in plain words. The access token itself is never sent to the browser, so it cannot appear here.
 */
export function TestResultPanel({
  outcome,
  requestedScope,
  onDismiss,
}: {
  outcome: TestOutcome;
  requestedScope: string;
  onDismiss: () => void;
}) {
  const tested = (
    <>
      · tested <RelativeTime date={outcome.testedAt} />
    </>
  );
  if (outcome.ok) {
    return (
      <OutcomePanel ok title="Token received" note={tested} onDismiss={onDismiss}>
        <dl className="mt-3 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[auto_minmax(0,1fr)]">
          <dt className="text-fg-muted">Token type</dt>
          <dd className="font-mono text-fg">{outcome.tokenType}</dd>
          <dt className="text-fg-muted">Granted scope</dt>
          <dd>
            {outcome.scope ? (
              <ScopeChips scope={outcome.scope} />
            ) : (
              <span className="text-fg-muted">
                Not stated by the token server (so, as requested:{" "}
                <span className="font-mono text-fg">{requestedScope}</span>)
              </span>
            )}
          </dd>
          <dt className="text-fg-muted">Expires</dt>
          <dd className="text-fg">
            <RelativeTime date={outcome.expiresAt} />{" "}
            <span className="text-fg-muted">({formatDateTime(outcome.expiresAt)})</span>
          </dd>
        </dl>
        <p className="mt-3 text-fg-muted text-xs">
          The token is cached for API calls that use this config; it is never shown here.
        </p>
      </OutcomePanel>
    );
  }
  return (
    <OutcomePanel
      ok={false}
      // Nothing was asked of the token server: the fault is in our own storage.
      title={
        outcome.code === "config_unreadable"
          ? "Stored credentials cannot be read"
          : "Token request failed"
      }
      note={tested}
      onDismiss={onDismiss}
    >
      <p className="mt-2 text-fg text-sm leading-relaxed">{outcome.message}</p>
      <dl className="mt-3 flex flex-wrap gap-x-5 gap-y-1.5 text-xs">
        <div className="flex items-center gap-1.5">
          <dt className="text-fg-muted">Error code</dt>
          <dd className="font-mono text-fg">{outcome.code}</dd>
        </div>
        {outcome.oauthError ? (
          <div className="flex items-center gap-1.5">
            <dt className="text-fg-muted">OAuth error</dt>
            <dd className="font-mono text-fg">{outcome.oauthError}</dd>
          </div>
        ) : null}
        {outcome.status ? (
          <div className="flex items-center gap-1.5">
            <dt className="text-fg-muted">HTTP status</dt>
            <dd className="font-mono text-fg">{outcome.status}</dd>
          </div>
        ) : null}
      </dl>
    </OutcomePanel>
  );
}
