import type { Metadata } from "next";
import { cache } from "react";
import { ConnectPanel } from "@/components/connect/connect-panel";
import { ProblemView } from "@/components/connect/problem-view";
import type { ConnectPageModel } from "@/lib/integrations/connect-contract";
import { openConnectSession, returnUrlWith } from "@/lib/integrations/connect-sessions";
import { startRuntime } from "@/lib/runtime";

/*
 * The hosted connect page: public (the link's token is the credential), outside the console's
 * layout, with its own strict CSP (lib/http/security-headers.ts). It shows the integration's name
 * and what the end user must provide, nothing else of Authdesk's data.
 */

type Props = { params: Promise<{ token: string }> };

/** One lookup per request, shared by the metadata and the page. */
const openLink = cache(async (token: string) => {
  const { database } = await startRuntime();
  return openConnectSession(database.db, token);
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const opened = await openLink((await params).token);
  return { title: opened.ok ? `Connect ${opened.session.integrationName}` : "Connect" };
}

export default async function ConnectPage({ params }: Props) {
  const { token } = await params;
  const opened = await openLink(token);
  if (!opened.ok) {
    return (
      <ProblemView
        problem={{ link: opened.problem }}
        returnTo={returnUrlWith(opened.returnUrl, { error: opened.problem })}
      />
    );
  }
  const { session } = opened;
  // Only what the page renders crosses to the browser: no ids, no end user, no return URL.
  const model: ConnectPageModel = {
    integrationName: session.integrationName,
    authType: session.authType,
    fields: session.fields.map(({ slug, label, type, description, placeholder, required }) => ({
      slug,
      label,
      type,
      description,
      placeholder,
      required,
    })),
    oauthLabel: session.oauthLabel,
  };
  return <ConnectPanel token={token} model={model} />;
}
