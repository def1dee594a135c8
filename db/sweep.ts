import "server-only";

/**
 * Housekeeping deletes (ended rate-limit windows, expired revocations) run in the background of
 * the requests that add such rows, at most once per interval per database handle and task: no
 * timer to start or stop, and an idle instance does no work. A failed sweep is logged and tried
 * again after the next interval; the rows it leaves count for nothing anyway.
 */
const SWEEP_INTERVAL_MS = 10 * 60_000;
const lastRunAt = new WeakMap<object, Map<string, number>>();

export function sweepSometimes(
  executor: object,
  task: string,
  sweep: () => Promise<void>,
  now = Date.now(),
): void {
  let runs = lastRunAt.get(executor);
  if (!runs) {
    runs = new Map();
    lastRunAt.set(executor, runs);
  }
  if (now - (runs.get(task) ?? 0) < SWEEP_INTERVAL_MS) return;
  runs.set(task, now);
  sweep().catch((error: unknown) => {
    console.warn(`[${task}] sweep failed:`, (error as Error).message);
  });
}
