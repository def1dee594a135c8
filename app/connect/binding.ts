import "server-only";
import type { OAuthDependencies } from "@/lib/integrations/oauth/types";
import type { Runtime } from "@/lib/runtime";

/**
 * The cookie that ties an OAuth flow to the browser that started it: random, HttpOnly, sent only
 * to /connect paths. The callback page reads it and completeAuthorization compares its hash.
 */
export const CONNECT_BINDING_COOKIE = "authdesk_connect_binding";

export function oauthDependencies(runtime: Runtime): OAuthDependencies {
  return {
    db: runtime.database.db,
    keyring: runtime.keyring,
    sandbox: runtime.sandbox,
    allowPrivateUrls: runtime.env.AUTHDESK_ALLOW_PRIVATE_TOKEN_URLS,
  };
}
