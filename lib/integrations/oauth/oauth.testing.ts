/**
 * Helpers for the OAuth tests: an OAUTH or OAUTH_DCR integration configured through the real
 * auth update, and the dependencies the OAuth services take. Only *.test.ts files import this.
 */
import "server-only";
import { expect } from "vitest";
import type { Database } from "@/db/client";
import type { ChangeContext } from "@/lib/audit/service";
import type { Keyring } from "@/lib/crypto";
import type { Sandbox } from "@/lib/sandbox/types";
import { type UpdateAuthInput, updateAuthSchema } from "../schema";
import { createIntegration, updateIntegrationAuth } from "../service";
import type { OAuthDependencies } from "./types";

/** The redirect URI the hosted callback page would have; never fetched in service tests. */
export const REDIRECT_URI = "http://authdesk.test/connect/callback";

export function oauthDeps(db: Database, keyring: Keyring, sandbox: Sandbox): OAuthDependencies {
  return { db, keyring, sandbox, allowPrivateUrls: true };
}

export type OAuthClientBody = NonNullable<UpdateAuthInput["oauthClient"]>;

export async function createOAuthIntegration(
  db: Database,
  deps: { keyring: Keyring; sandbox: Sandbox },
  context: ChangeContext,
  authType: "OAUTH" | "OAUTH_DCR",
  oauthClient: Record<string, unknown>,
): Promise<string> {
  const created = await createIntegration(
    db,
    { name: `OAuth ${authType}`, description: "" },
    context,
  );
  await configure(db, deps, context, created.id, { authType, oauthClient });
  return created.id;
}

export async function configure(
  db: Database,
  deps: { keyring: Keyring; sandbox: Sandbox },
  context: ChangeContext,
  integrationId: string,
  body: unknown,
): Promise<void> {
  const input = updateAuthSchema({ allowPrivateUrls: true }).parse(body);
  const result = await updateIntegrationAuth(db, deps, integrationId, input, context);
  expect(result.ok).toBe(true);
}
