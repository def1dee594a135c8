import "server-only";
import { type ResourceLimits, Worker } from "node:worker_threads";
import type { GuestFetchLimits, RefusedFetch } from "./fetch-bridge";

export type { RefusedFetch };

/**
 * A few worker threads that each run one sandbox job at a time (lib/sandbox/worker.mjs). Workers
 * start when work arrives and then stay warm. A job that outlives its deadline by a margin has its
 * worker terminated, because QuickJS's interrupt handler alone does not stop every long built-in
 * (code that merely catches the interrupt, the worker stops itself). Every job starts with the
 * check that its code compiles as the function body, which has a short deadline of its own: from
 * the moment the worker reports that it has the job ("started") until it reports the check done
 * ("checked"), the margin runs from that deadline instead. A worker that is terminated, crashes
 * or asks to retire is simply dropped, and the next job that needs one starts a fresh one. Jobs
 * wait in a bounded queue; a job that finds it full is turned away at once, so nothing waits
 * without bound.
 *
 * This module imports only node built-ins (and types): Next's server bundle imports it, and the
 * worker is a plain file started by path, which no bundler needs to follow.
 */

/** The limits the worker applies inside QuickJS. */
export interface GuestLimits {
  timeoutMs: number;
  /**
   * For the check that the code compiles as the function body: code that closes its wrapper early
   * runs during it, so it gets its own short deadline, in a check job and in a run alike.
   */
  checkTimeoutMs: number;
  memoryBytes: number;
  stackBytes: number;
  maxLogLines: number;
  /** How much of a log line or error text the guest sends; the host cuts further after redacting. */
  guestTextChars: number;
  maxValueBytes: number;
  /** Checked in the worker before a request is posted; see GuestFetchLimits. */
  fetch: GuestFetchLimits;
}

export type WorkerJob =
  | { type: "run"; code: string; secrets: string; limits: GuestLimits }
  | { type: "check"; code: string; limits: GuestLimits };

/** What the worker reports for a job it finished. */
export type GuestOutcome =
  | { ok: true; json: string }
  | {
      ok: false;
      kind: "threw" | "syntax" | "resources" | "unavailable";
      name: string;
      message: string;
    }
  | { ok: false; kind: "timeout"; reason: "deadline" | "never_settles" };

export interface JobHooks {
  /**
   * A fetch the code made, as the guest's JSON text; resolves to the reply's JSON text and never
   * rejects. The signal aborts when the job ends, whatever the reason.
   */
  fetch(request: string, context: { deadline: number; signal: AbortSignal }): Promise<string>;
  /** A request the worker refused without posting it; the guest has its answer already. */
  refusedFetch(notice: RefusedFetch): void;
  log(line: string): void;
}

export type JobResult =
  | { status: "finished"; outcome: GuestOutcome; durationMs: number }
  /**
   * Past its deadline and the margin: the worker was terminated. `during` says what it was doing:
   * "sent", it never reported having the job (not the code's fault); "check", still checking the
   * code, which only code that closes its wrapper early keeps busy; "run", running it.
   */
  | { status: "killed"; during: Phase; durationMs: number }
  /** The worker died under the job: V8 heap exhausted, or a crash. */
  | { status: "lost"; reason: "out_of_memory" | "crashed"; durationMs: number }
  | { status: "unavailable"; reason: "queue_full" | "closed" | "start_failed"; durationMs: 0 };

export interface WorkerPool {
  submit(job: WorkerJob, hooks: JobHooks): Promise<JobResult>;
  /** Terminates every worker; queued and running jobs end as unavailable ("closed"). */
  close(): Promise<void>;
}

export interface PoolOptions {
  workerFile: string;
  size: number;
  maxQueued: number;
  /** How long past a job's own deadline its worker may take before it is terminated. */
  killMarginMs: number;
  /** How long a new worker may take to load QuickJS before it counts as failed. */
  startTimeoutMs: number;
  resourceLimits: ResourceLimits;
}

interface Pending {
  job: WorkerJob;
  hooks: JobHooks;
  resolve(result: JobResult): void;
}

type Phase = "sent" | "check" | "run";

interface Running extends Pending {
  id: number;
  startedAt: number;
  deadline: number;
  /** From the worker's "started" and "checked". */
  phase: Phase;
  killTimer: NodeJS.Timeout | undefined;
  /** Identifies the kill timer last armed: one that was replaced kills nothing. */
  killToken: object;
  /** Aborts the job's fetches in flight once it has ended. */
  ended: AbortController;
}

interface Slot {
  worker: Worker;
  state: "starting" | "idle" | "busy";
  running: Running | undefined;
  startTimer: NodeJS.Timeout | undefined;
}

type FromWorker =
  | { type: "ready" }
  | { type: "started"; id: number }
  | { type: "checked"; id: number }
  | { type: "fetch"; id: number; fetchId: number; request: string }
  | ({ type: "fetch-refused"; id: number } & RefusedFetch)
  | { type: "log"; id: number; line: string }
  | { type: "done"; id: number; outcome: GuestOutcome; retire: boolean };

export function createWorkerPool(options: PoolOptions): WorkerPool {
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextJobId = 1;
  let closed = false;

  function submit(job: WorkerJob, hooks: JobHooks): Promise<JobResult> {
    if (closed) return Promise.resolve(unavailable("closed"));
    return new Promise<JobResult>((resolve) => {
      const pending: Pending = { job, hooks, resolve };
      const idle = [...slots].find((slot) => slot.state === "idle");
      if (idle) dispatch(idle, pending);
      else if (queue.length >= options.maxQueued) resolve(unavailable("queue_full"));
      else {
        queue.push(pending);
        startWorkersForQueue();
      }
    });
  }

  /** Starts workers while there is room and queued jobs that no starting worker will take. */
  function startWorkersForQueue(): void {
    const starting = () => [...slots].filter((slot) => slot.state === "starting").length;
    while (!closed && slots.size < options.size && queue.length > starting()) startWorker();
  }

  function startWorker(): void {
    const worker = new Worker(options.workerFile, {
      // No tsx or test-runner flags: the worker is plain JavaScript. No environment either: the
      // guest cannot reach it, and the thread has no use for the server's secrets.
      execArgv: [],
      env: {},
      resourceLimits: options.resourceLimits,
    });
    const slot: Slot = { worker, state: "starting", running: undefined, startTimer: undefined };
    slot.startTimer = setTimeout(() => {
      console.error("[sandbox] a worker did not start in time");
      dropSlot(slot, "crashed");
    }, options.startTimeoutMs);
    slots.add(slot);
    worker.on("message", (message: FromWorker) => onMessage(slot, message));
    worker.on("error", (error: Error & { code?: string }) => {
      if (slot.state === "starting") console.error(`[sandbox] a worker failed to start: ${error}`);
      dropSlot(slot, error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "out_of_memory" : "crashed");
    });
    worker.on("exit", () => dropSlot(slot, "crashed"));
  }

  function onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === "ready") {
      clearTimeout(slot.startTimer);
      takeNext(slot);
      return;
    }
    const running = slot.running;
    if (!running || message.id !== running.id) return;
    switch (message.type) {
      case "started":
        // Armed only now: a busy machine can take a while to hand the worker its message, and
        // that wait must not count against a check that takes a few milliseconds.
        if (running.phase === "sent") {
          running.phase = "check";
          const { checkTimeoutMs } = running.job.limits;
          armKillTimer(slot, running, Math.min(checkTimeoutMs, running.deadline - Date.now()));
        }
        return;
      case "checked":
        if (running.phase === "check") {
          running.phase = "run";
          armKillTimer(slot, running, running.deadline - Date.now());
        }
        return;
      case "fetch":
        void answerFetch(slot, running, message.fetchId, message.request);
        return;
      case "fetch-refused": {
        const { method, methodCut, url, urlCut, error } = message;
        running.hooks.refusedFetch({ method, methodCut, url, urlCut, error });
        return;
      }
      case "log":
        running.hooks.log(message.line);
        return;
      case "done":
        finish(slot, {
          status: "finished",
          outcome: message.outcome,
          durationMs: performance.now() - running.startedAt,
        });
        if (message.retire) dropSlot(slot, "crashed");
        else takeNext(slot);
        return;
      default: {
        const unreachable: never = message;
        console.error(`[sandbox] unknown message from a worker: ${String(unreachable)}`);
      }
    }
  }

  async function answerFetch(
    slot: Slot,
    running: Running,
    fetchId: number,
    request: string,
  ): Promise<void> {
    const reply = await running.hooks
      .fetch(request, { deadline: running.deadline, signal: running.ended.signal })
      // The hook does not reject; if it ever did, the guest still gets an answer.
      .catch(() => JSON.stringify({ error: "the request failed" }));
    // A late answer for a job that has ended (or a worker since replaced) goes nowhere.
    if (slot.running === running && slots.has(slot)) {
      slot.worker.postMessage({ type: "fetch-result", id: running.id, fetchId, reply });
    }
  }

  function dispatch(slot: Slot, pending: Pending): void {
    const id = nextJobId;
    nextJobId += 1;
    const { timeoutMs } = pending.job.limits;
    const running: Running = {
      ...pending,
      id,
      startedAt: performance.now(),
      deadline: Date.now() + timeoutMs,
      phase: "sent",
      killTimer: undefined,
      killToken: {},
      ended: new AbortController(),
    };
    armKillTimer(slot, running, timeoutMs);
    slot.state = "busy";
    slot.running = running;
    // A busy worker keeps the process alive until its job ends; an idle one does not.
    slot.worker.ref();
    slot.worker.postMessage({ ...pending.job, id });
  }

  function takeNext(slot: Slot): void {
    const next = queue.shift();
    if (next) {
      dispatch(slot, next);
      return;
    }
    slot.state = "idle";
    slot.worker.unref();
  }

  function finish(slot: Slot, result: JobResult): void {
    const running = slot.running;
    if (!running) return;
    slot.running = undefined;
    clearTimeout(running.killTimer);
    running.ended.abort();
    running.resolve(result);
  }

  /**
   * Terminates the worker `ms` plus the margin from now unless the job ends or moves on to its
   * next phase first. The timer defers the decision by one setImmediate: a "checked" or "done"
   * that the worker posted in time but that this thread has not read yet (its event loop was busy)
   * is read first, in the poll phase, and wins.
   */
  function armKillTimer(slot: Slot, running: Running, ms: number): void {
    clearTimeout(running.killTimer);
    const token = {};
    running.killToken = token;
    running.killTimer = setTimeout(
      () =>
        setImmediate(() => {
          if (slot.running === running && running.killToken === token) kill(slot);
        }),
      Math.max(0, ms) + options.killMarginMs,
    );
  }

  function kill(slot: Slot): void {
    const running = slot.running;
    if (!running) return;
    finish(slot, {
      status: "killed",
      during: running.phase,
      durationMs: performance.now() - running.startedAt,
    });
    dropSlot(slot, "crashed");
  }

  /** Forgets a worker (terminating it if it still runs) and fails the job it had, if any. */
  function dropSlot(slot: Slot, reason: "out_of_memory" | "crashed"): void {
    if (!slots.delete(slot)) return;
    clearTimeout(slot.startTimer);
    const running = slot.running;
    if (running) {
      finish(slot, { status: "lost", reason, durationMs: performance.now() - running.startedAt });
    }
    void slot.worker.terminate();
    if (slot.state === "starting" && !closed && slots.size === 0) {
      // Nothing could start: the queue is turned away rather than retried in a loop.
      for (const pending of queue.splice(0)) pending.resolve(unavailable("start_failed"));
      return;
    }
    startWorkersForQueue();
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const pending of queue.splice(0)) pending.resolve(unavailable("closed"));
    const terminations = [...slots].map((slot) => {
      finish(slot, unavailable("closed"));
      clearTimeout(slot.startTimer);
      return slot.worker.terminate();
    });
    slots.clear();
    await Promise.all(terminations);
  }

  return { submit, close };
}

function unavailable(reason: "queue_full" | "closed" | "start_failed"): JobResult {
  return { status: "unavailable", reason, durationMs: 0 };
}
