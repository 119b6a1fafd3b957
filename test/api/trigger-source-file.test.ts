// A trigger's `file` source is read when the trigger fires, as Argo Events does
// (examples/sensors/trigger-source-file.yaml names a file the sensor pod mounts): a
// file absent at load is a `validate` warning, not an error, and `serve` starts; a
// firing without it fails naming the path, and once the file is there a firing uses it.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testSensorCommand } from "../../src/commands/test-sensor.js";
import { validateCommand } from "../../src/commands/validate.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { NotFoundError } from "../../src/errors.js";
import { eventSubject } from "../../src/eventbus/bus.js";
import { newCloudEvent } from "../../src/eventbus/cloudevent.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { silentLogger } from "../../src/logger.js";
import { compileSensor } from "../../src/sensor/compile.js";
import type { TriggerOutcome } from "../../src/sensor/outcome.js";
import { SensorRunner } from "../../src/sensor/runner.js";
import { SourceFileNotFoundError } from "../../src/sensor/sources/index.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { sensorFromYaml } from "../support/sensor-fixtures.js";

// The shape of Argo Events' examples/sensors/trigger-source-file.yaml.
const sensorYaml = (path: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: {name: webhook, namespace: argo-events}
spec:
  dependencies:
    - {name: test-dep, eventSourceName: webhook, eventName: example}
  triggers:
    - template:
        name: file-workflow-trigger
        argoWorkflow:
          operation: submit
          source:
            file:
              path: ${JSON.stringify(path)}
          parameters:
            - src: {dependencyName: test-dep, dataKey: body.message}
              dest: spec.arguments.parameters.0.value
`;

const WORKFLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: file-wf-
spec:
  entrypoint: whalesay
  arguments:
    parameters: [{name: message, value: from the file}]
  templates:
    - name: whalesay
      container: {image: docker/whalesay:latest, command: [cowsay], args: ["{{inputs.parameters.message}}"]}
`;

let dir: string;
let wfPath: string;
let sensorFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-source-file-"));
  wfPath = join(dir, "mounted", "workflow.yaml");
  sensorFile = join(dir, "sensor.yaml");
  await writeFile(sensorFile, sensorYaml(wfPath));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("a file source absent at load", () => {
  it("validate exits 0 with a warning at the field", async () => {
    const lines: string[] = [];
    expect(await validateCommand([sensorFile], (l) => lines.push(l.replace(sensorFile, "f.yaml")))).toBe(0);
    expect(lines).toEqual([
      `warning: f.yaml:14:15 Sensor/webhook spec.triggers[0].template.argoWorkflow.source.file.path: ${wfPath} is read when the trigger fires (as Argo Events does) and is not there now (ENOENT): a firing fails until it is`,
      "1 spec(s) valid, 1 warning(s)",
    ]);
    expect(await validateCommand([sensorFile], () => undefined, { strict: true })).toBe(1);
  });

  it("validate warns for a k8s trigger's file source too", async () => {
    const k8s = join(dir, "k8s.yaml");
    await writeFile(k8s, sensorYaml(wfPath).replace("argoWorkflow:\n          operation: submit", "k8s:\n          operation: create"));
    const lines: string[] = [];
    expect(await validateCommand([k8s], (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/Sensor\/webhook spec\.triggers\[0\]\.template\.k8s\.source\.file\.path: .* is not there now \(ENOENT\)/);
  });

  it("validate says nothing once the file is there, and warns when it holds no object", async () => {
    await mkdir(join(dir, "mounted"));
    await writeFile(wfPath, WORKFLOW);
    const ok: string[] = [];
    expect(await validateCommand([sensorFile], (l) => ok.push(l))).toBe(0);
    expect(ok).toEqual(["1 spec(s) valid"]);
    await writeFile(wfPath, "- a\n- list\n");
    const bad: string[] = [];
    expect(await validateCommand([sensorFile], (l) => bad.push(l))).toBe(0);
    expect(bad[0]).toMatch(/source\.file\.path: .* does not hold one Kubernetes object now \(the resource must be an object\): a firing fails unless it changes$/);
  });

  it("test-sensor fires it, reading the file when the trigger fires", async () => {
    const event = join(dir, "event.json");
    await writeFile(event, JSON.stringify({ body: { message: "hi" } }));
    const result = await testSensorCommand(sensorFile, [`test-dep=${event}`]);
    expect(result.triggers).toEqual([
      {
        name: "file-workflow-trigger",
        fired: true,
        resource: { type: "argoWorkflow", operation: "submit", source: { file: wfPath }, note: "the resource is read when the trigger fires" },
      },
    ]);
  });

  it("serve starts; a firing without the file fails naming it, one after it is written submits what it says", async () => {
    const store = new LocalWorkflowStore(join(dir, "store"));
    const bus = new MemoryEventBus("default");
    const outcomes: TriggerOutcome[] = [];
    const runner = new SensorRunner({
      sensor: compileSensor(sensorFromYaml(sensorYaml(wfPath))),
      bus,
      workflows: store,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      retryDelayMs: () => 0,
    });
    await runner.start();
    try {
      const publish = (deliveryId: string) =>
        bus.publish(
          eventSubject("default", "argo-events", "webhook", "example"),
          newCloudEvent({ source: "webhook", subject: "example", type: "webhook", deliveryId, data: { headers: {}, body: { message: `event ${deliveryId}` } } }),
        );

      await publish("1");
      await vi.waitFor(() => expect(outcomes.some((o) => o.status === "failed")).toBe(true), { timeout: 5000, interval: 10 });
      const failed = outcomes.find((o) => o.status === "failed") as Extract<TriggerOutcome, { status: "failed" }>;
      expect(failed.error).toBeInstanceOf(SourceFileNotFoundError);
      expect(failed.error).toBeInstanceOf(NotFoundError);
      expect(failed.error.message).toBe(`source file ${wfPath}: not found (the file is read when the trigger fires)`);
      expect(failed.willRetry).toBe(false);
      expect(await store.list("argoproj.io/v1alpha1", "Workflow", "argo-events")).toEqual([]);

      await mkdir(join(dir, "mounted"));
      await writeFile(wfPath, WORKFLOW);
      await publish("2");
      await vi.waitFor(() => expect(outcomes.some((o) => o.status === "fired")).toBe(true), { timeout: 5000, interval: 10 });
      const [wf] = await store.list("argoproj.io/v1alpha1", "Workflow", "argo-events");
      expect(wf?.metadata.name).toMatch(/^file-wf-[0-9a-f]{10}$/);
      const spec = wf?.spec as { entrypoint: string; arguments: unknown; templates: { container: { image: string } }[] };
      expect(spec.entrypoint).toBe("whalesay");
      expect(spec.templates[0]?.container.image).toBe("docker/whalesay:latest");
      expect(spec.arguments).toEqual({ parameters: [{ name: "message", value: "event 2" }] });
    } finally {
      await runner.stop();
      await bus.close();
    }
  });
});
