import { describe, expect, it } from "vitest";
import { loadSpecsFromText } from "../../src/api/load.js";
import { validateSpecs } from "../../src/api/validate.js";

const sensor = (sa: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: s, namespace: team-a}
spec:
  template: {serviceAccountName: ${JSON.stringify(sa)}}
  dependencies: [{name: d, eventSourceName: e, eventName: x}]
  triggers: [{template: {name: t, log: {}}}]
`;

describe("spec.template.serviceAccountName", () => {
  it("a name that would impersonate someone else is refused at load", () => {
    for (const bad of ["team-b:admin", "Admin", "a b"]) {
      const errors = validateSpecs(loadSpecsFromText(sensor(bad), "f.yaml").specs).map((e) => e.message);
      expect(errors).toEqual([expect.stringContaining("spec.template.serviceAccountName: ")]);
    }
    expect(validateSpecs(loadSpecsFromText(sensor("operate-workflow-sa"), "f.yaml").specs)).toEqual([]);
  });
});
