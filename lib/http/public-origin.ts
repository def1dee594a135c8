import { PROTOCOL_HEADER } from "./request-context";

/**
 * The origin end users and providers reach Authdesk at, for the links and redirect URIs we hand
 * out: AUTHDESK_PUBLIC_URL when the operator set it, otherwise the origin of the request being
 * served (its Host, and the protocol server.ts determined). Behind a proxy that rewrites Host,
 * only AUTHDESK_PUBLIC_URL gives the right answer.
 */
export function publicOrigin(
  publicUrl: string | undefined,
  request: { host: string | null | undefined; get(name: string): string | null | undefined },
): string {
  if (publicUrl) return publicUrl;
  const protocol = request.get(PROTOCOL_HEADER) === "https" ? "https:" : "http:";
  return `${protocol}//${request.host ?? "localhost"}`;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * The origin an OAuth redirect URI may name, or null when this request cannot tell it safely.
 * A redirect URI says where a provider sends an end user's authorization code (and, for
 * OAUTH_DCR, is what Authdesk registers), so a Host header alone must never choose it: anyone
 * could send `Host: evil.example`. It is AUTHDESK_PUBLIC_URL when set; otherwise the server's own
 * listening address (http://HOST:PORT, or localhost for a loopback HOST), and only when the
 * request came to exactly that address, as on a developer's machine.
 */
export function trustedCallbackOrigin(
  config: { publicUrl: string | undefined; host: string; port: number },
  requestOrigin: string,
): string | null {
  if (config.publicUrl) return config.publicUrl;
  const listening = new Set([`http://${hostForUrl(config.host)}:${config.port}`]);
  if (LOOPBACK_HOSTS.has(config.host)) {
    for (const host of LOOPBACK_HOSTS) listening.add(`http://${hostForUrl(host)}:${config.port}`);
  }
  return listening.has(requestOrigin) ? requestOrigin : null;
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
