import "server-only";
import { promises as dns } from "node:dns";
import { isIP } from "node:net";

/**
 * Where an outbound request may go. Someone else chooses the URL (an admin's token URL, an
 * integration's test code), but the request leaves from inside our network, so a URL that reaches
 * loopback, a private range or a cloud metadata service would let them probe and call internal
 * services. Every address the host resolves to is checked, and the connection then goes to a
 * checked address only, so a DNS answer that changes between the check and the connect
 * (rebinding) cannot slip past.
 */

export type AddressClass =
  | "public"
  | "loopback"
  | "unspecified"
  | "private"
  | "shared"
  | "link_local"
  | "unique_local"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "metadata"
  | "invalid";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;

export const defaultResolveHost: ResolveHost = async (hostname) => {
  const answers = await dns.lookup(hostname, { all: true, verbatim: true });
  return answers.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

type Range<T> = readonly [base: T, prefixLength: number, verdict: AddressClass];

// Order matters: the first matching range wins, so the specific metadata addresses come before
// the wider ranges that contain them.
const IPV4_RANGES: readonly Range<string>[] = [
  ["169.254.169.254", 32, "metadata"], // AWS, GCP, Azure, OpenStack…
  ["100.100.100.200", 32, "metadata"], // Alibaba Cloud
  ["192.0.0.192", 32, "metadata"], // Oracle Cloud
  ["255.255.255.255", 32, "broadcast"],
  ["0.0.0.0", 8, "unspecified"], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared"], // carrier-grade NAT
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link_local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments
  ["192.0.2.0", 24, "reserved"], // documentation
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["198.51.100.0", 24, "reserved"], // documentation
  ["203.0.113.0", 24, "reserved"], // documentation
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const IPV6_RANGES: readonly Range<string>[] = [
  ["fd00:ec2::254", 128, "metadata"], // AWS over IPv6
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["64:ff9b:1::", 48, "private"], // local-use NAT64
  ["100::", 64, "reserved"], // discard-only
  ["2001::", 32, "reserved"], // Teredo: the real endpoint hides behind a relay
  ["2001:db8::", 32, "reserved"], // documentation
  ["fc00::", 7, "unique_local"],
  ["fe80::", 10, "link_local"],
  ["fec0::", 10, "private"], // deprecated site-local
  ["ff00::", 8, "multicast"],
];

/** IPv6 ranges that carry an IPv4 address in their low 32 bits; that address is what is reached. */
const EMBEDDED_IPV4_RANGES: readonly [base: string, prefixLength: number][] = [
  ["::ffff:0:0", 96], // IPv4-mapped
  ["64:ff9b::", 96], // NAT64
  ["::", 96], // IPv4-compatible (deprecated, but some stacks still route it)
];

const parsedV4 = IPV4_RANGES.map(([base, length, verdict]) => ({
  base: parseIpv4(base) as number,
  mask: length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0,
  verdict,
}));
const parsedV6 = IPV6_RANGES.map(([base, length, verdict]) => ({
  base: parseIpv6(base) as bigint,
  mask: v6Mask(length),
  verdict,
}));
const parsedEmbedded = EMBEDDED_IPV4_RANGES.map(([base, length]) => ({
  base: parseIpv6(base) as bigint,
  mask: v6Mask(length),
}));
const SIX_TO_FOUR = { base: parseIpv6("2002::") as bigint, mask: v6Mask(16) };
const GLOBAL_UNICAST = { base: parseIpv6("2000::") as bigint, mask: v6Mask(3) };

/** What kind of address this is; only "public" may be reached unless private addresses are allowed. */
export function classifyAddress(address: string): AddressClass {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return classifyIpv4(v4);
  // A zone index (fe80::1%eth0) only says which interface; the address decides.
  const v6 = parseIpv6(bare.replace(/%.*$/, ""));
  if (v6 === undefined) return "invalid";
  return classifyIpv6(v6);
}

function classifyIpv4(value: number): AddressClass {
  for (const range of parsedV4) {
    if ((value & range.mask) >>> 0 === range.base) return range.verdict;
  }
  return "public";
}

function classifyIpv6(value: bigint): AddressClass {
  // Exact ::, ::1 and the metadata address come first: they sit inside ::/96 and fc00::/7.
  for (const range of parsedV6.slice(0, 3)) {
    if ((value & range.mask) === range.base) return range.verdict;
  }
  for (const range of parsedEmbedded) {
    if ((value & range.mask) === range.base) return classifyIpv4(Number(value & 0xffffffffn));
  }
  if ((value & SIX_TO_FOUR.mask) === SIX_TO_FOUR.base) {
    return classifyIpv4(Number((value >> 80n) & 0xffffffffn));
  }
  for (const range of parsedV6.slice(3)) {
    if ((value & range.mask) === range.base) return range.verdict;
  }
  // Everything outside 2000::/3 is unassigned or special-purpose: nothing a public server uses.
  if ((value & GLOBAL_UNICAST.mask) !== GLOBAL_UNICAST.base) return "reserved";
  return "public";
}

/** Strict dotted-quad only; the WHATWG URL parser has already turned `2130706433` into this. */
function parseIpv4(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  const parts = text.split(".").map(Number);
  return (
    (((parts[0] as number) << 24) |
      ((parts[1] as number) << 16) |
      ((parts[2] as number) << 8) |
      (parts[3] as number)) >>>
    0
  );
}

function parseIpv6(text: string): bigint | undefined {
  if (isIP(text) !== 6) return undefined;
  let source = text.toLowerCase();
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (tail) {
    const v4 = parseIpv4(tail[1] as string);
    if (v4 === undefined) return undefined;
    source = `${source.slice(0, tail.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = "", rest] = source.split("::") as [string, string | undefined];
  const headGroups = head ? head.split(":") : [];
  const restGroups = rest ? rest.split(":") : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(missing).fill("0"), ...restGroups];
  if (groups.length !== 8) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function v6Mask(prefixLength: number): bigint {
  const all = (1n << 128n) - 1n;
  return prefixLength === 0 ? 0n : (all << BigInt(128 - prefixLength)) & all;
}

export type EndpointProblem =
  | { kind: "invalid_url" }
  | { kind: "scheme"; scheme: string }
  | { kind: "address"; verdict: Exclude<AddressClass, "public"> }
  | { kind: "unresolvable"; code: string | undefined }
  | { kind: "resolve_timeout" };

export interface CheckedEndpoint {
  url: URL;
  /** The hostname for net/tls: brackets stripped from IPv6 literals. */
  host: string;
  /** Every address the host resolved to, all of them checked; the request connects to these only. */
  addresses: ResolvedAddress[];
}

export interface EndpointCheckOptions {
  /**
   * Lets loopback, private, link-local and the other non-public classes through, and plain http
   * (for tests and labs). Cloud metadata addresses stay refused: nothing legitimate lives there,
   * and they hand out the host's own cloud credentials.
   */
  allowPrivate: boolean;
  resolveHost: ResolveHost;
  /** How long resolution may take before the endpoint counts as unreachable. */
  resolveTimeoutMs: number;
}

/**
 * Parses, resolves and checks a URL. Refuses (without connecting anywhere) when any address is not
 * public, unless private addresses are allowed, in which case the addresses are still pinned so
 * the request goes where the check looked. Metadata addresses are refused either way.
 */
export async function checkEndpoint(
  target: string | URL,
  options: EndpointCheckOptions,
): Promise<{ ok: true; endpoint: CheckedEndpoint } | { ok: false; problem: EndpointProblem }> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, problem: { kind: "invalid_url" } };
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && options.allowPrivate)) {
    return { ok: false, problem: { kind: "scheme", scheme: url.protocol.replace(/:$/, "") } };
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (!host) return { ok: false, problem: { kind: "invalid_url" } };

  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    const resolved = await resolveWithin(options.resolveHost, host, options.resolveTimeoutMs);
    if (!resolved.ok) return { ok: false, problem: resolved.problem };
    addresses = resolved.addresses;
  }
  if (addresses.length === 0)
    return { ok: false, problem: { kind: "unresolvable", code: "ENOTFOUND" } };
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (verdict === "invalid")
      return { ok: false, problem: { kind: "unresolvable", code: "EINVAL" } };
    if (verdict !== "public" && (verdict === "metadata" || !options.allowPrivate)) {
      return { ok: false, problem: { kind: "address", verdict } };
    }
  }
  return { ok: true, endpoint: { url, host, addresses } };
}

async function resolveWithin(
  resolveHost: ResolveHost,
  host: string,
  timeoutMs: number,
): Promise<{ ok: true; addresses: ResolvedAddress[] } | { ok: false; problem: EndpointProblem }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const result = await Promise.race([resolveHost(host), timeout]);
    if (result === "timeout") return { ok: false, problem: { kind: "resolve_timeout" } };
    return { ok: true, addresses: result };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return {
      ok: false,
      problem: { kind: "unresolvable", code: typeof code === "string" ? code : undefined },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Why an address class is refused, in words that name the class and never the address. */
export const ADDRESS_WORDS: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "its host is a loopback address",
  unspecified: "its host is an unspecified address",
  private: "its host is a private network address",
  shared: "its host is a carrier-grade NAT address",
  link_local: "its host is a link-local address",
  unique_local: "its host is a unique-local IPv6 address",
  multicast: "its host is a multicast address",
  broadcast: "its host is a broadcast address",
  reserved: "its host is a reserved address",
  metadata: "its host is a cloud metadata service",
  invalid: "its host resolved to an invalid address",
};
