import type { Metadata } from "next";
import { z } from "zod";
import { ApiClientsView } from "@/components/api-clients/api-clients-view";
import {
  apiClientDetailOutput,
  apiClientIdSchema,
  apiClientListPageOutput,
} from "@/lib/api-clients/contract";
import { getApiClient, listApiClients } from "@/lib/api-clients/service";
import { apiGroupOutput } from "@/lib/api-groups/contract";
import { listApiGroups } from "@/lib/api-groups/service";
import { requireAdmin } from "@/lib/auth/session";
import { getDb } from "@/lib/runtime";
import { tillListPageOutput } from "@/lib/tills/contract";
import { listTills } from "@/lib/tills/service";

export const metadata: Metadata = { title: "API clients" };

/** `?id=` selects a client, so a detail can be linked and reloaded. */
const querySchema = z.object({
  id: z.string().max(200).optional().catch(undefined),
});

export default async function ApiClientsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const { id } = querySchema.parse(await searchParams);
  const db = await getDb();
  // A malformed id cannot name a client: it is shown as "not found" without a query.
  const wellFormedId = id && apiClientIdSchema.safeParse(id).success ? id : undefined;
  // The first page only; the list asks for more as the admin goes. The selected client is read
  // on its own, so a link to one far down the list opens it all the same.
  const [firstPage, selected, tills, groups] = await Promise.all([
    listApiClients(db),
    wellFormedId ? getApiClient(db, wellFormedId) : null,
    listTills(db),
    listApiGroups(db),
  ]);
  return (
    <ApiClientsView
      // Parsed through the allowlists, like every action result: only these fields are sent.
      initialPage={apiClientListPageOutput.parse(firstPage)}
      initialSelected={
        id ? { id, client: selected ? apiClientDetailOutput.parse(selected) : null } : null
      }
      initialTills={tillListPageOutput.parse(tills)}
      initialGroups={z.array(apiGroupOutput).parse(groups)}
    />
  );
}
