import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { apiClients } from "@/db/schema";

/**
 * Keeps `api_clients.last_used_at` current to the minute without a database write per request:
 * each instance writes a client's time at most once a minute, in the background of the request
 * that used it. "Last used" is shown to admins in minutes, so finer precision would cost writes
 * nobody reads.
 */
export interface LastUsedRecorder {
  record(clientId: string): void;
  /** Waits for the writes already started (tests, shutdown). */
  settle(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 60_000;
const PRUNE_ABOVE_CLIENTS = 10_000;

export function createLastUsedRecorder(
  executor: Executor,
  options: { intervalMs?: number; now?: () => number } = {},
): LastUsedRecorder {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const now = options.now ?? Date.now;
  const writtenAt = new Map<string, number>();
  const pending = new Set<Promise<void>>();

  function record(clientId: string): void {
    const at = now();
    if (at - (writtenAt.get(clientId) ?? Number.NEGATIVE_INFINITY) < intervalMs) return;
    if (writtenAt.size > PRUNE_ABOVE_CLIENTS) prune(at);
    writtenAt.set(clientId, at);
    const write = executor
      .update(apiClients)
      .set({ lastUsedAt: sql`now()` })
      .where(eq(apiClients.id, clientId))
      .then(() => undefined)
      .catch((error: unknown) => {
        // Losing a last-used time is harmless; failing the caller's request over it is not.
        console.warn("[api-auth] recording last use failed:", (error as Error).message);
      });
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  function prune(at: number): void {
    for (const [clientId, time] of writtenAt)
      if (at - time >= intervalMs) writtenAt.delete(clientId);
  }

  async function settle(): Promise<void> {
    await Promise.all([...pending]);
  }

  return { record, settle };
}
