import "server-only";

/**
 * Group commit for small statements. Callers submit one item each; items that arrive while the
 * batches in flight run wait together and go as one statement when a batch finishes. With no
 * load an item goes on its own at the next turn of the event loop, so batching adds no waiting;
 * under load the price of a round trip (the socket writes on both sides, the plan, the commit)
 * is shared by every request that arrived meanwhile. Each item gets its own result.
 *
 * Batches only ever read or write committed state after their items were submitted, so a
 * batched lookup sees every change committed before the request that made it arrived.
 *
 * A statement that fails fails every item it carried (their requests answer 500, as each would
 * alone). The queue has no bound of its own: it holds at most one item per request in flight,
 * and the HTTP server bounds those.
 */
export interface Batcher<Item, Result> {
  submit(item: Item): Promise<Result>;
}

export interface BatcherOptions {
  /** The most items one statement carries; the rest wait for the next batch. */
  maxBatchSize: number;
  /** Batches running at once (each takes a pooled connection). */
  maxInFlight: number;
}

export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = { maxBatchSize: 100, maxInFlight: 2 };

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** `runBatch` must answer with one result per item, in the items' order. */
export function createBatcher<Item, Result>(
  runBatch: (items: Item[]) => Promise<Result[]>,
  options: BatcherOptions = DEFAULT_BATCHER_OPTIONS,
): Batcher<Item, Result> {
  const queue: Waiting<Item, Result>[] = [];
  let inFlight = 0;
  let scheduled = false;

  function submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
  }

  // setImmediate runs after the current round of I/O callbacks, so requests whose bytes arrived
  // together share the first batch too.
  function schedule(): void {
    if (scheduled || inFlight >= options.maxInFlight) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      startBatches();
    });
  }

  function startBatches(): void {
    while (inFlight < options.maxInFlight && queue.length > 0) {
      inFlight++;
      void run(queue.splice(0, options.maxBatchSize)).finally(() => {
        inFlight--;
        if (queue.length > 0) startBatches();
      });
    }
  }

  async function run(batch: Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await runBatch(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) {
        throw new Error(`A batch of ${batch.length} answered with ${results.length} results`);
      }
      for (const [index, waiting] of batch.entries()) waiting.resolve(results[index] as Result);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  return { submit };
}
