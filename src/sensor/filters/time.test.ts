// filters.time beyond the case table in filters.test.ts: what Go's
// time.Parse("15:04:05") accepts, the window's edges to the second, time zones,
// and events whose time is not a timestamp.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EventDependencyFilter } from "../../api/types.js";
import { SpecError } from "../../errors.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { compileFilters } from "./filters.js";
import { FILTERS_AT, filterEvent, runFilters } from "../../../test/support/filter-harness.js";

const event = (time: string): SensorEvent => filterEvent({ body: {} }, { time });

const where = new Where("ns", "sensor");
const AT = FILTERS_AT;

const window = (start: string, stop: string, timezone?: string): EventDependencyFilter =>
  ({ time: { start, stop, ...(timezone === undefined ? {} : { timezone }) } }) as EventDependencyFilter;

function at(eventTime: string, filters: EventDependencyFilter, op?: "and" | "or") {
  return runFilters(filters, op, event(eventTime));
}

function compileError(filters: EventDependencyFilter): unknown {
  try {
    compileFilters(filters, undefined, where, AT);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("start and stop are Go 15:04:05 times", () => {
  it.each([
    ["9am", "start", 'ns/sensor Sensor spec.dependencies[0].filters.time.start: "9am" is not HH:MM:SS'],
    ["123:00:00", "start", 'ns/sensor Sensor spec.dependencies[0].filters.time.start: "123:00:00" is not HH:MM:SS'],
    ["12:00:00x", "start", 'ns/sensor Sensor spec.dependencies[0].filters.time.start: "12:00:00x" is not HH:MM:SS'],
    ["10:60:00", "start", 'ns/sensor Sensor spec.dependencies[0].filters.time.start: "10:60:00" is not HH:MM:SS'],
    ["10:00:60", "start", 'ns/sensor Sensor spec.dependencies[0].filters.time.start: "10:00:60" is not HH:MM:SS'],
    ["24:00:00", "stop", 'ns/sensor Sensor spec.dependencies[0].filters.time.stop: "24:00:00" is not HH:MM:SS'],
    ["1:2:3", "stop", 'ns/sensor Sensor spec.dependencies[0].filters.time.stop: "1:2:3" is not HH:MM:SS'],
  ])("%j as %s is a load error", (text, field, message) => {
    const filters = field === "start" ? window(text, "13:00:00") : window("12:00:00", text);
    const err = compileError(filters);
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toBe(message);
  });

  it("the largest time of day is accepted: 23:59:59", () => {
    const f = window("23:59:59", "00:00:00");
    expect(at("2024-05-01T23:59:59.500Z", f)).toEqual({ pass: true });
    expect(at("2024-05-01T23:59:58.999Z", f).pass).toBe(false);
  });
});

describe("the window to the second (UTC)", () => {
  const f = window("12:34:56", "12:34:57");

  it("start is inclusive, stop exclusive, minutes and seconds count", () => {
    expect(at("2024-05-01T12:34:56.000Z", f)).toEqual({ pass: true });
    expect(at("2024-05-01T12:34:56.999Z", f)).toEqual({ pass: true });
    expect(at("2024-05-01T12:34:55.999Z", f)).toEqual({
      pass: false,
      reason: "time filter: event time 2024-05-01T12:34:55.999Z is outside [12:34:56, 12:34:57) UTC",
    });
    expect(at("2024-05-01T12:34:57.000Z", f).pass).toBe(false);
    expect(at("2024-05-01T12:35:56.000Z", f).pass).toBe(false);
  });

  it("across midnight the start is inclusive and the stop exclusive too", () => {
    const night = window("22:00:00", "02:00:00");
    expect(at("2024-05-01T22:00:00.000Z", night)).toEqual({ pass: true });
    expect(at("2024-05-01T21:59:59.999Z", night).pass).toBe(false);
    expect(at("2024-05-02T02:00:00.000Z", night).pass).toBe(false);
    expect(at("2024-05-02T01:59:59.999Z", night)).toEqual({ pass: true });
  });
});

describe("time zones", () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    vi.restoreAllMocks();
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it("the window is wall-clock time in the zone, minutes included (India is UTC+05:30)", () => {
    // 12:34:56.5Z is 18:04:56.5 in Asia/Kolkata.
    expect(at("2024-05-01T12:34:56.500Z", window("18:04:56", "18:04:57", "Asia/Kolkata"))).toEqual({ pass: true });
    expect(at("2024-05-01T12:34:56.500Z", window("18:04:57", "18:05:00", "Asia/Kolkata"))).toEqual({
      pass: false,
      reason: "time filter: event time 2024-05-01T12:34:56.500Z is outside [18:04:57, 18:05:00) Asia/Kolkata",
    });
    expect(at("2024-05-01T12:34:56.500Z", window("18:04:50", "18:04:56", "Asia/Kolkata")).pass).toBe(false);
  });

  /** Makes this process look like a host in India (UTC+05:30). */
  function hostInIndia(): void {
    // Changes the local zone of a forked worker; a worker thread keeps its zone, so
    // Intl's default zone is also set directly.
    process.env.TZ = "Asia/Kolkata";
    const RealDateTimeFormat = Intl.DateTimeFormat;
    vi.spyOn(Intl, "DateTimeFormat").mockImplementation(function (locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
      return new RealDateTimeFormat(locales, { ...options, timeZone: options?.timeZone ?? "Asia/Kolkata" });
    } as unknown as typeof Intl.DateTimeFormat);
  }

  it("without a zone the window is UTC, whatever the host's local zone", () => {
    hostInIndia();
    expect(new Intl.DateTimeFormat("en-US", { hour: "2-digit", hourCycle: "h23" }).format(new Date("2024-05-01T12:00:00Z"))).toBe("17");
    expect(at("2024-05-01T12:00:00.000Z", window("12:00:00", "12:00:01"))).toEqual({ pass: true });
    expect(at("2024-05-01T12:00:00.000Z", window("17:30:00", "17:30:01")).pass).toBe(false);
  });

  it("an empty zone means UTC, as in the original", () => {
    expect(at("2024-05-01T12:00:00.000Z", window("12:00:00", "12:00:01", ""))).toEqual({ pass: true });
    expect(at("2024-05-01T12:00:00.000Z", window("13:00:00", "14:00:00", ""))).toEqual({
      pass: false,
      reason: "time filter: event time 2024-05-01T12:00:00.000Z is outside [13:00:00, 14:00:00) UTC",
    });
  });

  it("an unknown zone is a load error naming the field", () => {
    const err = compileError(window("12:00:00", "13:00:00", "Mars/Olympus_Mons"));
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toBe(
      'ns/sensor Sensor spec.dependencies[0].filters.time.timezone: unknown time zone "Mars/Olympus_Mons"',
    );
  });
});

describe("an event time that is not a timestamp", () => {
  it("is a time filter error that skips the event", () => {
    expect(at("yesterday", window("00:00:00", "00:00:00"))).toEqual({
      pass: false,
      reason: 'time filter: event time "yesterday" is not a timestamp',
    });
  });
});
