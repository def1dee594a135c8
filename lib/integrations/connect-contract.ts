import type { ActionFailure } from "@/lib/forms/action-result";
import type { AuthType, FieldType } from "./schema";

/**
 * What the hosted connect page's server and browser halves say to each other. Browser-safe:
 * no secrets, no console data. connect-sessions.ts and oauth/flow.ts take their problems and
 * the callback path from here, so the server and the client components cannot drift apart.
 */

/** The OAuth callback page's path: the redirect URI's path, shown in the console too. */
export const CALLBACK_PATH = "/connect/callback";

/** Why a link does not work (connect-sessions.ts's openConnectSession). */
export type LinkProblem =
  /** No such link: never made, tampered with, or its integration was deleted. */
  | "invalid"
  | "expired"
  | "spent"
  /** The integration's auth type changed since the link was made. */
  | "auth_changed";

/** Why the OAuth callback stored nothing (oauth/flow.ts's completeAuthorization). */
export type CallbackProblem =
  /** Unknown or malformed state (never issued, tampered). */
  | "invalid_state"
  | "expired_state"
  /** Already used once (a replay, or the browser's back button). */
  | "used_state"
  /** The state was issued to another browser (its cookie does not match). */
  | "wrong_browser"
  /** The integration's auth configuration changed since the flow started; nothing was stored. */
  | "auth_changed"
  /** The connect link was spent or expired meanwhile. */
  | "link_spent"
  /** The provider sent an error instead of a code (e.g. the end user denied access). */
  | "denied"
  /** The code exchange failed. */
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
  /** The Connect button's label (the OAuth client's `label`), for OAuth types. */
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
