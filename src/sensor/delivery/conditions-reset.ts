import { createRequire } from "node:module";
import type { CronExpressionParser as CronParser } from "cron-parser";
import type { ConditionsResetCriteria } from "../../api/index.js";
import type { Clock } from "./clock.js";

const require = createRequire(import.meta.url);
let cronParser: typeof CronParser | undefined;

/** cron-parser, loaded by the first Sensor with a `conditionsReset` (most have none). */
function cron(): typeof CronParser {
  cronParser ??= (require("cron-parser") as typeof import("cron-parser")).CronExpressionParser;
  return cronParser;
}

interface Cron {
  expression: string;
  timezone?: string;
}

/**
 * A trigger's `conditionsReset` schedules (`byTime: {cron, timezone}`, five-field
 * cron as Argo Events). At each tick the partial matches older than the tick are
 * dropped; comparing with the tick time keeps the reset idempotent when every
 * replica runs it, and lets the runner ignore events from before the last tick
 * even when a reset ran late or while no process was up.
 */
export class ConditionsReset {
  private constructor(private readonly crons: Cron[]) {}

  /** Undefined when there is no byTime entry; throws on a bad cron or timezone. */
  static compile(criteria: ConditionsResetCriteria[] | undefined, now: Date): ConditionsReset | undefined {
    const crons = (criteria ?? []).flatMap((c) => (c?.byTime?.cron ? [{ expression: c.byTime.cron, timezone: c.byTime.timezone || undefined }] : []));
    if (crons.length === 0) return undefined;
    const reset = new ConditionsReset(crons);
    for (const c of crons) reset.check(c, now);
    return reset;
  }

  /** Fails now, not at the first tick, with a message that names the cron or the timezone. */
  private check(c: Cron, now: Date): void {
    // robfig/cron's ParseStandard, which Argo Events uses: five fields or an @descriptor.
    const fields = c.expression.trim().split(/\s+/).length;
    if (!c.expression.trim().startsWith("@") && fields !== 5) {
      throw new Error(`byTime.cron ${JSON.stringify(c.expression)}: expected 5 fields (minute hour day-of-month month day-of-week), got ${fields}`);
    }
    if (c.timezone) {
      try {
        new Intl.DateTimeFormat("en", { timeZone: c.timezone });
      } catch {
        throw new Error(`byTime.timezone ${JSON.stringify(c.timezone)}: not a known IANA time zone (e.g. "Europe/Berlin")`);
      }
    }
    try {
      this.parse(c, now).next();
    } catch (err) {
      throw new Error(`byTime.cron ${JSON.stringify(c.expression)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private parse(c: Cron, at: Date) {
    return cron().parse(c.expression, { currentDate: at, tz: c.timezone });
  }

  /** The latest tick at or before `now`, if any. */
  lastTick(now: Date): Date | undefined {
    let last: Date | undefined;
    // Just after `now`, so a tick exactly at `now` counts as passed.
    const after = new Date(now.getTime() + 1);
    for (const c of this.crons) {
      const prev = this.parse(c, after).prev().toDate();
      if (!last || prev > last) last = prev;
    }
    return last;
  }

  /** The first tick after `now`. */
  nextTick(now: Date): Date {
    let next: Date | undefined;
    for (const c of this.crons) {
      const n = this.parse(c, now).next().toDate();
      if (!next || n < next) next = n;
    }
    return next as Date;
  }

  /** Calls `onTick(tick)` at every tick until the returned function is called. */
  schedule(clock: Clock, onTick: (tick: Date) => void): () => void {
    let cancel: (() => void) | undefined;
    let stopped = false;
    const arm = (): void => {
      if (stopped) return;
      const tick = this.nextTick(clock.now());
      cancel = clock.setTimer(() => {
        onTick(tick);
        arm();
      }, Math.max(0, tick.getTime() - clock.now().getTime()));
    };
    arm();
    return () => {
      stopped = true;
      cancel?.();
    };
  }
}
