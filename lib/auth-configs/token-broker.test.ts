import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { authConfigs } from "@/db/schema";
import type { Keyring } from "@/lib/crypto";
import { countingDatabase } from "@/lib/testing/counting-database";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { createTokenBroker, type TokenBroker, type TokenBrokerOptions } from "./token-broker";
import {
  AWKWARD_SECRET,
  insertTestAdmin,
  OIDC_CLIENTS,
  type OidcServer,
  seedConfig,
  startOidcServer,
  testKeyring,
} from "./token-broker.testing";

/** Counts the database calls the broker makes, to prove cache hits make none. */
describe.each(testDrivers)("token broker against oidc-provider on %s", (driver) => {
  let handle: DatabaseHandle;
  let keyring: Keyring;
  let admin: { id: string; label: string };
  let oidc: OidcServer;
  let clock: number;
  const now = () => clock;
  let brokers: TokenBroker[] = [];
  const basic = OIDC_CLIENTS[0] as (typeof OIDC_CLIENTS)[number];
  const post = OIDC_CLIENTS[1] as (typeof OIDC_CLIENTS)[number];

  function broker(overrides: Partial<TokenBrokerOptions> = {}): TokenBroker {
    const created = createTokenBroker({
      db: handle.db,
      keyring,
      allowPrivateTokenUrls: true,
      now,
      usageFlushIntervalMs: 0,
      ...overrides,
    });
    brokers.push(created);
    return created;
  }

  async function seed(identifier: string, client = basic, extra: { scope?: string } = {}) {
    return seedConfig(handle.db, keyring, admin, {
      identifier,
      tokenUrl: oidc.tokenUrl,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
      ...extra,
    });
  }

  async function row(id: string) {
    const [found] = await handle.db.select().from(authConfigs).where(eq(authConfigs.id, id));
    return found;
  }

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    keyring = testKeyring();
    admin = await insertTestAdmin(handle.db);
    oidc = await startOidcServer();
  });
  afterAll(async () => {
    await oidc?.close();
    await handle?.close();
  });
  beforeEach(async () => {
    clock = Date.UTC(2030, 0, 1, 12);
    oidc.setTtl(300);
    await handle.db.delete(authConfigs);
  });
  afterEach(async () => {
    await Promise.all(brokers.map((each) => each.close()));
    brokers = [];
  });

  it("gets a token with client_secret_basic (a secret with : + % and space) and with client_secret_post", async () => {
    expect(AWKWARD_SECRET).toMatch(/:/);
    expect(AWKWARD_SECRET).toMatch(/\+/);
    expect(AWKWARD_SECRET).toMatch(/%/);
    expect(AWKWARD_SECRET).toMatch(/ /);
    await seed("basic-cfg", basic);
    await seed("post-cfg", post, { scope: "api:read api:write" });
    const tokens = broker();
    const before = oidc.tokenRequests();

    const viaBasic = await tokens.getAccessToken("basic-cfg");
    expect(viaBasic).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      expiresAt: new Date(clock + 300_000),
      scope: "api:read",
    });
    const viaPost = await tokens.getAccessToken("post-cfg");
    expect(viaPost.scope).toBe("api:read api:write");
    expect(viaPost.accessToken).not.toBe(viaBasic.accessToken);
    expect(oidc.tokenRequests() - before).toBe(2);
  });

  it("reuses the cached token: the second call (in any case) makes no upstream request", async () => {
    await seed("cached");
    const tokens = broker();
    const before = oidc.tokenRequests();
    const first = await tokens.getAccessToken("cached");
    clock += 10_000;
    expect(await tokens.getAccessToken("cached")).toEqual(first);
    expect(await tokens.getAccessToken("CACHED")).toEqual(first);
    expect(oidc.tokenRequests() - before).toBe(1);
  });

  it("fetches a new token once the cached one has expired", async () => {
    oidc.setTtl(2);
    await seed("short-lived");
    const tokens = broker();
    const before = oidc.tokenRequests();
    const first = await tokens.getAccessToken("short-lived");
    expect(first.expiresAt).toEqual(new Date(clock + 2_000));

    // Before the refresh-ahead window (the last 10 %, 200 ms), so nothing starts in the background.
    clock += 1_700;
    expect((await tokens.getAccessToken("short-lived")).accessToken).toBe(first.accessToken);
    clock += 301;
    const second = await tokens.getAccessToken("short-lived");
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.expiresAt).toEqual(new Date(clock + 2_000));
    expect(oidc.tokenRequests() - before).toBe(2);
  });

  it.each([
    // lifetime, refresh-ahead window: min(60 s, 10 % of the lifetime)
    [100, 10],
    [1_000, 60],
  ])(
    "with a %i s lifetime, refreshes in the background in the last %i s, once",
    async (ttl, window) => {
      oidc.setTtl(ttl);
      await seed(`ahead-${ttl}`);
      const tokens = broker();
      const before = oidc.tokenRequests();
      const start = clock;
      const first = await tokens.getAccessToken(`ahead-${ttl}`);

      clock = start + (ttl - window) * 1_000 - 1;
      expect((await tokens.getAccessToken(`ahead-${ttl}`)).accessToken).toBe(first.accessToken);
      expect(oidc.tokenRequests() - before).toBe(1);

      // Inside the window: the still-valid token comes back at once, and one refresh starts.
      clock = start + (ttl - window) * 1_000 + 1;
      const during = await Promise.all(
        Array.from({ length: 20 }, () => tokens.getAccessToken(`ahead-${ttl}`)),
      );
      expect(new Set(during.map((token) => token.accessToken))).toEqual(
        new Set([first.accessToken]),
      );
      await vi.waitFor(async () => {
        expect((await tokens.getAccessToken(`ahead-${ttl}`)).accessToken).not.toBe(
          first.accessToken,
        );
      });
      expect(oidc.tokenRequests() - before).toBe(2);
    },
  );

  it("single flight: 200 concurrent callers on a cold cache make exactly one upstream request", async () => {
    await seed("crowd");
    const tokens = broker();
    const before = oidc.tokenRequests();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        tokens.getAccessToken(index % 2 ? "crowd" : "CROWD"),
      ),
    );
    expect(oidc.tokenRequests() - before).toBe(1);
    expect(new Set(results.map((token) => token.accessToken)).size).toBe(1);
  });

  it("forget() drops the cached token and config at once", async () => {
    await seed("forgettable");
    const tokens = broker();
    const before = oidc.tokenRequests();
    const first = await tokens.getAccessToken("forgettable");
    tokens.forget("FORGETTABLE");
    const second = await tokens.getAccessToken("forgettable");
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(oidc.tokenRequests() - before).toBe(2);
  });

  it("stops serving a config deleted elsewhere once the recheck interval has passed, and serves its replacement", async () => {
    const id = await seed("deleted-elsewhere");
    const tokens = broker({ configRecheckMs: 5_000 });
    const first = await tokens.getAccessToken("deleted-elsewhere");
    // Another app instance deletes it: this broker does not hear about it.
    await handle.db.delete(authConfigs).where(eq(authConfigs.id, id));

    clock += 4_999;
    expect((await tokens.getAccessToken("deleted-elsewhere")).accessToken).toBe(first.accessToken);
    clock += 2;
    await expect(tokens.getAccessToken("deleted-elsewhere")).rejects.toMatchObject({
      code: "config_not_found",
    });

    // Recreated under the same identifier with other credentials: a new token, never the old one.
    await seed("deleted-elsewhere", post);
    const before = oidc.tokenRequests();
    const replacement = await tokens.getAccessToken("deleted-elsewhere");
    expect(replacement.accessToken).not.toBe(first.accessToken);
    expect(oidc.tokenRequests() - before).toBe(1);
  });

  it("drops the old token when a config is recreated with the same identifier", async () => {
    const id = await seed("recreated");
    const tokens = broker({ configRecheckMs: 5_000 });
    const first = await tokens.getAccessToken("recreated");
    await handle.db.delete(authConfigs).where(eq(authConfigs.id, id));
    await seed("recreated", post);
    clock += 5_001;
    const second = await tokens.getAccessToken("recreated");
    expect(second.accessToken).not.toBe(first.accessToken);
  });

  it("records tokens fetched and last use; cache hits touch the database only when usage is flushed", async () => {
    const id = await seed("usage");
    const counted = countingDatabase(handle.db);
    const tokens = broker({ db: counted.db });
    const fetchedAt = clock;
    await tokens.getAccessToken("usage");
    await tokens.flushUsage();
    expect(await row(id)).toMatchObject({ tokensFetched: 1, lastUsedAt: new Date(fetchedAt) });

    const callsBeforeHits = counted.calls();
    for (let hit = 0; hit < 50; hit += 1) {
      clock += 10;
      await tokens.getAccessToken("usage");
    }
    expect(counted.calls()).toBe(callsBeforeHits);
    expect(await row(id)).toMatchObject({ tokensFetched: 1, lastUsedAt: new Date(fetchedAt) });

    await tokens.flushUsage();
    expect(counted.calls()).toBe(callsBeforeHits + 1);
    expect(await row(id)).toMatchObject({ tokensFetched: 1, lastUsedAt: new Date(clock) });

    // Nothing new to write: a second flush makes no call.
    await tokens.flushUsage();
    expect(counted.calls()).toBe(callsBeforeHits + 1);
  });

  it("close() flushes usage recorded by cache hits", async () => {
    const id = await seed("closing");
    const tokens = broker();
    await tokens.getAccessToken("closing");
    clock += 1_000;
    await tokens.getAccessToken("closing");
    await tokens.close();
    expect(await row(id)).toMatchObject({ tokensFetched: 1, lastUsedAt: new Date(clock) });
    await expect(tokens.getAccessToken("closing")).rejects.toThrow(/closed/);
  });

  it("an unknown identifier is config_not_found, without caching anything", async () => {
    const tokens = broker();
    await expect(tokens.getAccessToken("nope")).rejects.toMatchObject({ code: "config_not_found" });
    await expect(tokens.getAccessToken("not a valid identifier")).rejects.toMatchObject({
      code: "config_not_found",
    });
    await seed("nope");
    expect((await tokens.getAccessToken("nope")).tokenType).toBe("Bearer");
  });
});
