import { Clock, KeyRound, Link2Off, RefreshCw, ShieldAlert } from "lucide-react";
import type * as React from "react";
import { buttonVariants } from "@/components/ui/button";
import type { CallbackProblem, LinkProblem } from "@/lib/integrations/connect-contract";
import { ConnectCard } from "./connect-card";

type ProblemText = { title: string; body: string; icon: React.ReactNode; newLink: boolean };

const ASK = "Ask the app that sent you this link for a new one.";

const LINK_PROBLEMS: Record<LinkProblem, ProblemText> = {
  invalid: {
    title: "This link does not work",
    body: "It may be incomplete or mistyped, or what it was made for no longer exists.",
    icon: <Link2Off />,
    newLink: true,
  },
  expired: {
    title: "This link has expired",
    body: "Connect links work for 10 minutes after they are made, and this one is older.",
    icon: <Clock />,
    newLink: true,
  },
  spent: {
    title: "This link was already used",
    body: "Each connect link works once. If you connected with it a moment ago, you are all set and can close this page.",
    icon: <KeyRound />,
    newLink: true,
  },
  auth_changed: {
    title: "This link is out of date",
    body: "The way this service connects changed after the link was made, so the link no longer fits.",
    icon: <RefreshCw />,
    newLink: true,
  },
};

const CALLBACK_PROBLEMS: Record<CallbackProblem, ProblemText> = {
  invalid_state: {
    title: "This sign-in could not be completed",
    body: "The answer from the service does not belong to a sign-in started here.",
    icon: <ShieldAlert />,
    newLink: true,
  },
  expired_state: {
    title: "This sign-in took too long",
    body: "A sign-in must be finished within 10 minutes of pressing Connect, and before the link itself expires.",
    icon: <Clock />,
    newLink: true,
  },
  used_state: {
    title: "This sign-in was already completed",
    body: "If you connected a moment ago, you are all set and can close this page.",
    icon: <KeyRound />,
    newLink: false,
  },
  wrong_browser: {
    title: "Finish in the browser you started in",
    body: "This sign-in was started in another browser or profile, so it cannot be finished here. Open your connect link again in this browser.",
    icon: <ShieldAlert />,
    // The link itself may still work: reopening it here is the fix, not a new one.
    newLink: false,
  },
  auth_changed: LINK_PROBLEMS.auth_changed,
  link_spent: {
    title: "This link no longer works",
    body: "It was used or expired while you were signing in, so nothing was stored.",
    icon: <KeyRound />,
    newLink: true,
  },
  denied: {
    title: "Access was not granted",
    body: "The service says access was not granted, for example because the request was declined. Nothing was stored.",
    icon: <Link2Off />,
    newLink: true,
  },
  exchange_failed: {
    title: "The service did not complete the sign-in",
    body: "The service did not hand over access after you signed in. Nothing was stored. Try again in a few minutes.",
    icon: <ShieldAlert />,
    newLink: true,
  },
};

/** Why a link or a sign-in did not work, what to do, and the way back when we know it. */
export function ProblemView({
  problem,
  returnTo,
}: {
  problem: { link: LinkProblem } | { callback: CallbackProblem };
  /** The app's return URL with `error=…`; null when the link was not good enough to know it. */
  returnTo: string | null;
}) {
  const text =
    "link" in problem ? LINK_PROBLEMS[problem.link] : CALLBACK_PROBLEMS[problem.callback];
  return (
    <ConnectCard
      tone="problem"
      icon={text.icon}
      title={text.title}
      description={
        <>
          <p>{text.body}</p>
          {text.newLink ? <p>{ASK}</p> : null}
        </>
      }
    >
      {returnTo ? (
        <a
          href={returnTo}
          className={buttonVariants({ variant: "secondary", className: "w-full" })}
        >
          Back to the app
        </a>
      ) : null}
    </ConnectCard>
  );
}
