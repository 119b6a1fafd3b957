import { describe, expect, it } from "vitest";
import type { SpecSet } from "../config/specs.js";
import { parseRole, specsForRole, splitRole } from "./role.js";

const set = {
  eventSources: [{ metadata: { name: "es" } }],
  sensors: [{ metadata: { name: "s" } }],
  eventBuses: [{ metadata: { name: "default" } }],
  workflowTemplates: [{ metadata: { name: "t" } }],
  bindings: [{ metadata: { name: "b" } }],
} as unknown as SpecSet;

describe("gateway roles", () => {
  it("keeps each role's half of the specs, and the shared ones whole", () => {
    expect(specsForRole(set, "all")).toBe(set);
    const r = specsForRole(set, "receivers");
    expect([r.eventSources.length, r.sensors.length, r.eventBuses.length, r.workflowTemplates.length, r.bindings.length]).toEqual([1, 0, 1, 1, 1]);
    const s = specsForRole(set, "sensors");
    expect([s.eventSources.length, s.sensors.length, s.eventBuses.length, s.workflowTemplates.length, s.bindings.length]).toEqual([0, 1, 1, 1, 1]);
  });

  it("splits N workers into floor(N/2) receivers and the rest sensors", () => {
    expect([1, 2].map((i) => splitRole(i, 2))).toEqual(["receivers", "sensors"]);
    expect([1, 2, 3].map((i) => splitRole(i, 3))).toEqual(["receivers", "sensors", "sensors"]);
    expect([1, 2, 3, 4].map((i) => splitRole(i, 4))).toEqual(["receivers", "receivers", "sensors", "sensors"]);
  });

  it("parses the flag: absent is all, anything else is an error naming the choices", () => {
    expect(parseRole(undefined)).toBe("all");
    expect(parseRole("sensors")).toBe("sensors");
    expect(() => parseRole("Sensors")).toThrow("--role Sensors: expected all, receivers, sensors");
  });
});
