// Trigger-level `parameters` rewrite the template before each firing (Argo Events'
// `ApplyTemplateParameters` in pkg/sensors/triggers/params.go runs before the trigger
// is fetched and executed), so the fields they write are placeholders at load: checked
// after the rewrite, when the firing compiles the changed template.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSensorCommand } from "../../src/commands/test-sensor.js";
import { validateCommand } from "../../src/commands/validate.js";

// Shaped like the tutorial's parameterization example: the inner parameter names its
// dependency, key and destination only through the trigger-level parameters.
const SENSOR = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: relay, namespace: argo-events}
spec:
  dependencies:
    - {name: hook, eventSourceName: webhook, eventName: example}
  triggers:
    - template:
        name: wf
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata: {generateName: relay-}
              spec:
                entrypoint: main
                arguments: {parameters: [{name: message, value: unset}]}
                templates: [{name: main, container: {image: "busybox:1"}}]
          parameters:
            - src: {dependencyName: PLACEHOLDER, dataKey: PLACEHOLDER}
              dest: PLACEHOLDER
      parameters:
        - src: {dependencyName: hook, dataKey: body.dep}
          dest: argoWorkflow.parameters.0.src.dependencyName
        - src: {dependencyName: hook, dataKey: body.key}
          dest: argoWorkflow.parameters.0.src.dataKey
        - src: {dependencyName: hook, dataKey: body.dest}
          dest: argoWorkflow.parameters.0.dest
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-trigger-params-"));
  await writeFile(join(dir, "sensor.yaml"), SENSOR);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("fields written by trigger-level parameters", () => {
  it("validate accepts their placeholders", async () => {
    const lines: string[] = [];
    expect(await validateCommand([join(dir, "sensor.yaml")], (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(["1 spec(s) valid"]);
  });

  it("a placeholder that no trigger parameter writes is still checked", async () => {
    const file = join(dir, "other.yaml");
    await writeFile(file, SENSOR.replace("dest: argoWorkflow.parameters.0.src.dependencyName", "dest: argoWorkflow.parameters.0.value"));
    const lines: string[] = [];
    expect(await validateCommand([file], (l) => lines.push(l))).toBe(1);
    expect(lines[0]).toMatch(/spec\.triggers\[0\]\.template\.argoWorkflow\.parameters\[0\]\.src\.dependencyName: no dependency named "PLACEHOLDER"$/);
  });

  it("the event fills them in, and the rewritten template fires", async () => {
    const event = join(dir, "event.json");
    await writeFile(event, JSON.stringify({ body: { dep: "hook", key: "body.text", dest: "spec.arguments.parameters.0.value", text: "from the payload" } }));
    const result = await testSensorCommand(join(dir, "sensor.yaml"), [`hook=${event}`]);
    const [wf] = result.triggers;
    expect(wf).toMatchObject({ name: "wf", fired: true });
    const params = (wf as { resource: { spec: { arguments: { parameters: { value: string }[] } } } }).resource.spec.arguments.parameters;
    expect(params[0]?.value).toBe("from the payload");
  });
});
