import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ConnectedView } from "@/components/connect/connected-view";
import { ProblemView } from "@/components/connect/problem-view";
import { completeAuthorization } from "@/lib/integrations/oauth/flow";
import { CONNECT_BINDING_COOKIE, oauthDependencies } from "../binding";
import { connectRequest, logConnectFailure } from "../request";

export const metadata: Metadata = { title: "Connect" };

/**
 * Where the provider sends the browser back (`?code&state` or `?error&state`): a page, not an
 * /api or /oauth route, because those refuse browsers by design. No admin session; the state
 * (single use, ten minutes, bound to this browser's cookie) is the credential.
 */
export default async function ConnectCallbackPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const query = await searchParams;
  const one = (name: string) => {
    const value = query[name];
    return typeof value === "string" && value.length <= 4_096 ? value : null;
  };
  let result: Awaited<ReturnType<typeof completeAuthorization>>;
  try {
    const { runtime, clientAddress } = await connectRequest();
    result = await completeAuthorization(oauthDependencies(runtime), {
      state: one("state"),
      code: one("code"),
      error: one("error"),
      iss: one("iss"),
      browserBinding: (await cookies()).get(CONNECT_BINDING_COOKIE)?.value ?? null,
      clientAddress,
    });
  } catch (error) {
    logConnectFailure("complete an OAuth sign-in", error);
    return <ProblemView problem={{ callback: "exchange_failed" }} returnTo={null} />;
  }
  if (!result.ok)
    return <ProblemView problem={{ callback: result.problem }} returnTo={result.returnTo} />;
  // Outside the try: redirect() works by throwing.
  if (result.returnTo) redirect(result.returnTo);
  return <ConnectedView integrationName={result.integrationName} />;
}
