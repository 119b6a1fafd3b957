import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../test/support/manual-clock.js";
import { ConditionsReset } from "./conditions-reset.js";

const at = (s: string) => new Date(s);

describe("ConditionsReset", () => {
  it.each([[undefined], [[]], [[{}]], [[{ byTime: { cron: "" } }]]])("%j: nothing to schedule", (c) => {
    expect(ConditionsReset.compile(c as never, new Date())).toBeUndefined();
  });

  it.each([
    ["not a cron", /byTime.cron "not a cron": expected 5 fields/],
    ["banana", /byTime.cron "banana": expected 5 fields/],
    ["61 * * * *", /byTime.cron "61 \* \* \* \*": .*61/],
    ["* * * *", /expected 5 fields .* got 4/],
  ])("rejects cron %j", (cron, message) => {
    expect(() => ConditionsReset.compile([{ byTime: { cron } }], new Date())).toThrow(message);
  });

  it("rejects an unknown timezone by name", () => {
    expect(() => ConditionsReset.compile([{ byTime: { cron: "0 * * * *", timezone: "Nowhere/Land" } }], new Date())).toThrow(
      /byTime.timezone "Nowhere\/Land": not a known IANA time zone/,
    );
  });

  it("takes an @descriptor as robfig/cron's standard parser does", () => {
    expect(ConditionsReset.compile([{ byTime: { cron: "@daily" } }], new Date())).toBeDefined();
  });

  it.each([
    // cron, timezone, now, last tick, next tick
    ["0 * * * *", undefined, "2024-05-01T10:30:00Z", "2024-05-01T10:00:00.000Z", "2024-05-01T11:00:00.000Z"],
    ["0 * * * *", undefined, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.000Z", "2024-05-01T11:00:00.000Z"],
    ["0 9 * * *", "Europe/Paris", "2024-05-01T08:00:00Z", "2024-05-01T07:00:00.000Z", "2024-05-02T07:00:00.000Z"],
    ["0 9 * * *", "America/New_York", "2024-05-01T12:00:00Z", "2024-04-30T13:00:00.000Z", "2024-05-01T13:00:00.000Z"],
  ])("%s (%s) at %s: last %s, next %s", (cron, timezone, now, last, next) => {
    const r = ConditionsReset.compile([{ byTime: { cron, timezone } }], at(now))!;
    expect(r.lastTick(at(now))?.toISOString()).toBe(last);
    expect(r.nextTick(at(now)).toISOString()).toBe(next);
  });

  it("with several crons, the latest last tick and the earliest next tick", () => {
    const r = ConditionsReset.compile([{ byTime: { cron: "0 */2 * * *" } }, { byTime: { cron: "30 * * * *" } }], new Date())!;
    expect(r.lastTick(at("2024-05-01T11:45:00Z"))?.toISOString()).toBe("2024-05-01T11:30:00.000Z");
    expect(r.nextTick(at("2024-05-01T11:45:00Z")).toISOString()).toBe("2024-05-01T12:00:00.000Z");
  });

  it("schedule() calls back at each tick until cancelled", () => {
    const clock = new ManualClock("2024-05-01T10:59:00Z");
    const r = ConditionsReset.compile([{ byTime: { cron: "*/30 * * * *" } }], clock.now())!;
    const ticks: string[] = [];
    const cancel = r.schedule(clock, (t) => ticks.push(t.toISOString()));
    clock.advance(30_000);
    expect(ticks).toEqual([]);
    clock.advance(61 * 60_000);
    expect(ticks).toEqual(["2024-05-01T11:00:00.000Z", "2024-05-01T11:30:00.000Z", "2024-05-01T12:00:00.000Z"]);
    cancel();
    clock.advance(3_600_000);
    expect(ticks).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
