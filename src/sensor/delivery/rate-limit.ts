import type { RateLimit } from "../../api/index.js";
import type { Clock } from "./clock.js";

const UNIT_MS: Record<string, number> = { Second: 1000, Minute: 60_000, Hour: 3_600_000 };

/**
 * At most `limit` acquisitions in any window of `unitMs` (a sliding log of the
 * last `limit` grant times). Unlike a token bucket that starts full, even the
 * first burst is held to the limit. Per trigger, per process.
 */
export class RateLimiter {
  private readonly granted: number[] = [];

  constructor(
    readonly limit: number,
    readonly unitMs: number,
    private readonly clock: Clock,
  ) {}

  /** Waits for a slot; resolves with the milliseconds waited. */
  async acquire(): Promise<number> {
    const started = this.clock.now().getTime();
    for (;;) {
      const now = this.clock.now().getTime();
      while (this.granted.length > 0 && (this.granted[0] as number) <= now - this.unitMs) this.granted.shift();
      if (this.granted.length < this.limit) {
        // Check and record happen in one synchronous step, so concurrent callers cannot both take the last slot.
        this.granted.push(now);
        return now - started;
      }
      await this.clock.sleep((this.granted[0] as number) + this.unitMs - now);
    }
  }
}

/** The limiter of a trigger's `rateLimit`; none when absent or requestsPerUnit is 0. */
export function rateLimiterFor(spec: RateLimit | undefined | null, clock: Clock): RateLimiter | undefined {
  if (!spec || typeof spec !== "object") return undefined;
  const n = spec.requestsPerUnit ?? 0;
  if (!Number.isInteger(n) || n < 0) throw new Error(`requestsPerUnit: expected a non-negative integer, got ${JSON.stringify(n)}`);
  if (n === 0) return undefined;
  const unit = spec.unit || "Second";
  const unitMs = UNIT_MS[unit];
  if (unitMs === undefined) throw new Error(`unit: expected Second, Minute or Hour, got ${JSON.stringify(unit)}`);
  return new RateLimiter(n, unitMs, clock);
}
