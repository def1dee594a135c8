import { eq, sql } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import { queryRows } from "@/db/client";
import { apiClients, rateLimitCounters, revokedAccessTokens } from "@/db/schema";
import { createLastUsedRecorder, type LastUsedRecorder } from "@/lib/api-auth/last-used";
import {
  deleteApiClient,
  expirePreviousSecret,
  registerApiClient,
  revokeApiClientTokens,
  rollApiClientSecret,
} from "@/lib/api-clients/service";
import { createApiGroup, deleteApiGroup } from "@/lib/api-groups/service";
import { insertTestAdmin } from "@/lib/auth-configs/token-broker.testing";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { createAccessTokenSigner } from "@/lib/oauth/access-tokens";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { countRoundTrips, type RoundTripCounter } from "@/lib/testing/round-trips";
import {
  type ApiServer,
  basicHeader,
  clientSecretBasicHeader,
  form,
  insertClient,
  insertTill,
  requestFrom,
  startApiServer,
  TEST_KEYRING,
  type TestClient,
  type TestTill,
} from "./api.testing";

/** `:`, `+`, `%`, a space and RFC 3986's sub-delims: wrong form-urlencoding would break Basic. */
const AWKWARD_SECRET = "s3cr:et+50%off and (more)!*'~";
const LIMITS = {
  perPair: 3,
  perAddress: 6,
  perSubject: 4,
  perPairUnderAttack: 1,
  windowSeconds: 300,
};
const insecure = { [oauth.allowInsecureRequests]: true } as const;
const ENDED_COUNTER_SWEEP = /^delete from "rate_limit_counters"/;

/** Statements are counted at the driver, to show unknown and known clients cost the same. */
describe.each(testDrivers)("OAuth 2.0 endpoints on %s", (driver) => {
  let handle: DatabaseHandle;
  let db: Database;
  let roundTrips: RoundTripCounter;
  let lastUsed: LastUsedRecorder;
  let server: ApiServer;
  let till: TestTill;
  let reader: TestClient;
  let awkward: TestClient;
  let as: oauth.AuthorizationServer;

  const post = (path: string, init: { headers?: Record<string, string>; body?: string }) =>
    fetch(`${server.url}${path}`, { method: "POST", ...init });

  async function tokenFor(client: TestClient, params: Record<string, string> = {}) {
    const response = await post("/oauth/token", {
      ...form({ grant_type: "client_credentials", ...params }),
      headers: {
        ...form({}).headers,
        authorization: clientSecretBasicHeader(client.clientKey, client.secret),
      },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** Every table's rows, as text keyed by table name. */
  async function everyTable() {
    const tables = await queryRows<{ name: string }>(
      db,
      sql`select table_name as name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const dump: Record<string, { rows: number; text: string }> = {};
    for (const { name } of tables) {
      const rows = await queryRows(db, sql`select * from ${sql.identifier(name)}`);
      dump[name] = { rows: rows.length, text: JSON.stringify(rows) };
    }
    return dump;
  }

  /** A client-credentials grant made and checked by oauth4webapi. */
  async function grantWith(
    clientKey: string,
    auth: oauth.ClientAuth,
    params: Record<string, string> = {},
  ) {
    const client: oauth.Client = { client_id: clientKey };
    return oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(
        as,
        client,
        auth,
        new URLSearchParams(params),
        insecure,
      ),
    );
  }

  async function bearer(token: string) {
    // Any /api path that needs a caller answers 401 for a bad token before routing (404).
    return fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    db = handle.db;
    roundTrips = countRoundTrips(handle);
    lastUsed = createLastUsedRecorder(db);
    server = await startApiServer({ db, lastUsed, limits: { failures: LIMITS } });
    till = await insertTill(db);
    reader = await insertClient(db, {
      tillId: till.id,
      permissions: { all: "write", transaction: "read" },
      tokenTtlMinutes: 30,
    });
    awkward = await insertClient(db, {
      tillId: till.id,
      permissions: { all: "read" },
      secret: AWKWARD_SECRET,
    });
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...insecure }),
    );
  });

  afterAll(async () => {
    await server?.close();
    await lastUsed?.settle();
    await handle?.close();
  });

  beforeEach(async () => {
    await db.delete(rateLimitCounters);
  });

  describe("with oauth4webapi, a client library we did not write", () => {
    it("discovers the server's RFC 8414 metadata", () => {
      expect(as).toMatchObject({
        issuer: server.url,
        token_endpoint: `${server.url}/oauth/token`,
        introspection_endpoint: `${server.url}/oauth/introspect`,
        revocation_endpoint: `${server.url}/oauth/revoke`,
        grant_types_supported: ["client_credentials"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      });
      expect(as.scopes_supported).toEqual(
        expect.arrayContaining(["all:read", "all:write", "integrations:write", "INTEGRATION_API"]),
      );
    });

    it.each([
      ["client_secret_basic", oauth.ClientSecretBasic],
      ["client_secret_post", oauth.ClientSecretPost],
    ] as const)("gets, introspects and revokes a token with %s", async (_method, method) => {
      const client: oauth.Client = { client_id: reader.clientKey };
      const auth = method(reader.secret);
      const granted = await grantWith(reader.clientKey, auth);
      expect(granted).toMatchObject({
        token_type: "bearer",
        expires_in: 30 * 60,
        scope: "all:read all:write transaction:read",
      });
      expect(granted.refresh_token).toBeUndefined();

      const introspected = await oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, auth, granted.access_token, insecure),
      );
      expect(introspected).toMatchObject({
        active: true,
        client_id: reader.clientKey,
        sub: reader.clientKey,
        token_type: "Bearer",
        scope: "all:read all:write transaction:read",
      });
      expect((introspected.exp ?? 0) - (introspected.iat ?? 0)).toBe(30 * 60);

      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, auth, granted.access_token, insecure),
      );
      const after = await oauth.introspectionRequest(as, client, auth, granted.access_token, {
        ...insecure,
      });
      expect(await after.json()).toEqual({ active: false });
      expect((await bearer(granted.access_token)).status).toBe(401);
    });

    it("accepts a secret with ':', '+', '%' and spaces by both methods", async () => {
      for (const auth of [
        oauth.ClientSecretBasic(AWKWARD_SECRET),
        oauth.ClientSecretPost(AWKWARD_SECRET),
      ]) {
        const granted = await grantWith(awkward.clientKey, auth);
        expect(granted.scope).toBe("all:read");
      }
    });

    it("narrows the scope when asked, and refuses scopes beyond the client's", async () => {
      const client: oauth.Client = { client_id: reader.clientKey };
      const auth = oauth.ClientSecretBasic(reader.secret);
      const narrowed = await grantWith(reader.clientKey, auth, { scope: "all:read" });
      expect(narrowed.scope).toBe("all:read");
      const beyond = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        auth,
        new URLSearchParams({ scope: "all:read transaction:write" }),
        insecure,
      );
      expect(beyond.status).toBe(400);
      expect(await beyond.json()).toMatchObject({ error: "invalid_scope" });
    });
  });

  describe("token endpoint", () => {
    it("issues a signed token for the client's lifetime, stores nothing per token, and answers no-store", async () => {
      await lastUsed.settle();
      const before = await everyTable();
      const response = await post("/oauth/token", {
        ...form({
          grant_type: "client_credentials",
          client_id: reader.clientKey,
          client_secret: reader.secret,
        }),
      });
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
      const body = (await response.json()) as { access_token: string; expires_in: number };
      expect(body.access_token).toMatch(/^adk_at_[\w-]+\.[\w-]{43}$/);
      expect(body.expires_in).toBe(30 * 60);
      const claims = createAccessTokenSigner(TEST_KEYRING).verify(body.access_token);
      expect(claims).toMatchObject({
        clientId: reader.id,
        scope: "all:read all:write transaction:read",
      });
      expect((claims?.expiresAt ?? 0) - (claims?.issuedAt ?? 0)).toBe(30 * 60);
      // Issuing added no row anywhere, and no table holds the token or its id.
      await lastUsed.settle();
      const after = await everyTable();
      for (const [table, { rows, text }] of Object.entries(after)) {
        expect({ table, rows }).toEqual({ table, rows: before[table]?.rows });
        expect(text).not.toContain(body.access_token.split(".")[1]);
        expect(text).not.toContain(claims?.tokenId);
      }
    });

    it("refuses tokens it did not sign, altered ones and those under a key no longer held", async () => {
      const token = await tokenFor(reader);
      expect((await bearer(token)).status).toBe(404); // authenticated; there is no /api/v1/whoami
      const [signed = "", signature = ""] = token.split(".");
      const claims = JSON.parse(
        Buffer.from(signed.slice("adk_at_".length), "base64url").toString(),
      );
      const widened = `adk_at_${Buffer.from(JSON.stringify({ ...claims, s: "all:write integrations:write" })).toString("base64url")}`;
      const stranger = createAccessTokenSigner(parseKeyring(generateKeyEntry(1))).sign({
        clientId: reader.id,
        scope: "all:write",
        issuedAt: Math.floor(Date.now() / 1000),
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      }).token;
      for (const forged of [`${widened}.${signature}`, stranger, `${signed}.`, `${token}x`]) {
        const refused = await bearer(forged);
        expect({ forged, status: refused.status }).toEqual({ forged, status: 401 });
        expect(await refused.json()).toMatchObject({ error: "invalid_token" });
      }
    });

    it("refuses a client without permissions with invalid_scope", async () => {
      const nobody = await insertClient(db, { tillId: till.id });
      const response = await post("/oauth/token", {
        ...form({
          grant_type: "client_credentials",
          client_id: nobody.clientKey,
          client_secret: nobody.secret,
        }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_scope" });
    });

    it("gives a wrong secret and an unknown client the same 401 invalid_client", async () => {
      const wrong = await post("/oauth/token", {
        ...form({ grant_type: "client_credentials" }),
        headers: {
          ...form({}).headers,
          authorization: clientSecretBasicHeader(reader.clientKey, `${reader.secret}x`),
        },
      });
      const unknown = await post("/oauth/token", {
        ...form({ grant_type: "client_credentials" }),
        headers: {
          ...form({}).headers,
          authorization: clientSecretBasicHeader("adk_ck_nobody", reader.secret),
        },
      });
      for (const response of [wrong, unknown]) {
        expect(response.status).toBe(401);
        expect(response.headers.get("www-authenticate")).toBe(
          'Basic realm="authdesk", charset="UTF-8"',
        );
      }
      expect(await wrong.text()).toBe(await unknown.text());
    });

    it("does the same database work for an unknown client as for a wrong secret", async () => {
      /** The statements one failed attempt sends, counted at the driver. */
      const statementsFor = async (clientId: string) => {
        roundTrips.reset();
        const response = await post("/oauth/token", {
          ...form({ grant_type: "client_credentials", client_id: clientId, client_secret: "x" }),
        });
        expect(response.status).toBe(401);
        await response.text();
        // The occasional background sweep of ended counters is housekeeping, not the attempt's.
        return roundTrips.statements().filter((statement) => !ENDED_COUNTER_SWEEP.test(statement));
      };
      const unknown = await statementsFor("adk_ck_nobody");
      const wrong = await statementsFor(reader.clientKey);
      // The prepared lookup (client, permissions and counters in one statement), then the write.
      expect(wrong).toEqual([
        expect.stringMatching(
          /"api_clients"[\s\S]*"rate_limit_counters"|"rate_limit_counters"[\s\S]*"api_clients"/,
        ),
        expect.stringMatching(/^insert into "rate_limit_counters"/),
      ]);
      expect(unknown).toEqual(wrong);
    });

    it("answers malformed requests with RFC 6749 errors, never a 500", async () => {
      const basic = clientSecretBasicHeader(reader.clientKey, reader.secret);
      const cases: [string, RequestInit, number, string][] = [
        [
          "JSON body",
          {
            headers: { "content-type": "application/json", authorization: basic },
            body: JSON.stringify({ grant_type: "client_credentials" }),
          },
          400,
          "invalid_request",
        ],
        [
          "empty body, no content type",
          { headers: { authorization: basic } },
          400,
          "invalid_request",
        ],
        [
          "empty form",
          { headers: { ...form({}).headers, authorization: basic }, body: "" },
          400,
          "invalid_request",
        ],
        [
          "duplicate parameter",
          {
            headers: { ...form({}).headers, authorization: basic },
            body: "grant_type=client_credentials&grant_type=client_credentials",
          },
          400,
          "invalid_request",
        ],
        [
          "other grant type",
          { headers: { ...form({}).headers, authorization: basic }, body: "grant_type=password" },
          400,
          "unsupported_grant_type",
        ],
        [
          "both Basic and client_secret",
          {
            headers: { ...form({}).headers, authorization: basic },
            body: `grant_type=client_credentials&client_secret=${reader.secret}`,
          },
          400,
          "invalid_request",
        ],
        [
          "no client authentication",
          form({ grant_type: "client_credentials", client_id: reader.clientKey }),
          401,
          "invalid_client",
        ],
        [
          "Basic !!!",
          {
            headers: { ...form({}).headers, authorization: "Basic !!!" },
            body: "grant_type=client_credentials",
          },
          400,
          "invalid_request",
        ],
        [
          "Basic without a colon",
          {
            headers: { ...form({}).headers, authorization: `Basic ${btoa("nocolon")}` },
            body: "grant_type=client_credentials",
          },
          400,
          "invalid_request",
        ],
        [
          "Basic with broken percent-encoding",
          {
            headers: { ...form({}).headers, authorization: basicHeader(reader.clientKey, "%zz") },
            body: "grant_type=client_credentials",
          },
          400,
          "invalid_request",
        ],
        [
          "a Bearer header",
          {
            headers: { ...form({}).headers, authorization: "Bearer abc" },
            body: "grant_type=client_credentials",
          },
          401,
          "invalid_client",
        ],
        [
          "malformed scope",
          {
            headers: { ...form({}).headers, authorization: basic },
            body: 'grant_type=client_credentials&scope=all:read%20"quoted"',
          },
          400,
          "invalid_scope",
        ],
        [
          "broken percent-encoding in the body",
          {
            headers: { ...form({}).headers, authorization: basic },
            body: "grant_type=%E0%A4%A&%%%",
          },
          400,
          "unsupported_grant_type",
        ],
        [
          "a NUL in client_id",
          form({ grant_type: "client_credentials", client_id: "a\0b", client_secret: "s" }),
          400,
          "invalid_request",
        ],
        [
          "a NUL in the Basic secret",
          {
            headers: { ...form({}).headers, authorization: basicHeader(reader.clientKey, "%00") },
            body: "grant_type=client_credentials",
          },
          400,
          "invalid_request",
        ],
        [
          "a client_id of 12,000 characters",
          form({
            grant_type: "client_credentials",
            client_id: "c".repeat(12_000),
            client_secret: "s",
          }),
          401,
          "invalid_client",
        ],
        [
          "a body over 16 KiB",
          {
            headers: { ...form({}).headers, authorization: basic },
            body: `grant_type=client_credentials&pad=${"x".repeat(17 * 1024)}`,
          },
          413,
          "invalid_request",
        ],
      ];
      for (const [name, init, status, error] of cases) {
        const response = await post("/oauth/token", init as never);
        expect({ name, status: response.status }).toEqual({ name, status });
        expect({ name, body: await response.json() }).toMatchObject({ name, body: { error } });
      }
      // Without Content-Length (chunked), the body is counted as it arrives.
      const chunked = await fetch(`${server.url}/oauth/token`, {
        method: "POST",
        headers: { ...form({}).headers, authorization: basic },
        body: new Blob([`grant_type=client_credentials&pad=${"x".repeat(17 * 1024)}`]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
    });

    it("answers other methods with 405 and browsers with 403", async () => {
      const get = await fetch(`${server.url}/oauth/token`);
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST");
      const browserHeaders: Record<string, string>[] = [
        { origin: "https://evil.example" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const header of browserHeaders) {
        const response = await post("/oauth/token", {
          ...form({
            grant_type: "client_credentials",
            client_id: reader.clientKey,
            client_secret: reader.secret,
          }),
          headers: { ...form({}).headers, ...header },
        });
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ error: "invalid_request" });
        expect(
          [...response.headers.keys()].some((name) => name.startsWith("access-control-")),
        ).toBe(false);
      }
    });

    it("records the client's last use without waiting for the write", async () => {
      await db.update(apiClients).set({ lastUsedAt: null }).where(eq(apiClients.id, awkward.id));
      const recorder = createLastUsedRecorder(db);
      const own = await startApiServer({ db, lastUsed: recorder });
      try {
        const response = await fetch(`${own.url}/oauth/token`, {
          method: "POST",
          ...form({
            grant_type: "client_credentials",
            client_id: awkward.clientKey,
            client_secret: AWKWARD_SECRET,
          }),
        });
        expect(response.status).toBe(200);
        await recorder.settle();
        const [row] = await db.select().from(apiClients).where(eq(apiClients.id, awkward.id));
        expect(row?.lastUsedAt).toBeInstanceOf(Date);
      } finally {
        await own.close();
      }
    });
  });

  describe("throttling failed client authentication", () => {
    const attempt = (clientId: string, secret: string) =>
      post("/oauth/token", {
        ...form({ grant_type: "client_credentials" }),
        headers: { ...form({}).headers, authorization: clientSecretBasicHeader(clientId, secret) },
      });

    it("answers 429 with Retry-After to an address after its failures for one client id, even to the right secret", async () => {
      for (let index = 0; index < LIMITS.perPair; index++) {
        expect((await attempt(reader.clientKey, "wrong")).status).toBe(401);
      }
      const throttled = await attempt(reader.clientKey, reader.secret);
      expect(throttled.status).toBe(429);
      const retryAfter = Number(throttled.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(LIMITS.windowSeconds);
      expect(await throttled.json()).toMatchObject({ error: "invalid_client" });
      const [counter] = await db
        .select()
        .from(rateLimitCounters)
        .where(
          eq(rateLimitCounters.key, `auth-failure:client-address:127.0.0.1:${reader.clientKey}`),
        );
      // The refused attempt is counted too: trying on while throttled backs off further.
      expect(counter?.count).toBe(LIMITS.perPair + 1);

      // Other clients from the same address are not yet affected; after the window, all is well.
      expect((await attempt(awkward.clientKey, AWKWARD_SECRET)).status).toBe(200);
      await db.update(rateLimitCounters).set({ windowEndsAt: new Date(Date.now() - 1000) });
      expect((await attempt(reader.clientKey, reader.secret)).status).toBe(200);
    });

    it("throttles one address guessing across many client ids", async () => {
      for (let index = 0; index < LIMITS.perAddress; index++) {
        expect((await attempt(`adk_ck_guess${index}`, "guess")).status).toBe(401);
      }
      const throttled = await attempt(reader.clientKey, reader.secret);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get("retry-after")).toMatch(/^\d+$/);
    });

    /** A token request from a loopback address of its own: a client elsewhere on the network. */
    const tokenFrom = (address: string, clientId: string, secret: string) =>
      requestFrom(address, `${server.url}/oauth/token`, {
        headers: { ...form({}).headers, authorization: clientSecretBasicHeader(clientId, secret) },
        body: form({ grant_type: "client_credentials" }).body,
      });

    it("gives the owner a token from another address while strangers attack the client id", async () => {
      // One stranger hammers the client id, another joins from a second address.
      for (let index = 0; index < LIMITS.perSubject + 4; index++) {
        const status = (await tokenFrom("127.0.0.2", reader.clientKey, `guess-${index}`)).status;
        expect(status).toBe(index < LIMITS.perPair ? 401 : 429);
      }
      expect((await tokenFrom("127.0.0.3", reader.clientKey, "guess")).status).toBe(401);
      // The client id is under attack: the strangers' addresses are refused, the owner is not.
      expect((await tokenFrom("127.0.0.3", reader.clientKey, "guess")).status).toBe(429);
      const owner = await tokenFrom("127.0.0.4", reader.clientKey, reader.secret);
      expect(owner.status).toBe(200);
      expect(JSON.parse(owner.body)).toMatchObject({ token_type: "Bearer" });
      // Even the right secret is refused from the hammering address: it cannot tell it is the owner.
      expect((await tokenFrom("127.0.0.2", reader.clientKey, reader.secret)).status).toBe(429);
    });

    it("lets a till's owner in over Basic from another address while strangers attack its code", async () => {
      const whoami = (address: string, password: string) =>
        requestFrom(address, `${server.url}/api/v1/whoami`, {
          method: "GET",
          headers: { authorization: basicHeader(till.code, password) },
        });
      for (let index = 0; index < LIMITS.perSubject + 2; index++) {
        const status = (await whoami("127.0.0.2", `guess-${index}`)).status;
        expect(status).toBe(index < LIMITS.perPair ? 401 : 429);
      }
      expect((await whoami("127.0.0.3", "guess")).status).toBe(401);
      expect((await whoami("127.0.0.3", till.password)).status).toBe(429);
      // Through authentication to routing: the path is not there, the caller was let in.
      expect((await whoami("127.0.0.4", till.password)).status).toBe(404);
      expect((await whoami("127.0.0.2", till.password)).status).toBe(429);
    });
  });

  describe("introspection and revocation", () => {
    /** The introspection answer `caller` gets for `token`, as text. */
    async function introspectAs(caller: TestClient, token: string) {
      const response = await post("/oauth/introspect", {
        ...form({ token, token_type_hint: "access_token" }),
        headers: {
          ...form({}).headers,
          authorization: clientSecretBasicHeader(caller.clientKey, caller.secret),
        },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      return response.text();
    }

    it("reports only the caller's own live tokens as active", async () => {
      const own = await tokenFor(reader);
      const others = await tokenFor(awkward);
      const introspect = (token: string) => introspectAs(reader, token);
      expect(JSON.parse(await introspect(own))).toMatchObject({ active: true });
      expect(await introspect(others)).toBe('{"active":false}');
      expect(await introspect("not-a-token")).toBe('{"active":false}');
      expect(await introspect(`${own.slice(0, -1)}x`)).toBe('{"active":false}');

      // Expiry is judged by the database's clock: a token that ran out a second ago is dead.
      const expired = createAccessTokenSigner(TEST_KEYRING).sign({
        clientId: reader.id,
        scope: "all:read",
        issuedAt: Math.floor(Date.now() / 1000) - 600,
        expiresAt: Math.floor(Date.now() / 1000) - 1,
      }).token;
      expect(await introspect(expired)).toBe('{"active":false}');
      expect(await (await bearer(expired)).json()).toMatchObject({ error: "invalid_token" });
    });

    it("requires client authentication and a token parameter", async () => {
      const anonymous = await post("/oauth/introspect", form({ token: "x" }));
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: "invalid_client" });
      const missing = await post("/oauth/revoke", {
        ...form({}),
        headers: {
          ...form({}).headers,
          authorization: clientSecretBasicHeader(reader.clientKey, reader.secret),
        },
      });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ error: "invalid_request" });
    });

    it("answers 200 for unknown and other clients' tokens, revoking neither", async () => {
      const others = await tokenFor(awkward);
      for (const token of [others, "unknown-token"]) {
        const response = await post("/oauth/revoke", {
          ...form({ token, token_type_hint: "refresh_token" }),
          headers: {
            ...form({}).headers,
            authorization: clientSecretBasicHeader(reader.clientKey, reader.secret),
          },
        });
        expect(response.status).toBe(200);
      }
      const revoked = await db.select().from(revokedAccessTokens);
      expect(revoked.filter((row) => row.clientId === awkward.id)).toEqual([]);
      expect((await bearer(others)).status).toBe(404); // still live
    });

    it("serves a client registered and deleted through the console's service", async () => {
      const admin = await insertTestAdmin(db);
      const context = { actor: { type: "admin" as const, ...admin }, clientAddress: null };
      const registered = await registerApiClient(
        db,
        {
          name: "Registered",
          description: undefined,
          tokenTtlMinutes: 15,
          tillId: till.id,
          permissions: { grp_integrations: "write", grp_all: "none" },
        },
        context,
      );
      if (!registered.ok) throw new Error(registered.error);
      const granted = await grantWith(
        registered.clientKey,
        oauth.ClientSecretBasic(registered.clientSecret),
      );
      expect(granted).toMatchObject({
        expires_in: 15 * 60,
        scope: "INTEGRATION_API integrations:read integrations:write",
      });
      await deleteApiClient(db, registered.client.id, context);
      expect(await (await bearer(granted.access_token)).json()).toMatchObject({
        error: "invalid_token",
      });
    });

    it("drops a deleted group's scopes from live tokens at once", async () => {
      const admin = await insertTestAdmin(db);
      const context = { actor: { type: "admin" as const, ...admin }, clientAddress: null };
      const created = await createApiGroup(db, { slug: "reports", name: "Reports" }, context);
      if (!created.ok) throw new Error(created.error);
      const holder = await insertClient(db, {
        tillId: till.id,
        permissions: { all: "read", reports: "write" },
      });
      const token = await tokenFor(holder);
      const scopesOf = async () =>
        (JSON.parse(await introspectAs(holder, token)) as { scope?: string }).scope;
      expect(await scopesOf()).toBe("all:read reports:read reports:write");
      await deleteApiGroup(db, created.group.id, context);
      expect(await scopesOf()).toBe("all:read");
    });

    it("stops a deleted client's tokens and credentials at once", async () => {
      const doomed = await insertClient(db, { tillId: till.id, permissions: { all: "read" } });
      const token = await tokenFor(doomed);
      expect((await bearer(token)).status).toBe(404); // authenticated; there is no /api/v1/whoami
      await db.delete(apiClients).where(eq(apiClients.id, doomed.id));
      const refused = await bearer(token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: "invalid_token" });
      const again = await post("/oauth/token", {
        ...form({
          grant_type: "client_credentials",
          client_id: doomed.clientKey,
          client_secret: doomed.secret,
        }),
      });
      expect(again.status).toBe(401);
    });
  });
  describe("rolling a client's secret and revoking its tokens", () => {
    async function consoleClient() {
      const admin = await insertTestAdmin(db);
      const context = { actor: { type: "admin" as const, ...admin }, clientAddress: null };
      const registered = await registerApiClient(
        db,
        {
          name: `Rolled ${Math.random()}`,
          description: undefined,
          tokenTtlMinutes: 60,
          tillId: till.id,
          permissions: { grp_all: "read" },
        },
        context,
      );
      if (!registered.ok) throw new Error(registered.error);
      return { ...registered, context };
    }

    /** The status of a client-credentials grant as oauth4webapi sends it, by each method. */
    async function grantStatuses(clientKey: string, secret: string) {
      const statuses: number[] = [];
      for (const auth of [oauth.ClientSecretBasic(secret), oauth.ClientSecretPost(secret)]) {
        const response = await oauth.clientCredentialsGrantRequest(
          as,
          { client_id: clientKey },
          auth,
          new URLSearchParams(),
          insecure,
        );
        statuses.push(response.status);
      }
      return statuses;
    }

    it("a roll with a 1-hour grace period accepts both secrets and, after cutting it short, only the new one", async () => {
      const { client, clientKey, clientSecret: oldSecret, context } = await consoleClient();
      const before = await grantWith(clientKey, oauth.ClientSecretBasic(oldSecret));

      const rolled = await rollApiClientSecret(db, client.id, "1h", context);
      if (!rolled.ok) throw new Error(rolled.error);
      const newSecret = rolled.clientSecret;
      expect(await grantStatuses(clientKey, oldSecret)).toEqual([200, 200]);
      expect(await grantStatuses(clientKey, newSecret)).toEqual([200, 200]);
      // Introspection and revocation authenticate the client the same way.
      const underOld = await grantWith(clientKey, oauth.ClientSecretPost(oldSecret));
      const introspected = await oauth.processIntrospectionResponse(
        as,
        { client_id: clientKey },
        await oauth.introspectionRequest(
          as,
          { client_id: clientKey },
          oauth.ClientSecretBasic(oldSecret),
          underOld.access_token,
          insecure,
        ),
      );
      expect(introspected.active).toBe(true);

      const cut = await expirePreviousSecret(db, client.id, context);
      expect(cut.ok).toBe(true);
      expect(await grantStatuses(clientKey, oldSecret)).toEqual([401, 401]);
      expect(await grantStatuses(clientKey, newSecret)).toEqual([200, 200]);
      // Tokens never depended on the secret: those issued under the old one live on.
      for (const token of [before.access_token, underOld.access_token]) {
        expect((await bearer(token)).status).toBe(404); // authenticated; no /api/v1/whoami
      }
    });

    it("ends the old secret when the database's clock reaches its grace end", async () => {
      const { client, clientKey, clientSecret: oldSecret, context } = await consoleClient();
      const rolled = await rollApiClientSecret(db, client.id, "7d", context);
      if (!rolled.ok) throw new Error(rolled.error);
      expect(await grantStatuses(clientKey, oldSecret)).toEqual([200, 200]);
      await db.execute(
        sql`update api_clients set previous_secret_expires_at = now() - interval '1 second'
            where id = ${client.id}`,
      );
      expect(await grantStatuses(clientKey, oldSecret)).toEqual([401, 401]);
      expect(await grantStatuses(clientKey, rolled.clientSecret)).toEqual([200, 200]);
    });

    it("refuses the old secret at once after a roll without a grace period", async () => {
      const { client, clientKey, clientSecret: oldSecret, context } = await consoleClient();
      const rolled = await rollApiClientSecret(db, client.id, "none", context);
      if (!rolled.ok) throw new Error(rolled.error);
      expect(await grantStatuses(clientKey, oldSecret)).toEqual([401, 401]);
      expect(await grantStatuses(clientKey, rolled.clientSecret)).toEqual([200, 200]);
    });

    it("revoke-all refuses every live token and lets the next one through", async () => {
      const { client, clientKey, clientSecret, context } = await consoleClient();
      const auth = oauth.ClientSecretBasic(clientSecret);
      const live = [
        (await grantWith(clientKey, auth)).access_token,
        (await grantWith(clientKey, auth)).access_token,
      ];
      await revokeApiClientTokens(db, client.id, context);
      for (const token of live) {
        expect(await (await bearer(token)).json()).toMatchObject({ error: "invalid_token" });
      }
      const next = await grantWith(clientKey, auth);
      expect((await bearer(next.access_token)).status).toBe(404);
    });

    it("dates a new token after the last revocation, so one issued in its second works", async () => {
      const { client, clientKey, clientSecret } = await consoleClient();
      // Tokens carry whole seconds, so a token issued in the same second as a revocation, after
      // it, would look revoked. A test cannot hold the token request inside that second, so the
      // revocation is put a moment ahead of it, which the rule must treat the same way.
      await db.execute(
        sql`update api_clients set tokens_valid_after = now() + interval '1.5 seconds'
            where id = ${client.id}`,
      );
      const granted = await grantWith(clientKey, oauth.ClientSecretBasic(clientSecret));
      expect((await bearer(granted.access_token)).status).toBe(404);
    });
  });
});
