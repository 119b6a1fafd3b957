import { afterEach, describe, expect, it, vi } from "vitest";
import { deterministicName } from "./naming.js";

const id = { sensorNamespace: "argo", sensorName: "github", triggerName: "build", eventIds: ["e2", "e1"] };

describe("deterministicName", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is generateName plus 10 hex characters, the same every time", () => {
    const a = deterministicName("build-", id);
    expect(a).toMatch(/^build-[0-9a-f]{10}$/);
    expect(deterministicName("build-", { ...id })).toBe(a);
  });

  it("is the same at any clock value: a redelivery days later finds the same name", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-05-01T12:00:00.000Z"));
    const before = deterministicName("build-", id);
    vi.setSystemTime(new Date("2024-05-04T08:30:00.123Z"));
    expect(Date.now()).toBe(Date.parse("2024-05-04T08:30:00.123Z"));
    expect(deterministicName("build-", { ...id, eventIds: [...id.eventIds] })).toBe(before);
  });

  it("does not depend on the order of the event ids", () => {
    expect(deterministicName("b-", { ...id, eventIds: ["e1", "e2"] })).toBe(deterministicName("b-", id));
  });

  it.each([
    ["another event", { ...id, eventIds: ["e1", "e3"] }],
    ["another trigger", { ...id, triggerName: "deploy" }],
    ["another sensor", { ...id, sensorName: "gitlab" }],
    ["another namespace", { ...id, sensorNamespace: "default" }],
  ])("differs for %s", (_what, other) => {
    expect(deterministicName("b-", other)).not.toBe(deterministicName("b-", id));
  });

  it.each([
    ["the sensor name and the trigger name", { ...id, sensorName: "gh", triggerName: "build" }, { ...id, sensorName: "ghb", triggerName: "uild" }],
    ["the trigger name and the event ids", { ...id, triggerName: "build", eventIds: ["e1"] }, { ...id, triggerName: "buil", eventIds: ["de1"] }],
    ["two event ids", { ...id, eventIds: ["e1", "e2"] }, { ...id, eventIds: ["e1e2"] }],
  ])("keeps %s apart: moving characters across the boundary gives another name", (_what, a, b) => {
    expect(deterministicName("b-", a)).not.toBe(deterministicName("b-", b));
  });

  it("keeps the name within 63 characters", () => {
    const long = "x".repeat(80);
    const name = deterministicName(long, id);
    expect(name).toHaveLength(63);
    expect(name.startsWith("x".repeat(53))).toBe(true);
  });
});
