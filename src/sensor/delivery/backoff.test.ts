import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../test/support/manual-clock.js";
import { backoffDelay, withRetry, type BackoffPolicy } from "../../retry.js";
import { DEFAULT_BACKOFF, NO_RETRY, parseBackoff } from "./backoff.js";

describe("parseBackoff", () => {
  it.each<[string, unknown, BackoffPolicy]>([
    ["absent -> the fallback", undefined, NO_RETRY],
    ["empty -> Argo Events' defaults", {}, DEFAULT_BACKOFF],
    ["steps 0 -> 5", { steps: 0 }, DEFAULT_BACKOFF],
    ["string duration", { steps: 3, duration: "2s", factor: 2, jitter: 0.5 }, { steps: 3, durationMs: 2000, factor: 2, jitter: 0.5 }],
    ["integer duration = nanoseconds", { duration: 500_000_000 }, { ...DEFAULT_BACKOFF, durationMs: 500 }],
    ["factor and jitter as strings (Amount)", { factor: "1.5", jitter: "0" }, { ...DEFAULT_BACKOFF, factor: 1.5, jitter: 0 }],
  ])("%s", (_name, spec, want) => {
    expect(parseBackoff(spec as never, NO_RETRY)).toEqual(want);
  });

  it.each<[string, unknown, BackoffPolicy]>([
    ["null -> the fallback", null, NO_RETRY],
    ["steps 1 -> one attempt", { steps: 1 }, { ...DEFAULT_BACKOFF, steps: 1 }],
    ["fractional steps round down", { steps: 2.7 }, { ...DEFAULT_BACKOFF, steps: 2 }],
    ["null fields -> the defaults", { steps: null, duration: null, factor: null, jitter: null }, DEFAULT_BACKOFF],
    ['"" fields -> the defaults (not 0)', { steps: "", duration: "", factor: "", jitter: "" }, DEFAULT_BACKOFF],
    ["duration 0s -> no wait", { duration: "0s" }, { ...DEFAULT_BACKOFF, durationMs: 0 }],
    ["integer duration 0 -> no wait", { duration: 0 }, { ...DEFAULT_BACKOFF, durationMs: 0 }],
  ])("%s", (_name, spec, want) => {
    expect(parseBackoff(spec as never, NO_RETRY)).toEqual(want);
  });

  it.each<[unknown, RegExp]>([
    [{ duration: "soon" }, /invalid duration "soon"/],
    [{ duration: "-1s" }, /^duration: expected a duration like "1s" or nanoseconds, got "-1s"$/],
    [{ duration: -1_000_000 }, /^duration: expected a duration like "1s" or nanoseconds, got -1000000$/],
    [{ duration: true }, /^duration: expected a duration like "1s" or nanoseconds, got true$/],
    [{ steps: -1 }, /^steps: expected a non-negative number, got -1$/],
    [{ factor: -1 }, /^factor: expected a non-negative number, got -1$/],
    [{ jitter: "x" }, /^jitter: expected a non-negative number, got "x"$/],
    [{ factor: true }, /^factor: expected a non-negative number, got true$/],
    [{ factor: [] }, /^factor: expected a non-negative number, got \[\]$/],
    ["3", /^expected a mapping with steps, duration, factor, jitter$/],
  ])("rejects %j, naming the field", (spec, message) => {
    expect(() => parseBackoff(spec as never)).toThrow(message);
  });
});

describe("backoffDelay", () => {
  const p: BackoffPolicy = { steps: 5, durationMs: 1000, factor: 2, jitter: 0.5 };
  it.each([
    [1, 0, 1000],
    [2, 0, 2000],
    [3, 0, 4000],
    [1, 1, 1500],
    [3, 0.5, 5000],
  ])("attempt %i, random %d -> %i ms", (n, r, want) => expect(backoffDelay(p, n, () => r)).toBe(want));

  it("factor 0 keeps the duration constant (as Go's wait.Backoff)", () => {
    expect(backoffDelay({ ...p, factor: 0, jitter: 0 }, 4)).toBe(1000);
  });

  it("a wait too long to represent stays infinite (a sleep of NaN would not wait at all)", () => {
    expect(backoffDelay({ steps: 5, durationMs: 1000, factor: 1e200, jitter: 0 }, 3, () => 0.5)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("withRetry", () => {
  it.each<[string, BackoffPolicy, number, boolean, { calls: number; sleeps: number[]; ok: boolean }]>([
    ["one step: no retry", NO_RETRY, 99, true, { calls: 1, sleeps: [], ok: false }],
    ["succeeds on the third of five", { steps: 5, durationMs: 100, factor: 2, jitter: 0 }, 2, true, { calls: 3, sleeps: [100, 200], ok: true }],
    ["gives up after steps", { steps: 3, durationMs: 10, factor: 1, jitter: 0 }, 99, true, { calls: 3, sleeps: [10, 10], ok: false }],
    ["a permanent error is not retried", { steps: 5, durationMs: 10, factor: 1, jitter: 0 }, 99, false, { calls: 1, sleeps: [], ok: false }],
  ])("%s", async (_name, policy, failures, retryable, want) => {
    const clock = new ManualClock();
    let calls = 0;
    const run = withRetry(
      policy,
      async () => {
        calls++;
        if (calls <= failures) throw new Error(`boom ${calls}`);
        return "done";
      },
      { clock, retryable: () => retryable, random: () => 0 },
    );
    if (want.ok) await expect(run).resolves.toBe("done");
    else await expect(run).rejects.toThrow(`boom ${want.calls}`);
    expect(calls).toBe(want.calls);
    expect(clock.sleeps).toEqual(want.sleeps);
  });
});
