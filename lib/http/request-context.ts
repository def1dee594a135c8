import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
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

/**
 * Which proxies in front of us are believed (AUTHDESK_TRUST_PROXY), as Express's `trust proxy`
 * and Fastify's `trustProxy` do: none, a number of hops, or the proxies' addresses and ranges.
 * Every proxy appends the address it received the request from to `X-Forwarded-For`, so only
 * the right-most entries were written by proxies we trust; whatever is left of them the client
 * wrote itself, and believing it would let a client pick a new address for every request.
 */
export type TrustProxy = false | { hops: number } | { proxies: string[] };

export const MAX_PROXY_HOPS = 10;

/** Parses the setting; a string naming the problem for a value that is none of the forms. */
export function parseTrustProxy(value: string): TrustProxy | string {
  if (value === "false") return false;
  if (value === "true") return { hops: 1 };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= MAX_PROXY_HOPS) return { hops };
    return `must be between 1 and ${MAX_PROXY_HOPS} hops`;
  }
  const proxies = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = proxies.find((entry) => !parseRange(entry));
  if (bad !== undefined || proxies.length === 0) {
    return `must be true, false, a number of proxy hops, or proxy addresses/CIDR ranges separated by commas${bad === undefined ? "" : ` ("${bad}" is none of them)`}`;
  }
  return { proxies };
}

function parseRange(entry: string): { address: string; prefix: number; family: 4 | 6 } | null {
  const [address = "", prefixText, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return null;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d*$/.test(prefixText ?? "") || !Number.isInteger(prefix) || prefix < 0 || prefix > bits)
    return null;
  return { address, prefix, family: family === 4 ? 4 : 6 };
}

/** Tells whether an address belongs to a trusted proxy. */
type IsTrusted = (address: string, hop: number) => boolean;

/** Built once per setting (server.ts passes the same object on every request). */
const policies = new WeakMap<Exclude<TrustProxy, false>, IsTrusted>();

function trustPolicy(trust: Exclude<TrustProxy, false>): IsTrusted {
  let policy = policies.get(trust);
  if (!policy) {
    policy = buildTrustPolicy(trust);
    policies.set(trust, policy);
  }
  return policy;
}

function buildTrustPolicy(trust: Exclude<TrustProxy, false>): IsTrusted {
  if ("hops" in trust) return (_address, hop) => hop < trust.hops;
  const list = new BlockList();
  for (const entry of trust.proxies) {
    const range = parseRange(entry);
    if (range) list.addSubnet(range.address, range.prefix, range.family === 4 ? "ipv4" : "ipv6");
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/** Forwarded headers are believed only from proxies the operator says are there. */
export function readRequestContext(req: IncomingMessage, trust: TrustProxy): RequestContext {
  const socketAddress = normaliseAddress(req.socket.remoteAddress ?? null);
  const tls = Boolean((req.socket as TLSSocket).encrypted);
  if (!trust || !socketAddress) return { clientAddress: socketAddress, https: tls };
  const isTrusted = trustPolicy(trust);
  // The chain as we received it: the client's claim first, the socket's peer last.
  const chain = [...listValues(req.headers["x-forwarded-for"]), socketAddress].map(
    (address) => normaliseAddress(address) ?? address,
  );
  // Trusted proxies from the right, the socket's peer first; the entry left of them is the
  // client (the left-most entry when every one is a trusted proxy, as Express does).
  let proxies = 0;
  while (proxies < chain.length && isTrusted(chain[chain.length - 1 - proxies] ?? "", proxies)) {
    proxies += 1;
  }
  if (proxies === 0) return { clientAddress: socketAddress, https: tls };
  return {
    clientAddress: chain[Math.max(0, chain.length - 1 - proxies)] ?? socketAddress,
    https: forwardedProtocol(listValues(req.headers["x-forwarded-proto"]), proxies) ?? tls,
  };
}

/**
 * Each trusted proxy that appends to `X-Forwarded-Proto` adds the protocol it was reached by, so
 * the outermost trusted proxy's entry, the client's protocol, is `hops` from the right. A proxy
 * that replaces the header leaves one entry, which is then the one to take.
 */
function forwardedProtocol(protocols: string[], hops: number): boolean | undefined {
  if (protocols.length === 0) return undefined;
  const protocol = protocols[Math.max(0, protocols.length - hops)]?.toLowerCase();
  return protocol === "https" ? true : protocol === "http" ? false : undefined;
}

/** A header's comma-separated entries, across repeated headers, in order. */
function listValues(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.flatMap((value) =>
    value
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean),
  );
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
