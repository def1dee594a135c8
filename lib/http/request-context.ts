import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

/**
 * Headers server.ts sets on every request it forwards, after removing any a client sent, so
 * pages and handlers can trust them. Next's `headers()` does not expose the socket.
 */
export const CLIENT_ADDRESS_HEADER = "x-authdesk-client-address";
export const PROTOCOL_HEADER = "x-authdesk-protocol";
export const PATH_HEADER = "x-authdesk-path";

export interface RequestContext {
  clientAddress: string | null;
  https: boolean;
}

/** Forwarded headers are believed only behind a proxy the operator says is there. */
export function readRequestContext(req: IncomingMessage, trustProxy: boolean): RequestContext {
  const socketAddress = req.socket.remoteAddress ?? null;
  const tls = Boolean((req.socket as TLSSocket).encrypted);
  if (!trustProxy) return { clientAddress: normaliseAddress(socketAddress), https: tls };
  const forwardedFor = firstValue(req.headers["x-forwarded-for"]);
  const forwardedProto = firstValue(req.headers["x-forwarded-proto"]);
  return {
    clientAddress: normaliseAddress(forwardedFor ?? socketAddress),
    https: forwardedProto ? forwardedProto === "https" : tls,
  };
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() || undefined;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one client; count them as one. */
function normaliseAddress(address: string | null): string | null {
  if (!address) return null;
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}

export function setTrustedHeaders(req: IncomingMessage, context: RequestContext): void {
  req.headers[CLIENT_ADDRESS_HEADER] = context.clientAddress ?? "";
  req.headers[PROTOCOL_HEADER] = context.https ? "https" : "http";
  req.headers[PATH_HEADER] = req.url ?? "/";
}
