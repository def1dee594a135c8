import type { ActionFailure } from "@/lib/forms/action-result";
import type { AuthType, FieldType } from "./schema";

/**
 * What the hosted connect page's server and browser halves say to each other. Browser-safe:
 * no secrets, no console data. The problems are connect-sessions.ts's and oauth/flow.ts's,
 * spelled out here so client components need no server module.
 */

/** The OAuth callback page's path (oauth/flow.ts says the same, for the server). */
export const CALLBACK_PATH = "/connect/callback";

export type LinkProblem = "invalid" | "expired" | "spent" | "auth_changed";

export type CallbackProblem =
  | "invalid_state"
  | "expired_state"
  | "used_state"
  | "wrong_browser"
  | "auth_changed"
  | "link_spent"
  | "denied"
  | "exchange_failed";

/** What the page shows of a link: the integration and what the end user must provide. */
export interface ConnectPageModel {
  integrationName: string;
  authType: AuthType;
  fields: {
    slug: string;
    label: string;
    type: FieldType;
    description: string;
    placeholder: string | null;
    required: boolean;
  }[];
  oauthLabel: string | null;
}

/** The link stopped working while the page was open: show its page. */
export type LinkProblemAnswer = { ok: false; problem: LinkProblem; returnTo: string | null };

export type ConnectFormResult =
  /** `returnTo`: the app's return URL with connection_id; null shows our own success. */
  | { ok: true; returnTo: string | null }
  | LinkProblemAnswer
  /** Keyed "values.<slug>", as the console's forms key them. */
  | { ok: false; fieldErrors: Record<string, string> }
  /** The integration's test code refused the values; `reason` is its redacted `name: message`. */
  | { ok: false; testFailed: { reason: string } }
  | ActionFailure;

export type StartOAuthResult =
  | { ok: true; authorizationUrl: string }
  | LinkProblemAnswer
  | ActionFailure;
