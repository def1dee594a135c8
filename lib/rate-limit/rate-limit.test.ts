import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, DatabaseHandle } from "@/db/client";
import { rateLimitCounters } from "@/db/schema";
import { createTestDatabase, testDrivers } from "@/lib/testing/databases";
import { addToCounters, deleteEndedCounters, readCounters } from "./counter";
import {
  type FailureCounters,
  failureCounters,
  MAX_BACKOFF_SECONDS,
  recordFailure,
  refuseAttempt,
  throttledAddress,
  throttleVerdict,
} from "./failures";
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
    const limits = {
      perPair: 2,
      perAddress: 3,
      perSubject: 4,
      perPairUnderAttack: 1,
      windowSeconds: 120,
    };
    const counters = (kind: "client" | "till", id: string, address: string) =>
      failureCounters({ kind, id }, address, limits);
    const verdictFor = async (attempt: FailureCounters) =>
      throttleVerdict(attempt, await readCounters(db, attempt.keys));

    it("throttles an address on one subject, and an address across subjects", async () => {
      const alice = counters("client", "alice", "198.51.100.1");
      expect(await verdictFor(alice)).toEqual({ throttled: false });
      await recordFailure(db, alice);
      await recordFailure(db, alice);
      const verdict = await verdictFor(alice);
      expect(verdict).toMatchObject({ throttled: true });
      if (verdict.throttled) expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(120);
      // Alice from elsewhere is not held back by that address's failures.
      expect(await verdictFor(counters("client", "alice", "198.51.100.2"))).toEqual({
        throttled: false,
      });

      const bob = counters("till", "bob", "198.51.100.1");
      expect(await verdictFor(bob)).toEqual({ throttled: false });
      await recordFailure(db, bob);
      expect(await verdictFor(bob)).toMatchObject({ throttled: true });
    });

    it("holds back only addresses that failed on a subject under attack, never a clean one", async () => {
      // Failures spread thin: four addresses, one each, none at its own limit.
      for (const address of ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]) {
        await recordFailure(db, counters("client", "carol", address));
      }
      for (const address of ["10.0.0.1", "10.0.0.4"]) {
        expect(await verdictFor(counters("client", "carol", address))).toMatchObject({
          throttled: true,
        });
      }
      expect(await verdictFor(counters("client", "carol", "10.0.0.99"))).toEqual({
        throttled: false,
      });
      expect(await verdictFor(counters("client", "dave", "10.0.0.1"))).toEqual({
        throttled: false,
      });
    });

    it("lets an address with no more failures than the owner's slips through an attack", async () => {
      const lenient = { ...limits, perPair: 5, perPairUnderAttack: 2 };
      const attempt = (address: string) =>
        failureCounters({ kind: "client", id: "frank" }, address, lenient);
      for (const address of ["10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4"]) {
        await recordFailure(db, attempt(address));
      }
      // Frank is under attack; one slip of the owner's own is still believed…
      expect(await verdictFor(attempt("10.0.1.1"))).toEqual({ throttled: false });
      // …a second one is not.
      await recordFailure(db, attempt("10.0.1.1"));
      expect(await verdictFor(attempt("10.0.1.1"))).toMatchObject({ throttled: true });
    });

    it("doubles the wait of whoever keeps trying while throttled", async () => {
      const eve = counters("client", "eve", "198.51.100.5");
      await recordFailure(db, eve);
      await recordFailure(db, eve);
      const waits: number[] = [];
      for (let refused = 0; refused < 4; refused++) {
        const verdict = await verdictFor(eve);
        if (!verdict.throttled) throw new Error("expected a throttled verdict");
        waits.push(await refuseAttempt(db, eve, verdict));
      }
      // Whole seconds by the database's clock: 120, 240, 480, 960, give or take the one second
      // that may pass between two statements.
      for (const [index, wait] of waits.entries()) {
        expect(wait).toBeGreaterThan(120 * 2 ** index - 2);
        expect(wait).toBeLessThanOrEqual(120 * 2 ** index);
      }
      const [pair] = await readCounters(db, [eve.pair]);
      expect(pair?.count).toBe(6);
    });

    it("stops writing once the wait is within a window of the cap", async () => {
      const mallory = counters("client", "mallory", "198.51.100.6");
      await recordFailure(db, mallory);
      await recordFailure(db, mallory);
      let wait = 0;
      for (let refused = 0; wait < MAX_BACKOFF_SECONDS - limits.windowSeconds; refused++) {
        if (refused > 10) throw new Error("the wait never neared the cap");
        const verdict = await verdictFor(mallory);
        if (!verdict.throttled) throw new Error("expected a throttled verdict");
        wait = await refuseAttempt(db, mallory, verdict);
      }
      const [before] = await readCounters(db, [mallory.pair]);
      const verdict = await verdictFor(mallory);
      if (!verdict.throttled) throw new Error("expected a throttled verdict");
      expect(await refuseAttempt(db, mallory, verdict)).toBeGreaterThan(
        MAX_BACKOFF_SECONDS - limits.windowSeconds,
      );
      const [after] = await readCounters(db, [mallory.pair]);
      expect(after?.count).toBe(before?.count);
    });

    it("never backs off longer than the cap", async () => {
      const mallory = counters("client", "mallory", "198.51.100.6");
      for (let failure = 0; failure < 40; failure++) await recordFailure(db, mallory);
      const [pair] = await readCounters(db, [mallory.pair]);
      expect(pair?.secondsLeft).toBeLessThanOrEqual(MAX_BACKOFF_SECONDS);
      expect(pair?.secondsLeft).toBeGreaterThan(MAX_BACKOFF_SECONDS - 60);
    });

    it("counts IPv6 clients by their /64, which one subscriber holds whole", () => {
      expect(throttledAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
      expect(throttledAddress("2001:0db8:0001:0002:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
      expect(throttledAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
      expect(throttledAddress("::1")).toBe("0:0:0:0::/64");
      expect(throttledAddress("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
      expect(throttledAddress("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
      expect(throttledAddress("198.51.100.7")).toBe("198.51.100.7");
      expect(throttledAddress(null)).toBe("unknown");
      const one = failureCounters({ kind: "till", id: "t" }, "2001:db8:1:2::1", limits);
      const neighbour = failureCounters({ kind: "till", id: "t" }, "2001:db8:1:2::2", limits);
      expect(neighbour.keys).toEqual(one.keys);
    });

    it("cuts caller-chosen ids to a bounded key length", () => {
      const { keys } = failureCounters({ kind: "client", id: "x".repeat(10_000) }, null, limits);
      for (const key of keys) expect(key.length).toBeLessThan(300);
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
