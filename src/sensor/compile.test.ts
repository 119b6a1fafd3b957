import { describe, expect, it } from "vitest";
import type { Sensor } from "../api/types.js";
import { ExpressionError, NotSupportedError, SpecError } from "../errors.js";
import { compileSensor } from "./compile.js";
import { CI_SENSOR, githubPushSensorEvent, sensorFromYaml } from "../../test/support/sensor-fixtures.js";
import { dryRun } from "./dry-run.js";

function withSpec(mutate: (s: Sensor) => void): Sensor {
  const s = sensorFromYaml(CI_SENSOR);
  mutate(s);
  return s;
}

const logTrigger = (name: string, conditions?: string) => ({ template: { name, conditions, log: {} } });

describe("compileSensor", () => {
  it("compiles the CI sensor", () => {
    const c = compileSensor(sensorFromYaml(CI_SENSOR));
    expect(c.name).toBe("github-ci");
    expect(c.namespace).toBe("argo-events");
    expect(c.triggers.map((t) => t.name)).toEqual(["ci"]);
    expect(c.triggers[0].dependencies.map((d) => d.name)).toEqual(["push-to-master"]);
    expect(c.triggers[0].action.type).toBe("argoWorkflow");
  });

  it("a trigger needs the dependencies its condition names; default all", () => {
    const c = compileSensor(
      withSpec((s) => {
        s.spec.dependencies.push({ name: "dep-b", eventSourceName: "gitlab", eventName: "push" });
        s.spec.dependencies.push({ name: "dep-c", eventSourceName: "webhook", eventName: "x" });
        s.spec.triggers.push(logTrigger("some", "dep-b || dep-c"), logTrigger("all"));
      }),
    );
    expect(c.triggers[1].dependencies.map((d) => d.name)).toEqual(["dep-b", "dep-c"]);
    expect(c.triggers[2].dependencies.map((d) => d.name)).toEqual(["push-to-master", "dep-b", "dep-c"]);
  });

  it.each<[string, (s: Sensor) => void, new (...a: never[]) => Error, RegExp]>([
    [
      "a condition naming an unknown dependency",
      (s) => s.spec.triggers.push(logTrigger("t", "push-to-master && nope")),
      SpecError,
      /spec\.triggers\[1\]\.template\.conditions: "nope" is not a dependency/,
    ],
    [
      "a malformed condition",
      (s) => s.spec.triggers.push(logTrigger("t", "push-to-master &&")),
      ExpressionError,
      /spec\.triggers\[1\]\.template\.conditions/,
    ],
    [
      "a duplicate dependency",
      (s) => s.spec.dependencies.push({ ...s.spec.dependencies[0] }),
      SpecError,
      /spec\.dependencies\[1\]\.name: duplicate/,
    ],
    ["a duplicate trigger", (s) => s.spec.triggers.push(logTrigger("ci")), SpecError, /duplicate trigger "ci"/],
    // A bad regex in a data filter loads: Argo compiles it per event (filter.go
    // filterData), see src/sensor/filters/data.test.ts. An unknown comparator does
    // not (validate.go validateComparator).
    [
      "an unknown comparator in a filter",
      (s) => (s.spec.dependencies[0].filters!.data![1].comparator = "=~"),
      SpecError,
      /spec\.dependencies\[0\]\.filters\.data\[1\]\.comparator/,
    ],
    [
      "an unsupported trigger type",
      (s) => s.spec.triggers.push({ template: { name: "h", slack: { channel: "x" } } }),
      NotSupportedError,
      /spec\.triggers\[1\]\.template\.slack/,
    ],
    [
      "two trigger types in one template",
      (s) => (s.spec.triggers[0].template.log = {}),
      SpecError,
      /more than one trigger type/,
    ],
    [
      "an unknown argoWorkflow operation",
      (s) => (s.spec.triggers[0].template.argoWorkflow!.operation = "launch"),
      SpecError,
      /argoWorkflow\.operation/,
    ],
    [
      "argoWorkflow submitting something that is not a Workflow",
      (s) => ((s.spec.triggers[0].template.argoWorkflow!.source.resource as { kind: string }).kind = "Pod"),
      SpecError,
      /submit creates a Workflow/,
    ],
    [
      "a source other than resource/inline",
      (s) => (s.spec.triggers[0].template.argoWorkflow!.source = { s3: { bucket: { name: "b" } } }),
      NotSupportedError,
      /source\.s3/,
    ],
    [
      "inline YAML that does not parse",
      (s) => (s.spec.triggers[0].template.argoWorkflow!.source = { inline: "kind: [" }),
      SpecError,
      /source\.inline: invalid YAML/,
    ],
    [
      "an unknown parameter operation",
      (s) => (s.spec.triggers[0].template.argoWorkflow!.parameters![0].operation = "merge" as "append"),
      SpecError,
      /argoWorkflow\.parameters\[0\]\.operation/,
    ],
    [
      "a transform",
      (s) => (s.spec.dependencies[0].transform = { jq: ".body" }),
      NotSupportedError,
      /spec\.dependencies\[0\]\.transform/,
    ],
  ])("rejects %s with the field path", (_name, mutate, type, message) => {
    let caught: unknown;
    try {
      compileSensor(withSpec(mutate));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(type);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain("argo-events/github-ci");
  });

  it.each([
    ["JSON", JSON.stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { generateName: "x-" } })],
    ["YAML", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: x-\n"],
  ])("accepts an inline %s source and creates that resource", (_kind, inline) => {
    const compiled = compileSensor(withSpec((s) => (s.spec.triggers[0].template.argoWorkflow!.source = { inline })));
    const [t] = dryRun(compiled, [{ event: githubPushSensorEvent() }]).triggers;
    expect(t).toMatchObject({ fired: true, resource: { kind: "Workflow", metadata: { generateName: "x-" } } });
    expect((t as { resource: { metadata: { name: string } } }).resource.metadata.name).toMatch(/^x-[0-9a-f]{10}$/);
  });
});
