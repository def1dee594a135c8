import "server-only";
import type { Database } from "@/db/client";
import type { LinkProblem } from "./connect-contract";
import {
  endUserContext,
  openConnectSession,
  returnUrlWith,
  spendConnectSession,
} from "./connect-sessions";
import {
  type ConnectionDependencies,
  type CreateConnectionResult,
  createConnection,
} from "./connections";

/*
 * The hosted page's form, where a connect link meets a connection: it composes
 * connect-sessions.ts (the link) and connections.ts (the connection). It lives apart from both
 * because connections.ts spends links itself (storeOAuthConnection); were this in
 * connect-sessions.ts, the two modules would import each other.
 */

/** The link refused the connect; `problem` says why, as its page does. */
export type LinkRefusal = {
  ok: false;
  error: "link";
  problem: LinkProblem;
  /** The link's return URL, when the link was good enough to know it. */
  returnUrl: string | null;
};

export type ConnectWithLinkResult =
  | {
      ok: true;
      connectionId: string;
      /** The return URL with connection_id and status=connected; null shows our own page. */
      returnTo: string | null;
    }
  | LinkRefusal
  | Exclude<CreateConnectionResult, { ok: true }>;

/**
 * The hosted page's form: the end user's values for the link's integration, checked and tested
 * as POST …/connections does, and stored for the link's end user while the link is spent, in
 * one transaction. A link spent meanwhile (a second submission, another tab) or an auth type
 * changed since the link was made rolls the write back, so one link stores at most one connection.
 * A failed test spends nothing: the end user may correct the values and try again.
 */
export async function connectWithLink(
  db: Database,
  deps: ConnectionDependencies,
  input: { token: string; values: Record<string, string | number> },
  clientAddress: string | null,
): Promise<ConnectWithLinkResult> {
  const opened = await openConnectSession(db, input.token);
  if (!opened.ok) {
    return { ok: false, error: "link", problem: opened.problem, returnUrl: opened.returnUrl };
  }
  const session = opened.session;
  const refused = (problem: LinkProblem): LinkRefusal => ({
    ok: false,
    error: "link",
    problem,
    returnUrl: session.returnUrl,
  });
  const result = await createConnection<LinkRefusal>(
    db,
    deps,
    session.integrationId,
    { endUserId: session.endUserId, values: input.values },
    endUserContext(session, clientAddress),
    {
      onStore: async (tx, stored) => {
        if (stored.authVersion !== session.authVersion) return refused("auth_changed");
        if (await spendConnectSession(tx, session.id, stored.connection.id)) return null;
        return refused(session.expiresAt <= new Date() ? "expired" : "spent");
      },
    },
  );
  if (!result.ok) return result;
  return {
    ok: true,
    connectionId: result.connection.id,
    returnTo: returnUrlWith(session.returnUrl, {
      connection_id: result.connection.id,
      status: "connected",
    }),
  };
}
