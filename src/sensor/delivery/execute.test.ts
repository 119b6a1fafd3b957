import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Sensor } from "../../api/types.js";
import { newCloudEvent } from "../../eventbus/cloudevent.js";
import { silentLogger } from "../../logger.js";
import { MapSecretStore } from "../../config/secrets.js";
import type { WorkflowClient } from "../../workflows/client.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import { ManualClock } from "../../../test/support/manual-clock.js";
import { sensorFromYaml } from "../../../test/support/sensor-fixtures.js";
import { compileSensor } from "../compile.js";
import { sensorEventFromCloudEvent } from "../event.js";
import { newTriggerMemory } from "../triggers/memory.js";
import { Where } from "../where.js";
import { executeFiring, type FiringContext } from "./execute.js";
import { compileDelivery } from "./settings.js";

/** A sensor whose one trigger creates a ConfigMap through the `k8s` trigger type. */
function k8sSensor(trigger: Record<string, unknown>): Sensor {
  const s = sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: deployer, namespace: ops }
spec:
  dependencies:
    - { name: hook, eventSourceName: webhook, eventName: deploy }
  triggers:
    - template:
        name: record
        k8s:
          operation: create
          source:
            resource:
              apiVersion: v1
              kind: ConfigMap
              metadata: { generateName: deploy-, namespace: ops }
              data: { env: staging }
`);
  Object.assign(s.spec.triggers[0]!, trigger);
  return s;
}

const event = (n: number) =>
  sensorEventFromCloudEvent(newCloudEvent({ source: "webhook", subject: "deploy", type: "webhook", deliveryId: `d${n}`, data: { body: { n } } }));

describe("executeFiring", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  let clock: ManualClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-execute-"));
    store = new LocalWorkflowStore(dir);
    clock = new ManualClock("2024-05-01T12:00:00.000Z");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function firing(sensor: Sensor, workflows: WorkflowClient = store, hooks: Partial<FiringContext> = {}) {
    const compiled = compileSensor(sensor);
    const trigger = compiled.triggers[0]!;
    const settings = compileDelivery(trigger, new Where(compiled.namespace, compiled.name), "spec.triggers[0]", clock);
    const ctx: FiringContext = {
      sensor: compiled,
      workflows,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      memory: newTriggerMemory(),
      clock,
      random: () => 0,
      retryable: () => true,
      ...hooks,
    };
    return (n: number) => executeFiring(ctx, trigger, settings, { hook: event(n) });
  }

  it("policy.k8s also watches what a k8s trigger creates: labels that never come are a warning", async () => {
    let reads = 0;
    const counting = Object.create(store) as WorkflowClient;
    counting.get = async (...args: Parameters<WorkflowClient["get"]>) => (reads++, store.get(...args));
    const fire = firing(
      k8sSensor({
        policy: { k8s: { labels: { ready: "true" }, backoff: { steps: 3, duration: "2s", factor: 1, jitter: 0 }, errorOnBackoffTimeout: false } },
      }),
      counting,
    );
    const result = await fire(1);
    expect(result.object).toMatchObject({ kind: "ConfigMap", namespace: "ops", name: expect.stringMatching(/^deploy-/) });
    expect(result.warnings).toEqual([expect.stringMatching(/^ConfigMap ops\/deploy-\w+ did not get the labels \{"ready":"true"\} of policy.k8s within 3 checks$/)]);
    expect(reads).toBe(3);
    expect(clock.sleeps).toEqual([2000, 2000]);
  });

  it("a firing the rateLimit holds back goes through after the wait even with no one to tell", async () => {
    const fire = firing(k8sSensor({ rateLimit: { unit: "Second", requestsPerUnit: 1 } }));
    const first = await fire(1);
    const second = await fire(2);
    expect(clock.sleeps).toEqual([1000]);
    expect(second.object?.name).not.toBe(first.object?.name);
    expect(await store.list("v1", "ConfigMap", "ops")).toHaveLength(2);
  });

  it("tells onRateLimited how long the rateLimit held the attempt back, and only then", async () => {
    const waits: number[] = [];
    const fire = firing(k8sSensor({ rateLimit: { unit: "Minute", requestsPerUnit: 1 } }), store, { onRateLimited: (ms) => waits.push(ms) });
    await fire(1);
    expect(waits).toEqual([]);
    await fire(2);
    expect(waits).toEqual([60_000]);
  });
});
