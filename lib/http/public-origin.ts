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
