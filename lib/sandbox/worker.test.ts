import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultResolveHost } from "@/lib/outbound/ssrf-guard";
import { type FetchPolicy, guestFetchLimits } from "./fetch-bridge";
import {
  createWorkerPool,
  type GuestLimits,
  type JobHooks,
  type RefusedFetch,
  type WorkerPool,
} from "./pool";

/**
 * The real worker (worker.mjs) seen from the pool's side: what it posts to the host thread while
 * the code runs. sandbox.test.ts covers the same worker end to end through createSandbox.
 */

const POLICY: FetchPolicy = {
  allowPrivate: false,
  resolveHost: defaultResolveHost,
  maxFetches: 5,
  maxRequestBodyBytes: 64 * 1024,
  maxResponseBodyBytes: 64 * 1024,
  maxRedirects: 3,
};

const LIMITS: GuestLimits = {
  timeoutMs: 600,
  checkTimeoutMs: 100,
  memoryBytes: 8 * 1024 * 1024,
  stackBytes: 128 * 1024,
  maxLogLines: 20,
  guestTextChars: 500,
  maxValueBytes: 8 * 1024,
  fetch: guestFetchLimits(POLICY),
};

/** Every message the worker posted for one run, and the host's answer to each fetch. */
function recordingHooks() {
  const seen = { fetches: [] as string[], refused: [] as RefusedFetch[], logs: [] as string[] };
  const hooks: JobHooks = {
    fetch: async (request) => {
      seen.fetches.push(request);
      return JSON.stringify({ error: "refused by the test" });
    },
    refusedFetch: (notice) => seen.refused.push(notice),
    log: (line) => seen.logs.push(line),
  };
  return { seen, hooks };
}

describe("the worker", () => {
  let pool: WorkerPool;
  const run = (code: string, hooks: JobHooks) =>
    pool.submit({ type: "run", code, secrets: "{}", limits: LIMITS }, hooks);

  beforeAll(async () => {
    pool = createWorkerPool({
      workerFile: path.join(process.cwd(), "lib", "sandbox", "worker.mjs"),
      size: 1,
      maxQueued: 4,
      killMarginMs: 250,
      startTimeoutMs: 10_000,
      resourceLimits: { stackSizeMb: 4, maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    // The first runs in a new worker are slow (QuickJS and the guest runtime not yet compiled).
    for (let index = 0; index < 5; index += 1) await run("return 1", recordingHooks().hooks);
  });
  afterAll(async () => {
    await pool?.close();
  });

  it("posts at most maxFetches requests however many the code makes", async () => {
    const { seen, hooks } = recordingHooks();
    const code = `const b = "x".repeat(60 * 1024);
      for (let i = 0; i < 8; i++) await fetch("https://203.0.113.1/", { method: "POST", body: b }).catch(() => {});`;
    await run(code, hooks);
    expect(seen.fetches).toHaveLength(5);
    expect(seen.refused).toEqual([]);
  });

  it("the sixth fetch fails in the code with the host's words, without reaching the host", async () => {
    const { seen, hooks } = recordingHooks();
    const code = `const out = [];
      for (let i = 0; i < 7; i++) {
        try { await fetch("https://203.0.113.1/" + i); } catch (error) { out.push(error.message); }
      }
      return out;`;
    const result = await run(code, hooks);
    expect(
      result.status === "finished" && result.outcome.ok && JSON.parse(result.outcome.json),
    ).toEqual([
      ...Array(5).fill("fetch failed: refused by the test"),
      "fetch failed: a run may make at most 5 requests",
      "fetch failed: a run may make at most 5 requests",
    ]);
    expect(seen.fetches).toHaveLength(5);
  });

  it("refuses an oversized request in the worker: only a short notice reaches the host", async () => {
    const { seen, hooks } = recordingHooks();
    const code = `const b = "x".repeat(1 << 20);
      for (let i = 0; i < 8; i++) await fetch("https://203.0.113.1/", { method: "POST", body: b }).catch(() => {});`;
    await run(code, hooks);
    expect(seen.fetches).toEqual([]);
    expect(seen.refused).toHaveLength(5);
    expect(seen.refused[0]).toEqual({
      method: "POST",
      methodCut: false,
      url: "https://203.0.113.1/",
      urlCut: false,
      error: "the request body is larger than 64 KiB",
    });
  });

  it.each([
    [
      "a URL over 8,192 characters",
      `fetch("https://a.example/" + "p".repeat(9000))`,
      "the URL is longer than 8192 characters",
    ],
    [
      "headers over 16 KiB",
      `fetch("https://a.example/", { headers: { "x-big": "h".repeat(17 * 1024) } })`,
      "the headers are larger than 16 KiB",
    ],
    [
      "more than 100 headers",
      `fetch("https://a.example/", { headers: Array.from({ length: 101 }, (_, i) => ["x-" + i, "v"]) })`,
      "the headers must be at most 100 name and value pairs",
    ],
    [
      "a request poisoned through Object.prototype.toJSON",
      `(Object.prototype.toJSON = () => "z".repeat(1 << 20), fetch("https://a.example/"))`,
      "the request could not be read",
    ],
  ])("refuses %s in the worker", async (_, call, error) => {
    const { seen, hooks } = recordingHooks();
    const result = await run(`try { await ${call}; } catch (e) { return e.message; }`, hooks);
    expect(
      result.status === "finished" && result.outcome.ok && JSON.parse(result.outcome.json),
    ).toBe(`fetch failed: ${error}`);
    expect(seen.fetches).toEqual([]);
    expect(seen.refused).toHaveLength(1);
    expect(seen.refused[0]?.error).toBe(error);
    expect(seen.refused[0]?.url.length).toBeLessThanOrEqual(8192);
  });

  it("posts at most maxLogLines log lines", async () => {
    const { seen, hooks } = recordingHooks();
    await run("for (let i = 0; i < 100; i++) console.log(i); return 1", hooks);
    expect(seen.logs).toHaveLength(20);
  });

  describe("code that catches the interrupt", () => {
    // QuickJS turns an interrupt inside an async function or a promise executor into a rejection,
    // which this code catches and carries on. The worker notices that the interrupt handler is
    // still being asked well after it first said stop, reports, and ends its thread; before that,
    // only the pool's kill at the deadline plus the margin stopped it.
    const evades = "for (;;) (async () => { for (;;); })().catch(() => {});";

    it("in a run, it is reported as a timeout by the worker itself, not killed", async () => {
      const started = performance.now();
      const result = await run(evades, recordingHooks().hooks);
      expect(result).toMatchObject({
        status: "finished",
        outcome: { ok: false, kind: "timeout", reason: "deadline" },
      });
      expect(performance.now() - started).toBeLessThan(LIMITS.timeoutMs + 250);
      expect(await run("return 1", recordingHooks().hooks)).toMatchObject({ status: "finished" });
    });

    it("escaping its wrapper during the check, it is refused as such by the worker itself", async () => {
      const code = `}); ${evades} (function(){`;
      for (const type of ["check", "run"] as const) {
        const result = await pool.submit(
          { type, code, secrets: "{}", limits: LIMITS },
          recordingHooks().hooks,
        );
        expect(result).toMatchObject({
          status: "finished",
          outcome: { kind: "syntax", message: "the code closes the function it is wrapped in" },
        });
      }
    });
  });
});
