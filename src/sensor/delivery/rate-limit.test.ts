import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../test/support/manual-clock.js";
import { rateLimiterFor } from "./rate-limit.js";

/** The most grants in any window of `unitMs`. */
function maxInWindow(times: number[], unitMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + unitMs).length));
}

describe("rateLimiterFor", () => {
  it.each([[undefined], [null], [{}], [{ unit: "Minute", requestsPerUnit: 0 }]])("%j: no limiter", (spec) => {
    expect(rateLimiterFor(spec as never, new ManualClock())).toBeUndefined();
  });

  it.each<[unknown, string]>([
    [{ unit: "Day", requestsPerUnit: 1 }, 'unit: expected Second, Minute or Hour, got "Day"'],
    [{ requestsPerUnit: 1.5 }, "requestsPerUnit: expected a non-negative integer, got 1.5"],
    [{ requestsPerUnit: -1 }, "requestsPerUnit: expected a non-negative integer, got -1"],
  ])("%j: rejected, naming the field", (spec, message) => {
    expect(() => rateLimiterFor(spec as never, new ManualClock())).toThrow(message);
  });

  it.each([
    ["Second", 3, 1000, 10],
    ["Minute", 2, 60_000, 7],
    ["Hour", 5, 3_600_000, 12],
    [undefined, 1, 1000, 4],
  ])("unit %s, %i per unit: never more, including the first burst", async (unit, n, unitMs, calls) => {
    const clock = new ManualClock(undefined, { autoAdvance: false });
    const limiter = rateLimiterFor({ unit: unit as "Second", requestsPerUnit: n }, clock);
    const times: number[] = [];
    const all = Promise.all(
      Array.from({ length: calls }, async () => {
        const waited = await limiter!.acquire();
        times.push(clock.now().getTime());
        return waited;
      }),
    );
    await clock.runUntilIdle();
    const waits = await all;
    expect(times).toHaveLength(calls);
    expect(maxInWindow(times, unitMs)).toBe(n);
    // The first n go at once, the rest wait.
    expect(waits.filter((w) => w === 0)).toHaveLength(n);
  });
});
