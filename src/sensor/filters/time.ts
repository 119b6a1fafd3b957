import type { FilterKind } from "./kind.js";
import type { Where } from "../where.js";
import { failed, fail, PASS, type KindResult } from "./result.js";

export interface CompiledTimeFilter {
  readonly start: string;
  readonly stop: string;
  /** Seconds since midnight. */
  readonly startSec: number;
  readonly stopSec: number;
  readonly timezone?: string;
}

// Go's time.Parse("15:04:05"): hour of one or two digits, minutes and seconds of two.
const HMS = /^(\d{1,2}):(\d{2}):(\d{2})$/;

function parseHms(text: string): number | undefined {
  const m = HMS.exec(text);
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (h > 23 || min > 59 || s > 59) return undefined;
  return h * 3600 + min * 60 + s;
}

export function compileTimeFilter(
  spec: { start: string; stop: string; timezone?: string },
  where: Where,
  at: string,
): CompiledTimeFilter {
  const startSec = parseHms(spec.start);
  if (startSec === undefined) throw where.spec(`${at}.start`, `"${spec.start}" is not HH:MM:SS`);
  const stopSec = parseHms(spec.stop);
  if (stopSec === undefined) throw where.spec(`${at}.stop`, `"${spec.stop}" is not HH:MM:SS`);
  if (spec.timezone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: spec.timezone });
    } catch {
      throw where.spec(`${at}.timezone`, `unknown time zone "${spec.timezone}"`);
    }
  }
  return { start: spec.start, stop: spec.stop, startSec, stopSec, timezone: spec.timezone || undefined };
}

/** Wall-clock seconds since midnight (with milliseconds) of `t` in UTC or the given zone. */
function secondsOfDay(t: Date, timezone: string | undefined): number {
  if (!timezone) return t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds() + t.getUTCMilliseconds() / 1000;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(t);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 3600 + get("minute") * 60 + get("second") + t.getUTCMilliseconds() / 1000;
}

/**
 * Start inclusive, stop exclusive, on the event's day; a stop before (or equal
 * to) the start wraps past midnight, as in the original.
 */
export function checkTime(filter: CompiledTimeFilter, eventTime: string): KindResult {
  const t = new Date(eventTime);
  if (Number.isNaN(t.getTime())) return failed("time", [`event time "${eventTime}" is not a timestamp`]);
  const s = secondsOfDay(t, filter.timezone);
  const inside =
    filter.startSec < filter.stopSec
      ? s >= filter.startSec && s < filter.stopSec
      : s >= filter.startSec || s < filter.stopSec;
  if (inside) return PASS;
  const zone = filter.timezone ?? "UTC";
  return fail(`time filter: event time ${eventTime} is outside [${filter.start}, ${filter.stop}) ${zone}`);
}

export const timeFilterKind: FilterKind<CompiledTimeFilter> = {
  label: "time",
  compile: (spec, where, at) => {
    const time = spec.time as { start: string; stop: string; timezone?: string } | undefined;
    return time ? compileTimeFilter(time, where, `${at}.time`) : undefined;
  },
  check: (c, input) => checkTime(c, input.event.context.time),
};
