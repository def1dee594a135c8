import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { defaultResolveHost } from "@/lib/outbound/ssrf-guard";
import { guestFetchLimits } from "./fetch-bridge";
import { createWorkerPool, type GuestLimits, type JobHooks, type WorkerPool } from "./pool";

/**
 * The pool's lifecycle with stand-in workers that misbehave on request: one that never answers
 * (what a QuickJS built-in stuck past the deadline looks like from outside), one that exits, one
 * that throws, one that asks to retire, one that cannot start. sandbox.test.ts covers the real
 * worker.
 */

const STAND_IN = `
import { parentPort, threadId } from "node:worker_threads";
parentPort.postMessage({ type: "ready" });
parentPort.on("message", (job) => {
  if (job.type !== "run") return;
  if (job.code === "silent") return;
  parentPort.postMessage({ type: "started", id: job.id });
  if (job.code === "hang in check") return;
  parentPort.postMessage({ type: "checked", id: job.id });
  if (job.code === "hang") return;
  if (job.code === "exit") process.exit(3);
  if (job.code === "throw") throw new Error("stand-in failure");
  if (job.code === "log") parentPort.postMessage({ type: "log", id: job.id, line: "hello" });
  parentPort.postMessage({
    type: "done",
    id: job.id,
    outcome: { ok: true, json: JSON.stringify({ code: job.code, threadId }) },
    retire: job.code === "retire",
  });
});
`;
const CANNOT_START = `throw new Error("this worker cannot start");`;

const LIMITS: GuestLimits = {
  timeoutMs: 200,
  checkTimeoutMs: 100,
  memoryBytes: 1,
  stackBytes: 1,
  maxLogLines: 1,
  guestTextChars: 1,
  maxValueBytes: 1,
  fetch: guestFetchLimits({
    allowPrivate: false,
    resolveHost: defaultResolveHost,
    maxFetches: 1,
    maxRequestBodyBytes: 1,
    maxResponseBodyBytes: 1,
    maxRedirects: 0,
  }),
};
const HOOKS: JobHooks = { fetch: async () => "{}", refusedFetch: () => {}, log: () => {} };

describe("worker pool", () => {
  let directory: string;
  let pools: WorkerPool[] = [];

  function pool(file: "stand-in.mjs" | "cannot-start.mjs", size = 1, maxQueued = 8): WorkerPool {
    const created = createWorkerPool({
      workerFile: path.join(directory, file),
      size,
      maxQueued,
      killMarginMs: 100,
      startTimeoutMs: 5_000,
      resourceLimits: { stackSizeMb: 4 },
    });
    pools.push(created);
    return created;
  }
  const run = (target: WorkerPool, code: string, hooks = HOOKS) =>
    target.submit({ type: "run", code, secrets: "{}", limits: LIMITS }, hooks);
  const threadOf = async (target: WorkerPool, code = "who") => {
    const result = await run(target, code);
    if (result.status !== "finished" || !result.outcome.ok) throw new Error(JSON.stringify(result));
    return (JSON.parse(result.outcome.json) as { threadId: number }).threadId;
  };

  beforeAll(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), "authdesk-pool-"));
    writeFileSync(path.join(directory, "stand-in.mjs"), STAND_IN);
    writeFileSync(path.join(directory, "cannot-start.mjs"), CANNOT_START);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(pools.map((each) => each.close()));
    pools = [];
  });

  it("keeps a worker warm between jobs and passes log lines on", async () => {
    const target = pool("stand-in.mjs");
    const lines: string[] = [];
    const result = await run(target, "log", { ...HOOKS, log: (line) => lines.push(line) });
    expect(result).toMatchObject({ status: "finished", outcome: { ok: true } });
    expect(lines).toEqual(["hello"]);
    expect(await threadOf(target)).toBe(await threadOf(target));
  });

  it("terminates a worker that does not answer by the deadline plus the margin, and replaces it", async () => {
    const target = pool("stand-in.mjs");
    const before = await threadOf(target);
    const started = performance.now();
    const result = await run(target, "hang");
    expect(result).toMatchObject({ status: "killed", during: "run" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(LIMITS.timeoutMs + 100 - 10);
    const after = await threadOf(target);
    expect(after).not.toBe(before);
  });

  it("terminates a worker that has not finished checking the code by the check's deadline plus the margin", async () => {
    const target = pool("stand-in.mjs");
    await threadOf(target);
    const started = performance.now();
    expect(await run(target, "hang in check")).toMatchObject({ status: "killed", during: "check" });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(LIMITS.checkTimeoutMs + 100 - 10);
    expect(elapsed).toBeLessThan(LIMITS.timeoutMs + 100);
  });

  it("gives a worker that has not even reported the job the job's whole deadline", async () => {
    const target = pool("stand-in.mjs");
    await threadOf(target);
    const started = performance.now();
    expect(await run(target, "silent")).toMatchObject({ status: "killed", during: "sent" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(LIMITS.timeoutMs + 100 - 10);
  });

  it.each([
    ["exits", "exit"],
    ["throws", "throw"],
  ])("reports a worker that %s under a job as lost, and the next job works", async (_, code) => {
    const target = pool("stand-in.mjs");
    const before = await threadOf(target);
    expect(await run(target, code)).toMatchObject({ status: "lost", reason: "crashed" });
    expect(await threadOf(target)).not.toBe(before);
  });

  it("replaces a worker that asks to retire after finishing its job", async () => {
    const target = pool("stand-in.mjs");
    const retiring = await threadOf(target, "retire");
    expect(await threadOf(target)).not.toBe(retiring);
  });

  it("turns a job away at once when the queue is full", async () => {
    const target = pool("stand-in.mjs", 1, 1);
    await threadOf(target);
    const busy = run(target, "hang");
    const queued = run(target, "queued");
    expect(await run(target, "turned away")).toEqual({
      status: "unavailable",
      reason: "queue_full",
      durationMs: 0,
    });
    expect((await busy).status).toBe("killed");
    expect(await queued).toMatchObject({ status: "finished" });
  });

  it("fails the queue, without retrying in a loop, when no worker can start", async () => {
    const error = console.error;
    console.error = () => {};
    try {
      const target = pool("cannot-start.mjs");
      const results = await Promise.all([run(target, "a"), run(target, "b")]);
      for (const result of results) {
        expect(result).toEqual({ status: "unavailable", reason: "start_failed", durationMs: 0 });
      }
    } finally {
      console.error = error;
    }
  });

  it("ends running and queued jobs as closed, and refuses new ones", async () => {
    const target = pool("stand-in.mjs");
    await threadOf(target);
    const running = run(target, "hang");
    const queued = run(target, "queued");
    await target.close();
    for (const result of await Promise.all([running, queued, run(target, "late")])) {
      expect(result).toEqual({ status: "unavailable", reason: "closed", durationMs: 0 });
    }
  });
});
