import type { Backoff } from "../../api/index.js";
import { parseGoDuration } from "../../expr/index.js";
import type { BackoffPolicy } from "../../retry.js";

/** Argo Events' defaults for a Backoff whose fields are left out. */
export const DEFAULT_BACKOFF: BackoffPolicy = { steps: 5, durationMs: 1000, factor: 1, jitter: 1 };
/** No retryStrategy: one attempt. */
export const NO_RETRY: BackoffPolicy = { steps: 1, durationMs: 0, factor: 1, jitter: 0 };

function amount(field: string, v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === "") return fallback;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw new Error(`${field}: expected a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

/** An int duration is nanoseconds, a string a Go duration ("1s", "500ms"). */
function duration(v: unknown, fallbackMs: number): number {
  if (v === undefined || v === null || v === "") return fallbackMs;
  const ms = typeof v === "number" ? v / 1e6 : typeof v === "string" ? parseGoDuration(v) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`duration: expected a duration like "1s" or nanoseconds, got ${JSON.stringify(v)}`);
  return ms;
}

/** Reads a Backoff the way Argo Events does: missing fields take the defaults, steps <= 0 means 5. */
export function parseBackoff(spec: Backoff | undefined | null, whenAbsent: BackoffPolicy = DEFAULT_BACKOFF): BackoffPolicy {
  if (spec === undefined || spec === null) return whenAbsent;
  if (typeof spec !== "object") throw new Error("expected a mapping with steps, duration, factor, jitter");
  const steps = amount("steps", spec.steps, 0);
  return {
    steps: steps >= 1 ? Math.floor(steps) : DEFAULT_BACKOFF.steps,
    durationMs: duration(spec.duration, DEFAULT_BACKOFF.durationMs),
    factor: amount("factor", spec.factor, DEFAULT_BACKOFF.factor),
    jitter: amount("jitter", spec.jitter, DEFAULT_BACKOFF.jitter),
  };
}
