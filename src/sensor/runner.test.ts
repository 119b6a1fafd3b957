import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import type { KubeObject, Sensor } from "../api/types.js";
import { eventSubject } from "../eventbus/bus.js";
import type { CloudEvent } from "../eventbus/cloudevent.js";
import { MemoryEventBus } from "../eventbus/memory.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import type { WorkflowClient } from "../workflows/client.js";
import { LABEL_ACTION_TIMESTAMP, LABEL_SENSOR, LABEL_TRIGGER } from "../workflows/client.js";
import { LocalWorkflowStore } from "../workflows/local.js";
import { compileSensor } from "./compile.js";
import { deterministicName } from "./naming.js";
import type { TriggerOutcome } from "./outcome.js";
import { durableName, SensorRunner, type SensorRunnerOptions } from "./runner.js";
import { newTriggerMemory } from "./triggers/memory.js";
import { CI_SENSOR, githubPushEvent, sensorFromYaml } from "../../test/support/sensor-fixtures.js";

const NOW = new Date("2024-05-01T12:34:56.789Z");

describe("SensorRunner with the memory bus and the local store", () => {
  let dir: string;
  let bus: MemoryEventBus;
  let runner: SensorRunner | undefined;
  let started: Sensor | undefined;
  let outcomes: TriggerOutcome[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-runner-"));
    bus = new MemoryEventBus("default");
    outcomes = [];
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(sensor: Sensor, workflows: WorkflowClient = new LocalWorkflowStore(dir), extra: Partial<SensorRunnerOptions> = {}): Promise<void> {
    runner = new SensorRunner({
      sensor: compileSensor((started = sensor)),
      bus,
      workflows,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      now: () => NOW,
      retryDelayMs: () => 0,
      ...extra,
    });
    await runner.start();
  }

  // Events of an EventSource in the started Sensor's namespace: a Sensor sees no other namespace's.
  const publish = (e: CloudEvent) => bus.publish(eventSubject("default", started?.metadata.namespace || "default", e.source, e.subject), e);
  const settle = (n: number) => vi.waitFor(() => expect(outcomes).toHaveLength(n), { timeout: 5000, interval: 10 });
  const workflowFiles = async (ns: string) => (await readdir(join(dir, ns)).catch(() => [])).filter((f) => f.endsWith(".yaml"));

  it("a GitHub push creates exactly one Workflow with the derived name, labels and parameters", async () => {
    await start(sensorFromYaml(CI_SENSOR));
    const event = githubPushEvent();
    await publish(event);
    await settle(1);

    const name = deterministicName("ci-", {
      sensorNamespace: "argo-events",
      sensorName: "github-ci",
      triggerName: "ci",
      eventIds: [event.id],
    });
    expect(outcomes[0]).toMatchObject({
      status: "fired",
      sensor: "github-ci",
      trigger: "ci",
      eventId: event.id,
      object: { kind: "Workflow", namespace: "argo", name },
    });
    expect(await workflowFiles("argo")).toEqual([`${name}.yaml`]);
    const wf = parse(await readFile(join(dir, "argo", `${name}.yaml`), "utf8")) as KubeObject;
    expect(wf.metadata.labels).toEqual({
      [LABEL_SENSOR]: "github-ci",
      [LABEL_TRIGGER]: "ci",
      [LABEL_ACTION_TIMESTAMP]: String(NOW.getTime()),
    });
    expect(wf.metadata.uid).toBeTruthy();
    expect((wf.spec as { arguments: unknown }).arguments).toEqual({
      parameters: [
        { name: "repo", value: "Codertocat/Hello-World" },
        { name: "revision", value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
      ],
    });
  });

  it("its triggers remember in the TriggerMemory it is given (a gateway gives its runners one)", async () => {
    const sensor = sensorFromYaml(CI_SENSOR);
    sensor.spec.triggers = [{ template: { name: "note", log: { intervalSeconds: 60 } } }];
    const memory = newTriggerMemory();
    await start(sensor, undefined, { triggerMemory: memory });
    await publish(githubPushEvent());
    await settle(1);
    expect(outcomes[0]?.status).toBe("fired");
    expect([...memory.lastLogged.keys()]).toEqual(["argo-events/github-ci/note"]);
  });

  it("the same event twice (same id) still makes one Workflow", async () => {
    await start(sensorFromYaml(CI_SENSOR));
    await publish(githubPushEvent());
    await settle(1);
    await publish(githubPushEvent());
    await settle(2);
    expect(outcomes.map((o) => o.status)).toEqual(["fired", "fired"]);
    expect(outcomes[1]).toMatchObject({ alreadyExisted: true });
    expect(await workflowFiles("argo")).toHaveLength(1);
  });

  it("20 concurrent redeliveries of one event make one Workflow", async () => {
    await start(sensorFromYaml(CI_SENSOR));
    await Promise.all(Array.from({ length: 20 }, () => publish(githubPushEvent())));
    await settle(20);
    expect(outcomes.every((o) => o.status === "fired")).toBe(true);
    expect(outcomes.filter((o) => o.status === "fired" && !o.alreadyExisted)).toHaveLength(1);
    expect(await workflowFiles("argo")).toHaveLength(1);
  });

  it("different deliveries make different Workflows", async () => {
    await start(sensorFromYaml(CI_SENSOR));
    await Promise.all(["d1", "d2", "d3"].map((d) => publish(githubPushEvent({ deliveryId: d }))));
    await settle(3);
    expect(await workflowFiles("argo")).toHaveLength(3);
  });

  it("a filtered-out event is skipped with the reason and creates nothing", async () => {
    await start(sensorFromYaml(CI_SENSOR));
    await publish(githubPushEvent({ ref: "refs/heads/feature" }));
    await settle(1);
    expect(outcomes[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("body.ref") });
    expect(await workflowFiles("argo")).toEqual([]);
  });

  it("a transient failure is retried; a permanent one is not", async () => {
    const store = new LocalWorkflowStore(dir);
    let calls = 0;
    const flaky: WorkflowClient = {
      create: async (obj) => {
        calls++;
        if (calls === 1) throw new Error("connection reset");
        return store.create(obj);
      },
      get: (...a) => store.get(...a),
      list: (...a) => store.list(...a),
    };
    await start(sensorFromYaml(CI_SENSOR), flaky);
    await publish(githubPushEvent());
    await settle(2);
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "fired"]);
    expect(outcomes[0]).toMatchObject({ willRetry: true });
    expect(await workflowFiles("argo")).toHaveLength(1);
  });

  it("a parameter that cannot resolve fails without retry", async () => {
    const s = sensorFromYaml(CI_SENSOR);
    s.spec.triggers[0].template.argoWorkflow!.parameters![0].src.dataKey = "body.nope";
    await start(s);
    await publish(githubPushEvent());
    await settle(2);
    await bus.whenIdle();
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "dead-lettered"]);
    expect(outcomes[0]).toMatchObject({ status: "failed", willRetry: false });
    expect((outcomes[0] as { error: Error }).error.message).toMatch(/body\.nope/);
    expect(outcomes[1]).toMatchObject({ via: "bus", target: "default._deadletter.argo-events.github-ci.ci" });
  });

  it("a two-dependency condition fires once both arrived, with both events", async () => {
    await start(
      sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: pair, namespace: ci }
spec:
  dependencies:
    - { name: gh-push, eventSourceName: github, eventName: push }
    - { name: approval, eventSourceName: webhook, eventName: approve }
  triggers:
    - template:
        name: deploy
        conditions: "gh-push && approval"
        k8s:
          operation: create
          source:
            inline: |
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: deploy-
              spec:
                workflowTemplateRef: { name: deploy }
                arguments:
                  parameters: [{ name: sha }, { name: by }]
          parameters:
            - { src: { dependencyName: gh-push, dataKey: body.after }, dest: spec.arguments.parameters.0.value }
            - { src: { dependencyName: approval, dataKey: body.user }, dest: spec.arguments.parameters.1.value }
`),
    );
    const push = githubPushEvent();
    const approve: CloudEvent = { ...githubPushEvent({ deliveryId: "a" }), source: "webhook", subject: "approve", data: { body: { user: "ops" } } };
    await publish(push);
    await settle(1);
    expect(outcomes[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("waiting for condition") });
    await publish(approve);
    await settle(2);
    expect(outcomes[1]).toMatchObject({ status: "fired", eventIds: expect.arrayContaining([push.id, approve.id]) });
    const files = await workflowFiles("ci");
    expect(files).toHaveLength(1);
    const wf = parse(await readFile(join(dir, "ci", files[0]), "utf8")) as KubeObject;
    expect((wf.spec as { arguments: unknown }).arguments).toEqual({
      parameters: [
        { name: "sha", value: "6113728f27ae82c7b1a177c8d03f9e96e0adf246" },
        { name: "by", value: "ops" },
      ],
    });
    // The state was reset: another approval alone waits again.
    await publish({ ...approve, id: "b".repeat(32) });
    await settle(3);
    expect(outcomes[2]).toMatchObject({ status: "skipped" });
  });

  it("names durable consumers <namespace>-<sensor>-<trigger>, sanitised", () => {
    expect(durableName("argo", "github-ci", "ci")).toBe("argo-github-ci-ci");
    expect(durableName("argo", "s", "a.b c")).toMatch(/^argo-s-a_b_c-[0-9a-f]{8}$/);
  });
});
