import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { auditEvents, integrationConnections } from "@/db/schema";
import type { ChangeContext } from "@/lib/audit/service";
import { adminContext } from "@/lib/integrations/integrations.testing";
import { insertOAuthConnection } from "@/lib/integrations/oauth/fresh-credentials.testing";
import { createOAuthIntegration } from "@/lib/integrations/oauth/oauth.testing";
import { createIntegration, setApiAccess } from "@/lib/integrations/service";
import { createSandbox } from "@/lib/sandbox";
import type { Sandbox } from "@/lib/sandbox/types";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { countRoundTrips, type RoundTripCounter } from "@/lib/testing/round-trips";
import {
  type ApiServer,
  accessTokenFor,
  insertClient,
  insertTill,
  startApiServer,
  TEST_KEYRING,
  type TestClient,
} from "./api.testing";

/**
 * What a cached read of GET …/credentials costs in statements sent to the database, counted at
 * the driver (BEGIN and COMMIT included), so that a change that adds a round trip to the hot
 * path fails here rather than only showing in `npm run bench:connections`.
 *
 * Per read: the Bearer token check (batched with concurrent requests; alone here) and one
 * statement that checks the access list, reads the connection and writes the audit row. The
 * quota lease and the last-used write are amortised over many requests (quota.ts, last-used.ts)
 * and are left out of the per-read count; the total is bounded separately.
 */
const STATEMENTS_PER_CACHED_READ = 2;
const READS = 6;
/** Amortised statements: lease renewals (sizes 1, 2, 4 … over the first reads). */
const AMORTISED = /rate_limit_counters|last_used_at/;

describe.each(testDrivers)("credentials read round trips on %s", (driver) => {
  let handle: DatabaseHandle;
  let counter: RoundTripCounter;
  let sandbox: Sandbox;
  let server: ApiServer;
  let context: ChangeContext;
  let client: TestClient;
  let tillId: string;
  let authorization: string;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    counter = countRoundTrips(handle);
    sandbox = createSandbox({ allowPrivateAddresses: true });
    context = await adminContext(handle.db);
    server = await startApiServer({
      db: handle.db,
      integrations: { sandbox, allowPrivateUrls: true },
      limits: { requestsPerMinute: 100_000 },
    });
    const till = await insertTill(handle.db);
    tillId = till.id;
    client = await insertClient(handle.db, {
      tillId: till.id,
      permissions: { integrations: "write" },
    });
    authorization = `Bearer ${await accessTokenFor(server, client)}`;
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
    await handle?.close();
  });

  const read = (integrationId: string, connectionId: string) =>
    fetch(
      `${server.url}/api/integrations/v1/${integrationId}/connections/${connectionId}/credentials`,
      { headers: { authorization } },
    );

  /** Statements per read, without the amortised ones, after one read that warms the caches. */
  async function statementsPerRead(integrationId: string, connectionId: string) {
    expect((await read(integrationId, connectionId)).status).toBe(200);
    const counts: number[] = [];
    let total = 0;
    for (let index = 0; index < READS; index++) {
      counter.reset();
      const response = await read(integrationId, connectionId);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      total += counter.count();
      const perRead = counter.statements().filter((statement) => !AMORTISED.test(statement));
      counts.push(perRead.length);
      if (perRead.length !== STATEMENTS_PER_CACHED_READ) console.error(perRead.join("\n---\n"));
    }
    return { counts, total };
  }

  async function auditedReads(connectionId: string): Promise<number> {
    const rows = await handle.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, connectionId));
    return rows.length;
  }

  it("reads a cached OAuth token in two statements, audited every time", async () => {
    const integrationId = await createOAuthIntegration(
      handle.db,
      { keyring: TEST_KEYRING, sandbox },
      context,
      "OAUTH",
      {
        authUrl: "https://provider.invalid/authorize",
        tokenUrl: "https://provider.invalid/token",
        clientId: "round-trips",
      },
    );
    const connectionId = await insertOAuthConnection(handle.db, TEST_KEYRING, integrationId, "u1", {
      accessToken: "cached-access-token",
      refreshToken: "refresh-token",
      tokenType: "Bearer",
      expiresAt: new Date(Date.now() + 3_600_000),
      scope: "read",
    });
    const { counts, total } = await statementsPerRead(integrationId, connectionId);
    expect(counts).toEqual(Array(READS).fill(STATEMENTS_PER_CACHED_READ));
    // At most two lease renewals in these reads (sizes 2 and 4 cover reads 2–7).
    expect(total).toBeLessThanOrEqual(READS * STATEMENTS_PER_CACHED_READ + 2);
    expect(await auditedReads(connectionId)).toBe(READS + 1);
  });

  it("decides freshness by the token's lifetime, and leaves tokens near expiry to the transaction", async () => {
    const integrationId = await createOAuthIntegration(
      handle.db,
      { keyring: TEST_KEYRING, sandbox },
      context,
      "OAUTH",
      {
        authUrl: "https://provider.invalid/authorize",
        tokenUrl: "https://provider.invalid/token",
        clientId: "round-trips",
      },
    );
    const connect = (endUserId: string, refreshToken: string | null, expiresInMs: number) =>
      insertOAuthConnection(handle.db, TEST_KEYRING, integrationId, endUserId, {
        accessToken: "short-lived-token",
        refreshToken,
        tokenType: "Bearer",
        expiresAt: new Date(Date.now() + expiresInMs),
        scope: null,
      });
    // A 30 s token just issued is outside its margin (10 % of its lifetime, not 60 s): cached.
    const shortLived = await connect("u3", "refresh-token", 30_000);
    const { counts } = await statementsPerRead(integrationId, shortLived);
    expect(counts).toEqual(Array(READS).fill(STATEMENTS_PER_CACHED_READ));

    // 30 s left of an hour is inside the margin. Without a refresh token it is served as it is,
    // by the transaction: one statement more than before the change, and still one audit row.
    const nearExpiry = await connect("u4", null, 30_000);
    await handle.db
      .update(integrationConnections)
      .set({ refreshedAt: new Date(Date.now() - 3_600_000) })
      .where(eq(integrationConnections.id, nearExpiry));
    counter.reset();
    expect((await read(integrationId, nearExpiry)).status).toBe(200);
    const perRead = counter.statements().filter((statement) => !AMORTISED.test(statement));
    expect(perRead.slice(2)).toEqual([
      expect.stringMatching(/^begin/i),
      expect.stringMatching(/^select/),
      expect.stringMatching(/^insert into "audit_events"/),
      expect.stringMatching(/^commit/i),
    ]);
    expect(await auditedReads(nearExpiry)).toBe(1);

    // With a refresh token it needs a refresh: the statement's row starts it (the client is
    // read, then the lease claimed), with no second read of the connection first. The provider
    // is unreachable, so the old token is served while it lasts, audited once.
    const refreshable = await connect("u5", "refresh-token", 30_000);
    await handle.db
      .update(integrationConnections)
      .set({ refreshedAt: new Date(Date.now() - 3_600_000) })
      .where(eq(integrationConnections.id, refreshable));
    counter.reset();
    const response = await read(integrationId, refreshable);
    expect(response.status).toBe(200);
    const sent = counter.statements().filter((statement) => !AMORTISED.test(statement));
    expect(sent[1]).toMatch(/^\s*with c as/);
    const claim = sent.findIndex((statement) =>
      /^update "integration_connections" set "refresh_lease_until"/.test(statement),
    );
    expect(claim).toBeGreaterThan(1);
    expect(
      sent
        .slice(2, claim)
        .filter((statement) => statement.includes('from "integration_connections"')),
    ).toEqual([]);
    expect(await auditedReads(refreshable)).toBe(1);
  });

  it("reads a field connection in two statements, and still honours the access list", async () => {
    const { id: integrationId } = await createIntegration(
      handle.db,
      { name: "Fields", description: "" },
      context,
    );
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/api/integrations/v1/${integrationId}${path}`, {
        method,
        headers: { authorization, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const patched = await call("PATCH", "/auth", {
      authType: "API_KEY",
      authFields: [{ slug: "key", label: "Key", type: "TEXT", required: true }],
    });
    expect(patched.status).toBe(200);
    const posted = await call("POST", "/connections", { endUserId: "u2", values: { key: "k" } });
    expect(posted.status).toBe(201);
    const { connection } = (await posted.json()) as { connection: { id: string } };
    const { counts } = await statementsPerRead(integrationId, connection.id);
    expect(counts).toEqual(Array(READS).fill(STATEMENTS_PER_CACHED_READ));

    const outsider = await insertClient(handle.db, {
      tillId,
      permissions: { integrations: "write" },
    });
    await setApiAccess(
      handle.db,
      integrationId,
      { mode: "selected", clientIds: [outsider.id] },
      context,
    );
    const before = await auditedReads(connection.id);
    expect((await read(integrationId, connection.id)).status).toBe(403);
    expect(await auditedReads(connection.id)).toBe(before);
  });
});
