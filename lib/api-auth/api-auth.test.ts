import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import { apiClients, organizationSettings, rateLimitCounters } from "@/db/schema";
import {
  type ApiServer,
  accessTokenFor,
  basicHeader,
  clientSecretBasicHeader,
  insertClient,
  insertTill,
  startApiServer,
  type TestClient,
  type TestTill,
} from "@/lib/api/api.testing";
import type { TokenBroker } from "@/lib/auth-configs/token-broker";
import { insertTestAdmin, seedConfig, testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createLastUsedRecorder, type LastUsedRecorder } from "./last-used";

/** The route behind the middleware answers from this stub; its own tests use the real broker. */
const stubBroker: TokenBroker = {
  getAccessToken: async () => ({
    accessToken: "upstream-token",
    tokenType: "Bearer",
    expiresAt: new Date("2030-01-01T00:00:00Z"),
    scope: "api:read",
  }),
  forget: () => {},
  flushUsage: async () => {},
  close: async () => {},
};

const PATH = "/api/v1/auth-configs/payments/token";
const REQUESTS_PER_MINUTE = 5;

describe.each(testDrivers)("public API authentication on %s", (driver) => {
  let handle: DatabaseHandle;
  let db: Database;
  let server: ApiServer;
  let lastUsed: LastUsedRecorder;
  let till: TestTill;
  let allReader: TestClient;
  let transactionReader: TestClient;

  const call = (headers: Record<string, string> = {}, method = "POST") =>
    fetch(`${server.url}${PATH}`, { method, headers });

  const tokenFor = (client: TestClient) => accessTokenFor(server, client);

  async function expectProblem(
    response: Response,
    status: number,
    challenge: string | null,
    error?: string,
  ) {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toBe(challenge);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status, type: "about:blank" });
    expect(body.error).toBe(error);
    return body;
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    db = handle.db;
    lastUsed = createLastUsedRecorder(db);
    server = await startApiServer({
      db,
      tokenBroker: stubBroker,
      lastUsed,
      limits: { requestsPerMinute: REQUESTS_PER_MINUTE },
    });
    // The stub answers for the broker; the route still checks the config's access list.
    await seedConfig(db, testKeyring(), await insertTestAdmin(db), {
      identifier: "payments",
      tokenUrl: "https://token.example/oauth/token",
      clientId: "client",
      clientSecret: "secret",
      apiAccess: { mode: "all" },
    });
    till = await insertTill(db, { code: "TILL-01", password: "p:ss w0rd+%" });
    allReader = await insertClient(db, { tillId: till.id, permissions: { all: "read" } });
    transactionReader = await insertClient(db, {
      tillId: till.id,
      permissions: { transaction: "write" },
    });
  });

  afterAll(async () => {
    await server?.close();
    await lastUsed?.settle();
    await handle?.close();
  });

  beforeEach(async () => {
    await db.delete(rateLimitCounters);
    await db.update(organizationSettings).set({ basicAuthEnabled: true });
  });

  describe("Bearer access tokens", () => {
    it("lets a client with all:read through, and records its use", async () => {
      await db.update(apiClients).set({ lastUsedAt: null }).where(eq(apiClients.id, allReader.id));
      const response = await call({ authorization: `Bearer ${await tokenFor(allReader)}` });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        access_token: "upstream-token",
        token_type: "Bearer",
        expires_at: "2030-01-01T00:00:00.000Z",
        scope: "api:read",
      });
      await lastUsed.settle();
      const [row] = await db.select().from(apiClients).where(eq(apiClients.id, allReader.id));
      expect(row?.lastUsedAt).toBeInstanceOf(Date);
    });

    it("answers 401 with no error code when no credentials are sent", async () => {
      const body = await expectProblem(await call(), 401, 'Bearer realm="authdesk"');
      expect(body).not.toHaveProperty("error");
    });

    it("treats an unknown scheme like no credentials", async () => {
      await expectProblem(
        await call({ authorization: "Digest abc" }),
        401,
        'Bearer realm="authdesk"',
      );
    });

    it("answers invalid_token for unknown, garbled and wrong-kind tokens", async () => {
      const token = await tokenFor(allReader);
      for (const presented of [
        "adk_at_0000000000000000000000000000000000000000000000000",
        `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
        allReader.secret,
        "abc.def",
      ]) {
        await expectProblem(
          await call({ authorization: `Bearer ${presented}` }),
          401,
          'Bearer realm="authdesk", error="invalid_token", error_description="The access token is invalid, expired or revoked."',
          "invalid_token",
        );
      }
    });

    it("answers invalid_request for a Bearer header without a well-formed token", async () => {
      for (const authorization of ["Bearer", "Bearer ", "Bearer a b", "Bearer ä"]) {
        await expectProblem(
          await call({ authorization }),
          400,
          'Bearer realm="authdesk", error="invalid_request", error_description="The Bearer credentials are malformed."',
          "invalid_request",
        );
      }
    });

    it("answers 403 insufficient_scope, naming the scopes needed", async () => {
      const body = await expectProblem(
        await call({ authorization: `Bearer ${await tokenFor(transactionReader)}` }),
        403,
        'Bearer realm="authdesk", error="insufficient_scope", scope="all:read all:write"',
        "insufficient_scope",
      );
      expect(body.scope).toBe("all:read all:write");
    });
  });

  describe("Basic with a till's code and password", () => {
    it("lets the till through while Basic is enabled, and refuses it with 401 once disabled", async () => {
      const authorization = basicHeader("TILL-01", till.password);
      expect((await call({ authorization })).status).toBe(200);
      // Codes are matched case-insensitively, like their uniqueness.
      expect((await call({ authorization: basicHeader("till-01", till.password) })).status).toBe(
        200,
      );
      await db.update(organizationSettings).set({ basicAuthEnabled: false });
      const body = await expectProblem(
        await call({ authorization }),
        401,
        'Bearer realm="authdesk"',
      );
      expect(body.title).toBe("Basic authentication is disabled");
      // Bearer tokens still work with Basic off.
      const bearer = await call({ authorization: `Bearer ${await tokenFor(allReader)}` });
      expect(bearer.status).toBe(200);
    });

    it("answers a wrong password or unknown till with a Basic challenge", async () => {
      for (const authorization of [
        basicHeader("TILL-01", "wrong"),
        basicHeader("NO-SUCH-TILL", till.password),
      ]) {
        await expectProblem(
          await call({ authorization }),
          401,
          'Basic realm="authdesk", charset="UTF-8"',
        );
      }
    });

    it("answers malformed Basic credentials with 400 invalid_request", async () => {
      for (const authorization of ["Basic !!!", "Basic", `Basic ${btoa("no-colon")}`, "Basic a="]) {
        await expectProblem(await call({ authorization }), 400, null, "invalid_request");
      }
    });
  });

  describe("browsers", () => {
    it.each<Record<string, string>>([
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none" },
    ])("refuses a request carrying %o with 403 and no CORS headers", async (headers) => {
      for (const method of ["POST", "OPTIONS"]) {
        const response = await call(
          { ...headers, authorization: `Bearer ${await tokenFor(allReader)}` },
          method,
        );
        await expectProblem(response, 403, null);
        const cors = [...response.headers.keys()].filter((name) =>
          name.startsWith("access-control-"),
        );
        expect(cors).toEqual([]);
      }
    });
  });

  describe("rate limit per client", () => {
    it("answers 429 with Retry-After once the client's requests per minute are spent", async () => {
      const busy = await insertClient(db, { tillId: till.id, permissions: { all: "write" } });
      const authorization = `Bearer ${await tokenFor(busy)}`;
      for (let index = 0; index < REQUESTS_PER_MINUTE; index++) {
        expect((await call({ authorization })).status).toBe(200);
      }
      const limited = await call({ authorization });
      await expectProblem(limited, 429, null);
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Another client has its own quota.
      const other = await call({ authorization: `Bearer ${await tokenFor(transactionReader)}` });
      expect(other.status).toBe(403);
      const [counter] = await db
        .select()
        .from(rateLimitCounters)
        .where(eq(rateLimitCounters.key, `api:client:${busy.id}`));
      expect(counter?.count).toBeGreaterThanOrEqual(REQUESTS_PER_MINUTE);
    });
  });

  describe("public paths and the API description", () => {
    it("keeps /api/health and /api/openapi.json open, and describes the token route", async () => {
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
      const document = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(document.paths).toHaveProperty(["/api/v1/auth-configs/{identifier}/token", "post"]);
      expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
        "basicAuth",
        "bearerAuth",
        "clientSecretBasic",
      ]);
    });

    it("answers with problem details, not a 500, for odd headers", async () => {
      const oddities = [
        { authorization: clientSecretBasicHeader("x", "y").replace("Basic", "BASIC") },
        { authorization: "Bearer\tabc" },
        { authorization: `Bearer ${"a".repeat(8_000)}` },
        { authorization: basicHeader("TILL-01\0", "x") },
        { authorization: basicHeader("c".repeat(2_000), "x") },
      ];
      for (const headers of oddities) {
        const response = await call(headers);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }
    });
  });
});
