"use client";

import { CircleCheck, CircleX, X } from "lucide-react";
import { formatDateTime } from "@/components/shared/format";
import { RelativeTime } from "@/components/shared/relative-time";
import { ScopeChips } from "@/components/shared/scope-chips";
import type { ActionFailure, TestAuthConfigResult } from "@/lib/auth-configs/contract";
import { cn } from "@/lib/utils/cn";

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
  return (
    <section
      aria-label="Test result"
      className={cn(
        "relative rounded-lg border px-4 py-3.5",
        outcome.ok
          ? "border-success-text/20 bg-success-subtle"
          : "border-danger-text/20 bg-danger-subtle",
      )}
    >
      <button
        type="button"
        onClick={onDismiss}
        aria-label="Dismiss test result"
        className="absolute top-2.5 right-2.5 inline-flex size-7 items-center justify-center rounded-md text-fg-subtle transition-colors hover:bg-fg/5 hover:text-fg focus-visible:outline-2 focus-visible:outline-accent"
      >
        <X className="size-4" aria-hidden="true" />
      </button>
      {outcome.ok ? (
        <>
          <div className="flex items-center gap-2 pr-8">
            <CircleCheck className="size-4 shrink-0 text-success-text" aria-hidden="true" />
            <h3 className="font-medium text-sm text-success-text">Token received</h3>
            <span className="text-fg-muted text-xs">
              · tested <RelativeTime date={outcome.testedAt} />
            </span>
          </div>
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
        </>
      ) : (
        <>
          <div className="flex flex-wrap items-center gap-2 pr-8">
            <CircleX className="size-4 shrink-0 text-danger-text" aria-hidden="true" />
            <h3 className="font-medium text-danger-text text-sm">Token request failed</h3>
            <span className="text-fg-muted text-xs">
              · tested <RelativeTime date={outcome.testedAt} />
            </span>
          </div>
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
        </>
      )}
    </section>
  );
}
