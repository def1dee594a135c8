import type { Metadata } from "next";
import { z } from "zod";
import { AuthConfigsView } from "@/components/auth-configs/auth-configs-view";
import { requireAdmin } from "@/lib/auth/session";
import {
  authConfigDetailOutput,
  authConfigIdSchema,
  authConfigListPageOutput,
} from "@/lib/auth-configs/contract";
import { getAuthConfig, listAuthConfigs } from "@/lib/auth-configs/service";
import { startRuntime } from "@/lib/runtime";

export const metadata: Metadata = { title: "Auth configs" };

/** `?id=` selects a config, so a detail can be linked and reloaded. */
const querySchema = z.object({
  id: z.string().max(200).optional().catch(undefined),
});

export default async function AuthConfigsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const { id } = querySchema.parse(await searchParams);
  const { env, database, keyring } = await startRuntime();
  // A malformed id cannot name a config: it is shown as "not found" without a query.
  const wellFormedId = id && authConfigIdSchema.safeParse(id).success ? id : undefined;
  // The first page only; the list asks for more as the admin goes. The selected config is read
  // on its own, so a link to one far down the list opens it all the same.
  const [firstPage, selected] = await Promise.all([
    listAuthConfigs(database.db),
    wellFormedId ? getAuthConfig(database.db, keyring, wellFormedId) : null,
  ]);
  return (
    <AuthConfigsView
      // Parsed through the allowlists, like every action result: only these fields are sent.
      initialPage={authConfigListPageOutput.parse(firstPage)}
      initialSelected={
        id ? { id, config: selected ? authConfigDetailOutput.parse(selected) : null } : null
      }
      allowPrivateTokenUrls={env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS}
    />
  );
}
