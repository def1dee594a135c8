import "server-only";
import type { z } from "zod";
import type { Executor } from "@/db/client";
import { apiGroups } from "@/db/schema";
import { allScopes } from "./client-scopes";
import type { AuthorizationServerMetadataSchema } from "./schema";

export const OAUTH_PATHS = {
  token: "/oauth/token",
  introspection: "/oauth/introspect",
  revocation: "/oauth/revoke",
  metadata: "/.well-known/oauth-authorization-server",
} as const;

const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"];

/**
 * RFC 8414 authorization server metadata. The issuer is an origin (scheme, host, port) with no
 * path, so every endpoint sits at its root and the metadata at the well-known path of RFC 8414
 * §3. There is no authorization endpoint (client credentials only), so the response types are
 * the empty list.
 */
export async function authorizationServerMetadata(
  executor: Executor,
  issuer: string,
): Promise<z.input<typeof AuthorizationServerMetadataSchema>> {
  const groups = await executor.select({ slug: apiGroups.slug }).from(apiGroups);
  return {
    issuer,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    introspection_endpoint: `${issuer}${OAUTH_PATHS.introspection}`,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revocation}`,
    grant_types_supported: ["client_credentials"],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    scopes_supported: allScopes(groups.map((group) => group.slug)),
  };
}
