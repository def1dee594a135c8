import { describe, expect, it, vi } from "vitest";
import { sweepSometimes } from "./sweep";

describe("sweepSometimes", () => {
  it("runs a task at most once per ten minutes per database handle", () => {
    const handle = {};
    const other = {};
    const sweep = vi.fn(async () => {});
    const start = 1_000_000_000;
    sweepSometimes(handle, "counters", sweep, start);
    sweepSometimes(handle, "counters", sweep, start + 9 * 60_000);
    expect(sweep).toHaveBeenCalledTimes(1);
    sweepSometimes(other, "counters", sweep, start + 9 * 60_000);
    sweepSometimes(handle, "revocations", sweep, start + 9 * 60_000);
    expect(sweep).toHaveBeenCalledTimes(3);
    sweepSometimes(handle, "counters", sweep, start + 10 * 60_000);
    expect(sweep).toHaveBeenCalledTimes(4);
  });

  it("logs a failed sweep instead of failing the request it rides on", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    sweepSometimes({}, "counters", () => Promise.reject(new Error("connection lost")));
    await new Promise((resolve) => setImmediate(resolve));
    expect(warn).toHaveBeenCalledWith("[counters] sweep failed:", "connection lost");
    warn.mockRestore();
  });
});
