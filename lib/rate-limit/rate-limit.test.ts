import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { addToCounters, deleteEndedCounters, readCounters } from "./counter";
import { failureCounters, recordFailure, throttleVerdict } from "./failures";
import { createSharedQuota } from "./quota";

describe.each(testDrivers)("rate limiting in the database on %s", (driver) => {
  let handle: DatabaseHandle;
  let db: Database;

  beforeAll(async () => {
    handle = await createTestDatabase(driver);
    db = handle.db;
  });

  afterAll(async () => {
    await handle?.close();
  });

  beforeEach(async () => {
    await db.delete(rateLimitCounters);
  });

  const endAllWindows = () =>
    db.update(rateLimitCounters).set({ windowEndsAt: new Date(Date.now() - 1000) });

  describe("fixed-window counters", () => {
    it("adds hits within a window and starts a new window after it ends", async () => {
      const hit = { key: "k", amount: 2, windowSeconds: 60 };
      expect(await addToCounters(db, [hit])).toEqual([{ key: "k", count: 2, secondsLeft: 60 }]);
      const [second] = await addToCounters(db, [hit]);
      expect(second?.count).toBe(4);
      expect(second?.secondsLeft).toBeGreaterThan(58);
      await endAllWindows();
      expect((await addToCounters(db, [hit]))[0]?.count).toBe(2);
    });

    it("counts parallel hits atomically", async () => {
      await Promise.all(
        Array.from({ length: 25 }, () =>
          addToCounters(db, [{ key: "busy", amount: 1, windowSeconds: 60 }]),
        ),
      );
      expect(await readCounters(db, ["busy"])).toMatchObject([{ key: "busy", count: 25 }]);
    });

    it("adds up hits on one key in one call, and reads only live windows", async () => {
      await addToCounters(db, [
        { key: "a", amount: 1, windowSeconds: 60 },
        { key: "a", amount: 1, windowSeconds: 60 },
        { key: "b", amount: 5, windowSeconds: 60 },
      ]);
      const live = await readCounters(db, ["a", "b", "missing"]);
      expect(
        live.map(({ key, count }) => ({ key, count })).sort((x, y) => (x.key < y.key ? -1 : 1)),
      ).toEqual([
        { key: "a", count: 2 },
        { key: "b", count: 5 },
      ]);
      await endAllWindows();
      expect(await readCounters(db, ["a", "b"])).toEqual([]);
      await deleteEndedCounters(db);
      expect(await db.select().from(rateLimitCounters)).toEqual([]);
    });
  });

  describe("failure throttle", () => {
    const limits = { perSubject: 2, perAddress: 3, windowSeconds: 120 };

    it("throttles a subject at its limit, and an address across subjects", async () => {
      const alice = failureCounters({ kind: "client", id: "alice" }, "198.51.100.1", limits);
      const keys = alice.map((counter) => counter.key);
      expect(throttleVerdict(alice, await readCounters(db, keys))).toEqual({ throttled: false });
      await recordFailure(db, alice);
      await recordFailure(db, alice);
      const verdict = throttleVerdict(alice, await readCounters(db, keys));
      expect(verdict).toMatchObject({ throttled: true });
      if (verdict.throttled) expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(120);

      const bob = failureCounters({ kind: "till", id: "bob" }, "198.51.100.1", limits);
      const bobKeys = bob.map((counter) => counter.key);
      expect(throttleVerdict(bob, await readCounters(db, bobKeys))).toEqual({ throttled: false });
      await recordFailure(db, bob);
      expect(throttleVerdict(bob, await readCounters(db, bobKeys))).toMatchObject({
        throttled: true,
      });
    });

    it("cuts caller-chosen ids to a bounded key length", () => {
      const [subject] = failureCounters({ kind: "client", id: "x".repeat(10_000) }, null, limits);
      expect(subject?.key.length).toBeLessThan(300);
    });
  });

  describe("shared request quota", () => {
    it("admits exactly the limit per window, spread over instances", async () => {
      let clock = Date.now();
      const now = () => clock;
      const instances = [
        createSharedQuota(db, { limit: 10, windowSeconds: 60, maxLease: 4, now }),
        createSharedQuota(db, { limit: 10, windowSeconds: 60, maxLease: 4, now }),
        createSharedQuota(db, { limit: 10, windowSeconds: 60, maxLease: 4, now }),
      ];
      const verdicts = [];
      for (let request = 0; request < 16; request++) {
        verdicts.push(await (instances[request % 3] ?? instances[0])?.take("client"));
      }
      expect(verdicts.filter((verdict) => verdict?.allowed)).toHaveLength(10);
      const refused = verdicts.at(-1);
      expect(refused).toMatchObject({ allowed: false });
      if (refused && !refused.allowed) expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);

      // After the window (the database's and the instances' clocks both move on) all is well.
      await endAllWindows();
      clock += 61_000;
      expect(await instances[0]?.take("client")).toEqual({ allowed: true });
    });

    it("admits exactly the limit under concurrency", async () => {
      const quota = createSharedQuota(db, { limit: 7, windowSeconds: 60, maxLease: 3 });
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => quota.take("burst")));
      expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(7);
    });

    it("writes once per lease, not once per request", async () => {
      const quota = createSharedQuota(db, { limit: 1000, windowSeconds: 60, maxLease: 50 });
      for (let request = 0; request < 200; request++) await quota.take("steady");
      const [row] = await readCounters(db, ["steady"]);
      // Leases of 1, 2, 4, 8, 16, 32, then 50s: 200 requests take nine leases, 213 reserved.
      expect(row?.count).toBe(1 + 2 + 4 + 8 + 16 + 32 + 50 + 50 + 50);
    });
  });
});
