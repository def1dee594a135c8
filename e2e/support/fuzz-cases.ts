import type { Picker, RawRequest } from "./fuzz";

/**
 * What the fuzz sends: junk aimed at what each path decodes. Programs' paths parse JSON, forms,
 * Basic and Bearer credentials; people's paths take Next's router headers and server action
 * bodies (real action ids, so the junk reaches the decoder and our actions, not the
 * "unknown action" branch).
 */

export interface FuzzTargets {
  /** Real server action ids from the build's server-reference-manifest.json, with their page. */
  actions: Array<{ id: string; path: string }>;
  /** A signed-in admin's Cookie header, sent with some requests. */
  sessionCookie: string;
  origin: string;
}

const PROGRAM_PATHS = [
  "/api/health",
  "/api/openapi.json",
  "/api/v1/auth-configs/example/token",
  "/api/integrations/v1/things",
  "/api/integrations/v1/int_0000/connect-sessions",
  "/oauth/token",
  "/oauth/introspect",
  "/oauth/revoke",
  "/.well-known/oauth-authorization-server",
  "/.well-known/openid-configuration",
  "/api/nope",
];

const PAGE_PATHS = [
  "/",
  "/login",
  "/setup",
  "/auth-configs",
  "/api-clients",
  "/integrations",
  "/settings",
  "/audit",
  "/docs",
  "/connect/not-a-token",
  "/connect/callback",
  "/nope",
  "/_next/static/nope.js",
  "/icon.svg",
  "/favicon.ico",
];

const METHODS = ["GET", "GET", "POST", "POST", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"];
const ODD_METHODS = ["TRACE", "PROPFIND", "get", "M-SEARCH", "BREW", "CONNECT"];

const CONTENT_TYPES = [
  "application/json",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzzboundary",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "text/x-component",
  "application/octet-stream",
  "application/json; charset=utf-16",
  "*/*",
  ";;;",
];

/** React reply tags, valid and not, for action bodies. */
const REPLY_STRINGS = [
  "$F1",
  "$h1",
  "$@1",
  "$Q1",
  "$K1",
  "$B1",
  "$W1",
  "$1",
  "$0:0",
  "$0:9:x",
  "$T",
  "$R1",
  "$X1",
  "$A1",
  "$n12x",
  "$n123",
  "$D2020-01-01T00:00:00.000Z",
  "$undefined",
  "$Infinity",
  "$-0",
  "$$x",
  "$",
  "$ACTION_ID_x",
];

const ROUTER_STATES = [
  "%%",
  "%ff%fe",
  "[[[[",
  "[]",
  "[1]",
  '["",{}]',
  encodeURIComponent('["",{"children":["__PAGE__",{}]},null,"refetch"]'),
  encodeURIComponent('[["id","x","q",null],{}]'),
  encodeURIComponent(`${"[".repeat(3000)}${"]".repeat(3000)}`),
  "x".repeat(50_000),
];

export function fuzzRequest(pick: Picker, targets: FuzzTargets): RawRequest {
  const program = pick.chance(0.35);
  const action = !program && pick.chance(0.45) ? pick.one(targets.actions) : null;
  const method = action ? "POST" : pick.chance(0.04) ? pick.one(ODD_METHODS) : pick.one(METHODS);
  const path = action?.path ?? pick.one(program ? PROGRAM_PATHS : PAGE_PATHS);
  const headers: Array<[string, string]> = [];
  if (pick.chance(0.5)) headers.push(["Cookie", `authdesk_session=${targets.sessionCookie}`]);
  else if (pick.chance(0.1)) headers.push(["Cookie", `authdesk_session=${pick.junk(40)}`]);
  if (action) headers.push(["Next-Action", pick.chance(0.9) ? action.id : pick.junk(42)]);
  else if (pick.chance(0.05)) headers.push(["Next-Action", pick.junk(42)]);
  if (pick.chance(0.7)) headers.push(["Content-Type", pick.one(CONTENT_TYPES)]);
  if (!program && pick.chance(0.3)) headers.push(["RSC", pick.chance(0.8) ? "1" : pick.junk(3)]);
  if (!program && pick.chance(0.2))
    headers.push(["Next-Router-State-Tree", pick.one(ROUTER_STATES)]);
  if (!program && pick.chance(0.05)) headers.push(["Next-Router-Prefetch", pick.junk(3)]);
  if (!program && pick.chance(0.05)) headers.push(["Next-Router-Segment-Prefetch", pick.junk(20)]);
  if (!program && pick.chance(0.05)) headers.push(["Next-Url", pick.junk(20)]);
  if (pick.chance(0.3)) headers.push(["Origin", pickOrigin(pick, targets.origin)]);
  if (pick.chance(0.2)) headers.push(["Authorization", pickAuthorization(pick)]);
  if (pick.chance(0.1)) headers.push(["X-Forwarded-For", pick.junk(30)]);
  if (pick.chance(0.1)) headers.push(["X-Forwarded-Proto", pick.one(["https", "http", "ftp", ""])]);
  if (pick.chance(0.05)) headers.push(["X-Forwarded-Host", pick.junk(20)]);
  if (pick.chance(0.05)) headers.push(["Accept", pick.one(["text/x-component", "*/*", ";q=x"])]);
  if (pick.chance(0.03)) headers.push(["Content-Encoding", pick.one(["gzip", "br", "junk"])]);
  if (pick.chance(0.03)) headers.push(["Range", `bytes=${pick.junk(10)}`]);
  if (pick.chance(0.02)) headers.push(["Expect", "100-continue"]);
  const body = method === "GET" || method === "HEAD" ? pickEmptyish(pick) : pickBody(pick, headers);
  return { method, target: path + pickSuffix(pick), headers, body };
}

function pickOrigin(pick: Picker, origin: string): string {
  return pick.one([origin, origin, "null", "http://evil.example", "::::", pick.junk(20)]);
}

function pickAuthorization(pick: Picker): string {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
  return pick.one([
    basic(`${pick.junk(10)}:${pick.junk(10)}`),
    basic(pick.junk(20)),
    `Basic ${pick.junk(20)}`,
    `Bearer ${pick.junk(40)}`,
    `Bearer ${"a".repeat(8_000)}`,
    pick.junk(30),
  ]);
}

function pickSuffix(pick: Picker): string {
  if (pick.chance(0.6)) return "";
  return pick.one([
    `?${pick.junk(30).replace(/[\s#]/g, "")}`,
    "?_rsc=x",
    "/%ff%fe",
    "/%%",
    "/..%2f..%2fetc%2fpasswd",
    "//x",
    `/${encodeURIComponent(pick.junk(20))}`,
    `?q=${"%".repeat(pick.int(5))}`,
  ]);
}

function pickEmptyish(pick: Picker): Buffer {
  return pick.chance(0.9) ? Buffer.alloc(0) : Buffer.from(pick.junk(50));
}

function pickBody(pick: Picker, headers: Array<[string, string]>): Buffer {
  const contentType = headers.find(([name]) => name === "Content-Type")?.[1] ?? "";
  if (contentType.startsWith("multipart") && pick.chance(0.8)) return multipartBody(pick);
  switch (pick.int(7)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return Buffer.from(pick.junk(200));
    case 2:
      return Buffer.from(JSON.stringify(jsonJunk(pick, 0)));
    case 3:
      return Buffer.from(JSON.stringify(replyJunk(pick)));
    case 4:
      return Buffer.from(`${"[".repeat(pick.int(20_000))}1`);
    case 5:
      return Buffer.from(
        `grant_type=${pick.junk(20)}&client_id=${pick.junk(10)}&token=${pick.junk(10)}`,
      );
    default:
      // Now and then one over the 1 MB action limit.
      return pick.chance(0.05) ? Buffer.alloc(1_100_000, 0x5b) : Buffer.from(pick.junk(2_000));
  }
}

/** Arguments in React's reply format with junk tags: what a hand-made action call sends. */
function replyJunk(pick: Picker): unknown {
  const args: unknown[] = [];
  for (let count = pick.int(4); count > 0; count--) {
    args.push(pick.chance(0.5) ? pick.one(REPLY_STRINGS) : jsonJunk(pick, 0));
  }
  return pick.chance(0.9) ? args : pick.one(REPLY_STRINGS);
}

function jsonJunk(pick: Picker, depth: number): unknown {
  const kind = depth > 4 ? pick.int(4) : pick.int(7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return pick.int(1e6) - 5e5;
    case 2:
      return pick.chance(0.5) ? pick.junk(20) : pick.one(REPLY_STRINGS);
    case 3:
      return pick.chance(0.5);
    case 4:
    case 5: {
      const object: Record<string, unknown> = {};
      for (let count = pick.int(4); count > 0; count--) {
        const key = pick.one(["cursor", "q", "search", "after", "id", "email", "__proto__", "x"]);
        object[key] = jsonJunk(pick, depth + 1);
      }
      return object;
    }
    default:
      return Array.from({ length: pick.int(4) }, () => jsonJunk(pick, depth + 1));
  }
}

/** Mostly well-framed multipart with junk fields; sometimes broken framing. */
function multipartBody(pick: Picker): Buffer {
  if (pick.chance(0.2)) return Buffer.from(`--fuzzboundary\r\n${pick.junk(100)}`);
  const parts: string[] = [];
  for (let count = pick.int(4) + 1; count > 0; count--) {
    const name = pick.one([
      "0",
      "1",
      "2",
      "_1_email",
      "$ACTION_REF_1",
      "$ACTION_1:0",
      "$ACTION_ID_x",
    ]);
    const file = pick.chance(0.2) ? `; filename="${pick.junk(8).replace(/["\r\n]/g, "")}"` : "";
    const value = pick.chance(0.6) ? JSON.stringify(replyJunk(pick)) : pick.junk(40);
    parts.push(
      `--fuzzboundary\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n${value}\r\n`,
    );
  }
  return Buffer.from(`${parts.join("")}--fuzzboundary--\r\n`);
}
