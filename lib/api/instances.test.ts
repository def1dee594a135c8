import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { apiClients, rateLimitCounters } from "@/db/schema";
import { revokeApiClientTokens, rollApiClientSecret } from "@/lib/api-clients/service";
import type { TokenBroker } from "@/lib/auth-configs/token-broker";
import { insertTestAdmin, seedConfig, testKeyring } from "@/lib/auth-configs/token-broker.testing";
import { generateKeyEntry, parseKeyring } from "@/lib/crypto";
import { createTestDatabase, openSecondInstance, testDrivers } from "@/lib/testing/databases";
import {
  type ApiServer,
  clientSecretBasicHeader,
  form,
  insertClient,
  insertTill,
  startApiServer,
  type TestClient,
  type TestTill,
} from "./api.testing";

/**
 * Two app instances on one database: on PostgreSQL each has its own connection pool, as two
 * `npm start` processes would; on PGlite (one process by nature) they share the handle. Nothing
 * that must hold across instances may live in one instance's memory.
 */
const stubBroker: TokenBroker = {
  getAccessToken: async () => ({
    accessToken: "upstream",
    tokenType: "Bearer",
    expiresAt: new Date(Date.now() + 3600_000),
    scope: null,
  }),
  forget: () => {},
  flushUsage: async () => {},
  close: async () => {},
};

const FAILURES = {
  perPair: 4,
  perAddress: 100,
  perSubject: 4,
  perPairUnderAttack: 1,
  windowSeconds: 300,
};
const REQUESTS_PER_MINUTE = 6;

describe.each(testDrivers)("two app instances on one %s database", (driver) => {
  let first: DatabaseHandle;
  let second: DatabaseHandle;
  let instances: ApiServer[];
  let till: TestTill;
  const deps = {
    tokenBroker: stubBroker,
    limits: { failures: FAILURES, requestsPerMinute: REQUESTS_PER_MINUTE },
  };

  beforeAll(async () => {
    first = await createTestDatabase(driver);
    second = await openSecondInstance(first);
    instances = [
      await startApiServer({ ...deps, db: first.db }),
      await startApiServer({ ...deps, db: second.db }),
    ];
    till = await insertTill(first.db);
    // The stub answers for the broker; the route still checks the config's access list.
    await seedConfig(first.db, testKeyring(), await insertTestAdmin(first.db), {
      identifier: "anything",
      tokenUrl: "https://token.example/oauth/token",
      clientId: "client",
      clientSecret: "secret",
      apiAccess: { mode: "all" },
    });
  });

  afterAll(async () => {
    for (const instance of instances ?? []) await instance.close();
    await second?.close();
    await first?.close();
  });

  beforeEach(async () => {
    await first.db.delete(rateLimitCounters);
  });

  const tokenRequest = (instance: ApiServer, client: TestClient, secret = client.secret) =>
    fetch(`${instance.url}/oauth/token`, {
      method: "POST",
      ...form({ grant_type: "client_credentials" }),
      headers: {
        ...form({}).headers,
        authorization: clientSecretBasicHeader(client.clientKey, secret),
      },
    });

  async function tokenFrom(instance: ApiServer, client: TestClient): Promise<string> {
    const response = await tokenRequest(instance, client);
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  const callApi = (instance: ApiServer, token: string) =>
    fetch(`${instance.url}/api/v1/auth-configs/anything/token`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });

  it("counts failed client authentications across both", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    for (let attempt = 0; attempt < FAILURES.perPair; attempt++) {
      const instance = instances[attempt % 2] as ApiServer;
      expect((await tokenRequest(instance, client, "wrong")).status).toBe(401);
    }
    for (const instance of instances) {
      const response = await tokenRequest(instance, client);
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("refuses a client deleted through the database on both at once", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const token = await tokenFrom(instances[0] as ApiServer, client);
    for (const instance of instances) expect((await callApi(instance, token)).status).toBe(200);
    await second.db.delete(apiClients).where(eq(apiClients.id, client.id));
    for (const instance of instances) {
      const refused = await callApi(instance, token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: "invalid_token" });
      expect((await tokenRequest(instance, client)).status).toBe(401);
    }
  });

  it("refuses on one a token revoked through the other", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const [one, other] = instances as [ApiServer, ApiServer];
    const token = await tokenFrom(one, client);
    expect((await callApi(other, token)).status).toBe(200);
    const revoked = await fetch(`${one.url}/oauth/revoke`, {
      method: "POST",
      ...form({ token }),
      headers: {
        ...form({}).headers,
        authorization: clientSecretBasicHeader(client.clientKey, client.secret),
      },
    });
    expect(revoked.status).toBe(200);
    expect((await callApi(other, token)).status).toBe(401);
  });

  it("revoke-all refuses every live token on a second instance at once", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const [one, other] = instances as [ApiServer, ApiServer];
    const tokens = [await tokenFrom(one, client), await tokenFrom(other, client)];
    for (const token of tokens) expect((await callApi(other, token)).status).toBe(200);
    const admin = await insertTestAdmin(first.db);
    await revokeApiClientTokens(first.db, client.id, {
      actor: { type: "admin", ...admin },
      clientAddress: null,
    });
    for (const instance of instances) {
      for (const token of tokens) {
        const refused = await callApi(instance, token);
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ error: "invalid_token" });
      }
    }
    // The client and its secret stay: a new token works everywhere.
    const fresh = await tokenFrom(other, client);
    expect((await callApi(one, fresh)).status).toBe(200);
  });

  it("accepts both secrets during a roll's grace period on the other instance", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const admin = await insertTestAdmin(first.db);
    const rolled = await rollApiClientSecret(first.db, client.id, "1h", {
      actor: { type: "admin", ...admin },
      clientAddress: null,
    });
    if (!rolled.ok) throw new Error(rolled.error);
    const other = instances[1] as ApiServer;
    expect((await tokenRequest(other, client)).status).toBe(200);
    expect((await tokenRequest(other, client, rolled.clientSecret)).status).toBe(200);
  });

  it("accepts a token after a restart, and only where the keyring is shared", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const token = await tokenFrom(instances[0] as ApiServer, client);
    await instances[0]?.close();
    instances[0] = await startApiServer({ ...deps, db: first.db });
    expect((await callApi(instances[0], token)).status).toBe(200);
    const stranger = await startApiServer({
      ...deps,
      db: first.db,
      keyring: parseKeyring(generateKeyEntry(1)),
    });
    try {
      expect((await callApi(stranger, token)).status).toBe(401);
    } finally {
      await stranger.close();
    }
  });

  it("shares one client's request quota between both", async () => {
    const client = await insertClient(first.db, { tillId: till.id, permissions: { all: "read" } });
    const token = await tokenFrom(instances[0] as ApiServer, client);
    const statuses: number[] = [];
    for (let request = 0; request < REQUESTS_PER_MINUTE + 4; request++) {
      statuses.push((await callApi(instances[request % 2] as ApiServer, token)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(REQUESTS_PER_MINUTE);
    expect(statuses.slice(REQUESTS_PER_MINUTE)).toEqual([429, 429, 429, 429]);
  });
});
