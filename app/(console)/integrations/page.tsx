import type { Metadata } from "next";
import { z } from "zod";
import { ConnectOriginProvider } from "@/components/integrations/connect-origin";
import { IntegrationsView } from "@/components/integrations/integrations-view";
import { requireAdmin } from "@/lib/auth/session";
import { requestPublicOrigin } from "@/lib/http/request-origin";
import { integrationDetailOutput, integrationListPageOutput } from "@/lib/integrations/contract";
import { integrationIdSchema } from "@/lib/integrations/schema";
import { getIntegration, listIntegrations } from "@/lib/integrations/service";
import { startRuntime } from "@/lib/runtime";

export const metadata: Metadata = { title: "Integrations" };

/** `?id=` selects an integration, so a detail can be linked and reloaded. */
const querySchema = z.object({
  id: z.string().max(200).optional().catch(undefined),
});

export default async function IntegrationsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const { id } = querySchema.parse(await searchParams);
  const { env, database } = await startRuntime();
  // A malformed id cannot name an integration: it is shown as "not found" without a query.
  const wellFormedId = id && integrationIdSchema.safeParse(id).success ? id : undefined;
  // The first page only; the list asks for more as the admin goes. The selected integration is
  // read on its own, so a link to one far down the list opens it all the same.
  const [firstPage, selected] = await Promise.all([
    listIntegrations(database.db),
    wellFormedId ? getIntegration(database.db, wellFormedId) : null,
  ]);
  const origin = await requestPublicOrigin(env.AUTHDESK_PUBLIC_URL);
  return (
    <ConnectOriginProvider origin={origin}>
      <IntegrationsView
        // Parsed through the allowlists, like every action result: only these fields are sent.
        initialPage={integrationListPageOutput.parse(firstPage)}
        initialSelected={
          id ? { id, integration: selected ? integrationDetailOutput.parse(selected) : null } : null
        }
        allowPrivateUrls={env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS}
      />
    </ConnectOriginProvider>
  );
}
