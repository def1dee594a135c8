import { describe, expect, it } from "vitest";
import { createBatcher } from "./batcher";

/** A runBatch that records each batch and answers when the test says so. */
function controlledRunner() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  let running = 0;
  let mostAtOnce = 0;
  const run = (items: number[]) => {
    batches.push(items);
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<number[]>((resolve) => {
      pending.push(() => {
        running--;
        resolve(items.map((item) => item * 10));
      });
    });
  };
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  /** Answers batches, and the ones they let start, until none is left. */
  const finishAll = async () => {
    await nextTurn();
    while (pending.length > 0) {
      for (const finish of pending.splice(0)) finish();
      await nextTurn();
      await nextTurn();
    }
  };
  return { run, batches, finishAll, mostAtOnce: () => mostAtOnce };
}

describe("createBatcher", () => {
  it("runs a lone item on its own, straight away", async () => {
    const runner = controlledRunner();
    const batcher = createBatcher(runner.run, { maxBatchSize: 10, maxInFlight: 1 });
    const result = batcher.submit(7);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runner.batches).toEqual([[7]]);
    await runner.finishAll();
    expect(await result).toBe(70);
  });

  it("puts items that arrive while a batch runs into the next one, each with its own result", async () => {
    const runner = controlledRunner();
    const batcher = createBatcher(runner.run, { maxBatchSize: 10, maxInFlight: 1 });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((item) => batcher.submit(item));
    await new Promise((resolve) => setImmediate(resolve));
    expect(runner.batches).toEqual([[1]]);
    await runner.finishAll();
    expect(runner.batches).toEqual([[1], [2, 3, 4]]);
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40]);
  });

  it("keeps to the batch size and the number of batches in flight", async () => {
    const runner = controlledRunner();
    const batcher = createBatcher(runner.run, { maxBatchSize: 3, maxInFlight: 2 });
    const results = Array.from({ length: 10 }, (_, item) => batcher.submit(item));
    await runner.finishAll();
    expect(await Promise.all(results)).toEqual(Array.from({ length: 10 }, (_, item) => item * 10));
    expect(runner.batches.every((batch) => batch.length <= 3)).toBe(true);
    expect(runner.batches.flat()).toEqual(Array.from({ length: 10 }, (_, item) => item));
    expect(runner.mostAtOnce()).toBe(2);
  });

  it("fails every item of a failed batch, and goes on with the next", async () => {
    let calls = 0;
    const batcher = createBatcher(
      async (items: number[]) => {
        calls++;
        if (calls === 1) throw new Error("connection lost");
        return items;
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    const failed = [batcher.submit(1), batcher.submit(2)];
    for (const result of failed) await expect(result).rejects.toThrow("connection lost");
    expect(await batcher.submit(3)).toBe(3);
  });

  it("refuses a batch answered with the wrong number of results", async () => {
    const batcher = createBatcher(async () => [1], { maxBatchSize: 10, maxInFlight: 1 });
    const results = [batcher.submit(1), batcher.submit(2)];
    for (const result of results) await expect(result).rejects.toThrow("answered with 1 results");
  });
});
