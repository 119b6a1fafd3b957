// argo_events_action_duration_milliseconds: the runner times each firing, the observer records it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeObject, Sensor } from "../../src/api/types.js";
import { eventSubject } from "../../src/eventbus/bus.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { InvalidError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { Observer } from "../../src/observe/index.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { compileSensor, SensorRunner } from "../../src/sensor/index.js";
import type { TriggerOutcome } from "../../src/sensor/outcome.js";
import type { WorkflowClient } from "../../src/workflows/client.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { ManualClock } from "../support/manual-clock.js";
import { CI_SENSOR, githubPushEvent, sensorFromYaml } from "../support/sensor-fixtures.js";
import { parseExposition, valueOf } from "./support.js";

const ACT = { namespace: "argo-events", sensor_name: "github-ci", trigger_name: "ci" };

/** A client whose create fails `failures` times, then creates. */
function failing(store: WorkflowClient, failures: number, error: () => Error = () => new Error("connection reset")): WorkflowClient {
  let calls = 0;
  const client = Object.create(store) as WorkflowClient;
  client.create = async (obj: KubeObject) => {
    if (++calls <= failures) throw error();
    return store.create(obj);
  };
  return client;
}

describe("action duration", () => {
  let dir: string;
  let bus: MemoryEventBus;
  let store: LocalWorkflowStore;
  let runner: SensorRunner | undefined;
  let outcomes: TriggerOutcome[];
  let observer: Observer;
  let clock: ManualClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-duration-"));
    bus = new MemoryEventBus("default");
    store = new LocalWorkflowStore(dir);
    outcomes = [];
    observer = new Observer({ defaultMetrics: false });
    clock = new ManualClock("2024-05-01T12:00:00.000Z");
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function run(sensor: Sensor, workflows: WorkflowClient, events: number, done: (o: TriggerOutcome[]) => boolean) {
    runner = new SensorRunner({
      sensor: compileSensor(sensor),
      bus,
      workflows,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => {
        outcomes.push(o);
        observer.onTriggerOutcome(o);
      },
      clock,
      random: () => 0,
      retryDelayMs: () => 0,
      concurrency: 1,
    });
    await runner.start();
    for (let i = 0; i < events; i++) {
      const e = githubPushEvent({ deliveryId: `d${i}` });
      await bus.publish(eventSubject("default", ACT.namespace, e.source, e.subject), e);
    }
    await vi.waitFor(() => expect(done(outcomes)).toBe(true), { timeout: 5000, interval: 5 });
  }

  async function summary(): Promise<{ count?: number; sum?: number }> {
    const e = parseExposition((await observer.metrics.exposition()).body);
    return {
      count: valueOf(e, "argo_events_action_duration_milliseconds_count", ACT),
      sum: valueOf(e, "argo_events_action_duration_milliseconds_sum", ACT),
    };
  }

  const ci = (edit: (s: Sensor) => void = () => {}): Sensor => {
    const s = sensorFromYaml(CI_SENSOR);
    edit(s);
    return s;
  };

  it("includes the retryStrategy attempts and their backoff of the delivery", async () => {
    const sensor = ci((s) => (s.spec.triggers[0]!.retryStrategy = { steps: 3, duration: "1s", factor: 2, jitter: 0 }));
    await run(sensor, failing(store, 2), 1, (o) => o.some((x) => x.status === "fired"));
    expect(outcomes).toEqual([expect.objectContaining({ status: "fired", durationMs: 3000 })]);
    expect(await summary()).toEqual({ count: 1, sum: 3000 });
  });

  it("is reported on a failure too, and the summary moves once per outcome", async () => {
    await run(ci(), failing(store, 99, () => new InvalidError("the API rejected the object")), 1, (o) => o.some((x) => x.status === "dead-lettered"));
    const failed = outcomes.find((o) => o.status === "failed");
    expect(failed).toMatchObject({ durationMs: 0, willRetry: false });
    expect(await summary()).toEqual({ count: 1, sum: 0 });
  });

  it("leaves the rate-limit wait out", async () => {
    const sensor = ci((s) => (s.spec.triggers[0]!.rateLimit = { unit: "Minute", requestsPerUnit: 1 }));
    await run(sensor, store, 2, (o) => o.filter((x) => x.status === "fired").length === 2);
    expect(outcomes.filter((o) => o.status === "rate-limited")).toEqual([expect.objectContaining({ waitedMs: 60_000 })]);
    expect(outcomes.filter((o) => o.status === "fired").map((o) => o.status === "fired" && o.durationMs)).toEqual([0, 0]);
    expect(await summary()).toEqual({ count: 2, sum: 0 });
  });

  it("has no duration when the failure came before the action", async () => {
    const before = await summary();
    observer.onTriggerOutcome({ status: "failed", sensor: "github-ci", namespace: "argo-events", trigger: "ci", eventId: "e", error: new Error("x"), willRetry: true });
    expect(await summary()).toEqual(before);
  });
});
