import { describe, expect, it, vi } from "vitest";
import { type AddressClass, checkEndpoint, classifyAddress, type ResolveHost } from "./ssrf-guard";

describe("classifyAddress", () => {
  it.each<[string, AddressClass]>([
    // Public: what a real token server has.
    ["93.184.216.34", "public"],
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["172.15.255.255", "public"],
    ["172.32.0.1", "public"],
    ["100.63.255.255", "public"],
    ["100.128.0.1", "public"],
    ["192.169.0.1", "public"],
    ["223.255.255.255", "public"],
    ["2606:2800:220:1::1", "public"],
    ["2a00:1450:4001:80b::200e", "public"],
    ["::ffff:93.184.216.34", "public"],
    ["64:ff9b::808:808", "public"],
    ["2002:5db8:d822::1", "public"],
    // IPv4 special ranges.
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["169.254.0.1", "link_local"],
    ["169.254.169.254", "metadata"],
    ["100.100.100.200", "metadata"],
    ["192.0.0.192", "metadata"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.1", "reserved"],
    ["198.18.0.1", "reserved"],
    // IPv6 special ranges.
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link_local"],
    ["fe80::1%eth0", "link_local"],
    ["febf::1", "link_local"],
    ["fc00::1", "unique_local"],
    ["fd12:3456::1", "unique_local"],
    ["fd00:ec2::254", "metadata"],
    ["ff02::1", "multicast"],
    ["fec0::1", "private"],
    ["2001:db8::1", "reserved"],
    ["2001:0:4136:e378::1", "reserved"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    // IPv4 inside IPv6 is judged as the IPv4 address it reaches.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["0:0:0:0:0:ffff:7f00:1", "loopback"],
    ["[::ffff:7f00:1]", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["::ffff:0.0.0.0", "unspecified"],
    ["::127.0.0.1", "loopback"],
    ["::7f00:1", "loopback"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "metadata"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::1", "loopback"],
    ["2002:c0a8:101::1", "private"],
    // Not addresses at all.
    ["localhost", "invalid"],
    ["2130706433", "invalid"],
    ["0x7f000001", "invalid"],
    ["0177.0.0.1", "invalid"],
    ["", "invalid"],
  ])("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe("checkEndpoint", () => {
  const publicResolver: ResolveHost = async () => [{ address: "93.184.216.34", family: 4 }];
  const guarded = (resolveHost: ResolveHost = publicResolver) => ({
    allowPrivate: false,
    resolveHost,
    resolveTimeoutMs: 1_000,
  });

  it("accepts a public https host and pins the resolved addresses", async () => {
    const resolveHost = vi.fn(publicResolver);
    const result = await checkEndpoint(
      "https://auth.example.com/oauth/token",
      guarded(resolveHost),
    );
    expect(result).toMatchObject({
      ok: true,
      endpoint: { host: "auth.example.com", addresses: [{ address: "93.184.216.34", family: 4 }] },
    });
    expect(resolveHost).toHaveBeenCalledWith("auth.example.com");
  });

  it.each([
    ["https://2130706433/", "loopback"],
    ["https://0x7f000001/", "loopback"],
    ["https://0177.0.0.1/", "loopback"],
    ["https://127.1/", "loopback"],
    ["https://%31%32%37.0.0.1/", "loopback"],
    ["https://[::ffff:127.0.0.1]/", "loopback"],
    ["https://[::ffff:7f00:1]/", "loopback"],
    ["https://[::1]/", "loopback"],
    ["https://0/", "unspecified"],
    ["https://[fd00:ec2::254]/", "metadata"],
    ["https://169.254.169.254/latest/meta-data", "metadata"],
    ["https://10.1.2.3/", "private"],
  ])("refuses %s (%s) without resolving anything", async (url, verdict) => {
    // WHATWG URL parsing has already normalised the numeric forms into dotted quads.
    const resolveHost = vi.fn(publicResolver);
    const result = await checkEndpoint(url, guarded(resolveHost));
    expect(result).toEqual({ ok: false, problem: { kind: "address", verdict } });
    expect(resolveHost).not.toHaveBeenCalled();
  });

  it("refuses a name when any of its addresses is not public", async () => {
    const mixed: ResolveHost = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.7", family: 4 },
    ];
    expect(await checkEndpoint("https://mixed.example.com/", guarded(mixed))).toEqual({
      ok: false,
      problem: { kind: "address", verdict: "private" },
    });
    const mappedLoopback: ResolveHost = async () => [{ address: "::ffff:127.0.0.1", family: 6 }];
    expect(await checkEndpoint("https://sneaky.example.com/", guarded(mappedLoopback))).toEqual({
      ok: false,
      problem: { kind: "address", verdict: "loopback" },
    });
  });

  it("refuses http, other schemes and junk while guarded", async () => {
    expect(await checkEndpoint("http://auth.example.com/token", guarded())).toEqual({
      ok: false,
      problem: { kind: "scheme", scheme: "http" },
    });
    expect(await checkEndpoint("ftp://auth.example.com/token", guarded())).toEqual({
      ok: false,
      problem: { kind: "scheme", scheme: "ftp" },
    });
    expect(await checkEndpoint("file:///etc/passwd", guarded())).toEqual({
      ok: false,
      problem: { kind: "scheme", scheme: "file" },
    });
    expect(await checkEndpoint("not a url", guarded())).toEqual({
      ok: false,
      problem: { kind: "invalid_url" },
    });
  });

  it("reports names that do not resolve, or resolve too slowly", async () => {
    const failing: ResolveHost = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await checkEndpoint("https://nowhere.example/", guarded(failing))).toEqual({
      ok: false,
      problem: { kind: "unresolvable", code: "ENOTFOUND" },
    });
    expect(
      await checkEndpoint(
        "https://nowhere.example/",
        guarded(async () => []),
      ),
    ).toEqual({
      ok: false,
      problem: { kind: "unresolvable", code: "ENOTFOUND" },
    });
    const hanging: ResolveHost = () => new Promise(() => {});
    const started = Date.now();
    const result = await checkEndpoint("https://slow.example/", {
      ...guarded(hanging),
      resolveTimeoutMs: 100,
    });
    expect(result).toEqual({ ok: false, problem: { kind: "resolve_timeout" } });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("allows private addresses and http only when private token URLs are allowed, still pinned", async () => {
    const loopback: ResolveHost = async () => [{ address: "127.0.0.1", family: 4 }];
    const result = await checkEndpoint("http://token.internal:8080/token", {
      allowPrivate: true,
      resolveHost: loopback,
      resolveTimeoutMs: 1_000,
    });
    expect(result).toMatchObject({
      ok: true,
      endpoint: { host: "token.internal", addresses: [{ address: "127.0.0.1", family: 4 }] },
    });
    expect(
      await checkEndpoint("ftp://token.internal/", {
        allowPrivate: true,
        resolveHost: loopback,
        resolveTimeoutMs: 1_000,
      }),
    ).toEqual({ ok: false, problem: { kind: "scheme", scheme: "ftp" } });
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data", undefined],
    ["http://[fd00:ec2::254]/", undefined],
    ["http://[::ffff:a9fe:a9fe]/", undefined],
    ["http://100.100.100.200/", undefined],
    ["http://metadata.internal/", "169.254.169.254"],
  ])(
    "refuses the cloud metadata service %s even when private addresses are allowed",
    async (url, resolved) => {
      const result = await checkEndpoint(url, {
        allowPrivate: true,
        resolveHost: async () => [{ address: resolved ?? "127.0.0.1", family: 4 }],
        resolveTimeoutMs: 1_000,
      });
      expect(result).toEqual({ ok: false, problem: { kind: "address", verdict: "metadata" } });
    },
  );
});
