"use client";

import { CircleX, LoaderCircle, Plug } from "lucide-react";
import { type FormEvent, useId, useState } from "react";
import { connectWithValuesAction, startOAuthAction } from "@/app/connect/actions";
import { Button } from "@/components/ui/button";
import type { ConnectPageModel, LinkProblemAnswer } from "@/lib/integrations/connect-contract";
import { checkConnectionValues, OAUTH_AUTH_TYPES } from "@/lib/integrations/schema";
import { FieldValueInputs } from "../integrations/field-value-inputs";
import { ConnectCard } from "./connect-card";
import { ConnectedView } from "./connected-view";
import { ProblemView } from "./problem-view";

const UNREACHABLE = "We could not reach the server. Check your connection and try again.";

type Outcome =
  | { kind: "form" }
  | { kind: "connected" }
  /** On the way to the app's return URL, or to the service's sign-in page. */
  | { kind: "leaving"; message: string }
  | { kind: "problem"; answer: LinkProblemAnswer };

/**
 * The link's page once it opened: the form generated from the auth fields (or one button for
 * NONE, or the OAuth Connect button), and what follows in place. The values live in this
 * component's state only; the server never sends them back.
 */
export function ConnectPanel({ token, model }: { token: string; model: ConnectPageModel }) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "form" });
  const leave = (url: string, message: string) => {
    setOutcome({ kind: "leaving", message });
    window.location.assign(url);
  };

  switch (outcome.kind) {
    case "connected":
      return <ConnectedView integrationName={model.integrationName} />;
    case "problem":
      return (
        <ProblemView
          problem={{ link: outcome.answer.problem }}
          returnTo={outcome.answer.returnTo}
        />
      );
    case "leaving":
      return (
        <ConnectCard
          eyebrow={model.integrationName}
          title={outcome.message}
          icon={<LoaderCircle className="animate-spin" />}
        />
      );
    default:
      return (
        <ConnectCard
          icon={<Plug />}
          title={`Connect ${model.integrationName}`}
          description={<p>{introFor(model)}</p>}
        >
          {OAUTH_AUTH_TYPES.includes(model.authType) ? (
            <OAuthConnect
              token={token}
              model={model}
              onLeave={(url) => leave(url, `Taking you to ${model.integrationName}…`)}
              onProblem={(answer) => setOutcome({ kind: "problem", answer })}
            />
          ) : (
            <FieldsForm
              token={token}
              model={model}
              onConnected={(returnTo) =>
                returnTo
                  ? leave(returnTo, "Connected. Taking you back…")
                  : setOutcome({ kind: "connected" })
              }
              onProblem={(answer) => setOutcome({ kind: "problem", answer })}
            />
          )}
        </ConnectCard>
      );
  }
}

function introFor(model: ConnectPageModel): string {
  if (OAUTH_AUTH_TYPES.includes(model.authType)) {
    return `Sign in at ${model.integrationName} to give the app that sent you here access. Your password stays with ${model.integrationName}.`;
  }
  if (model.fields.length === 0) {
    return `Turn on ${model.integrationName} for the app that sent you here. It needs no credentials.`;
  }
  return `Enter your details for ${model.integrationName}. They are checked with the service, then stored encrypted; the app that sent you here never sees them.`;
}

function FieldsForm({
  token,
  model,
  onConnected,
  onProblem,
}: {
  token: string;
  model: ConnectPageModel;
  onConnected: (returnTo: string | null) => void;
  onProblem: (answer: LinkProblemAnswer) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<{ title: string; reason?: string; next?: string } | null>(
    null,
  );
  const [pending, setPending] = useState(false);
  const failureId = useId();
  const fields = model.fields;

  /** After a refusal, secrets are typed again rather than kept in the page. */
  const forgetPasswords = () =>
    setValues((current) =>
      Object.fromEntries(
        Object.entries(current).filter(
          ([slug]) => fields.find((field) => field.slug === slug)?.type !== "PASSWORD",
        ),
      ),
    );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFailure(null);
    // The server's own check, run here first to spare a round trip for a blank field.
    const checked = checkConnectionValues(fields, values);
    if (!checked.ok) {
      setErrors(
        Object.fromEntries(
          Object.entries(checked.errors).map(([slug, m]) => [`values.${slug}`, m]),
        ),
      );
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const answer = await connectWithValuesAction(token, values);
      if (answer.ok) return onConnected(answer.returnTo);
      if ("problem" in answer) return onProblem(answer);
      forgetPasswords();
      if ("fieldErrors" in answer) setErrors(answer.fieldErrors);
      else if ("testFailed" in answer) {
        setFailure({
          title:
            fields.length > 0
              ? `${model.integrationName} did not accept these details`
              : `${model.integrationName} could not be turned on`,
          reason: answer.testFailed.reason || undefined,
          next: fields.length > 0 ? "Check them and try again." : "Try again in a few minutes.",
        });
      } else setFailure({ title: answer.formError });
    } catch {
      setFailure({ title: UNREACHABLE });
    } finally {
      setPending(false);
    }
  }

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={`Connect ${model.integrationName}`}
      aria-describedby={failure ? failureId : undefined}
      className="grid gap-5"
    >
      {fields.length > 0 ? (
        <FieldValueInputs
          fields={fields}
          values={values}
          errors={errors}
          onChange={(slug, value) => {
            setValues((current) => ({ ...current, [slug]: value }));
            setErrors(({ [`values.${slug}`]: _, ...rest }) => rest);
          }}
        />
      ) : null}
      <div id={failureId} aria-live="polite">
        {failure ? <Failure {...failure} /> : null}
      </div>
      <Button type="submit" pending={pending} className="w-full">
        {fields.length === 0 ? `Enable ${model.integrationName}` : "Connect"}
      </Button>
    </form>
  );
}

function OAuthConnect({
  token,
  model,
  onLeave,
  onProblem,
}: {
  token: string;
  model: ConnectPageModel;
  onLeave: (url: string) => void;
  onProblem: (answer: LinkProblemAnswer) => void;
}) {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function start() {
    setFailure(null);
    setPending(true);
    try {
      const answer = await startOAuthAction(token);
      if (answer.ok) return onLeave(answer.authorizationUrl);
      if ("problem" in answer) return onProblem(answer);
      setFailure(answer.formError);
    } catch {
      setFailure(UNREACHABLE);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="grid gap-5">
      <div aria-live="polite">{failure ? <Failure title={failure} /> : null}</div>
      <Button type="button" pending={pending} onClick={start} className="w-full">
        {model.oauthLabel || `Connect with ${model.integrationName}`}
      </Button>
    </div>
  );
}

function Failure({ title, reason, next }: { title: string; reason?: string; next?: string }) {
  return (
    <div
      role="alert"
      className="flex gap-2.5 rounded-lg border border-danger-text/20 bg-danger-subtle px-3 py-2.5 text-sm"
    >
      <CircleX className="mt-0.5 size-4 shrink-0 text-danger-text" aria-hidden="true" />
      <div className="grid min-w-0 gap-1">
        <p className="font-medium text-danger-text">{title}</p>
        {reason ? (
          <p className="break-words text-fg-muted">
            The service said: <span className="font-mono text-xs">{reason}</span>
          </p>
        ) : null}
        {next ? <p className="text-fg-muted">{next}</p> : null}
      </div>
    </div>
  );
}
