import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeObject, Sensor } from "../api/types.js";
import { eventSubject, type BusMessage } from "../eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../eventbus/cloudevent.js";
import type { KvBucket, KvEntry } from "../eventbus/kv.js";
import { MemoryEventBus } from "../eventbus/memory.js";
import { InvalidError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import type { WorkflowClient } from "../workflows/client.js";
import { LocalWorkflowStore } from "../workflows/local.js";
import { CI_SENSOR, githubPushEvent, sensorFromYaml } from "../../test/support/sensor-fixtures.js";
import { ManualClock } from "../../test/support/manual-clock.js";
import { compileSensor } from "./compile.js";
import { MemoryConditionState, type ConditionSnapshot } from "./condition-state.js";
import type { DeadLetterData } from "./delivery/dead-letter.js";
import { sensorEventFromCloudEvent } from "./event.js";
import type { TriggerOutcome } from "./outcome.js";
import { SensorRunner, type SensorRunnerOptions } from "./runner.js";

/** A KvBucket in memory with JetStream's revision rules. */
class FakeBucket implements KvBucket {
  private seq = 0;
  private readonly entries = new Map<string, KvEntry>();
  constructor(readonly name: string) {}
  async get(key: string) {
    return this.entries.get(key);
  }
  async create(key: string, value: Uint8Array) {
    if (this.entries.has(key)) return undefined;
    this.entries.set(key, { revision: ++this.seq, value });
    return this.seq;
  }
  async update(key: string, value: Uint8Array, revision: number) {
    if (this.entries.get(key)?.revision !== revision) return undefined;
    this.entries.set(key, { revision: ++this.seq, value });
    return this.seq;
  }
}

/** The memory bus with a KV capability, as JetStream has. */
class KvMemoryBus extends MemoryEventBus {
  readonly buckets = new Map<string, FakeBucket>();
  async openKv(bucket: string): Promise<KvBucket> {
    const b = this.buckets.get(bucket) ?? new FakeBucket(bucket);
    this.buckets.set(bucket, b);
    return b;
  }
}

/** Condition state that records the keys read and can fail the next reads. */
class WatchedState extends MemoryConditionState {
  readonly reads: string[] = [];
  failReads = 0;
  override async get(key: string): Promise<ConditionSnapshot> {
    this.reads.push(key);
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error("condition state unavailable");
    }
    return super.get(key);
  }
}

const configMap = (name: string) => `
        k8s:
          operation: create
          source:
            resource:
              apiVersion: v1
              kind: ConfigMap
              metadata: { generateName: ${name}-, namespace: ci }`;

/** `deploy` needs push && approve; `notify` (log) and `broken` (a parameter that never resolves) need push alone. */
const MIXED = `
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: mixed, namespace: ci }
spec:
  dependencies:
    - { name: push, eventSourceName: es, eventName: push }
    - { name: approve, eventSourceName: es, eventName: approve }
  triggers:
    - template:
        name: deploy
        conditions: "push && approve"${configMap("deploy")}
    - template:
        name: notify
        conditions: push
        log: {}
    - template:
        name: broken
        conditions: push${configMap("broken")}
          parameters:
            - { src: { dependencyName: push, dataKey: body.nope }, dest: data.x }
`;

/** One trigger, `deploy`, that needs push && approve. */
const PAIR = `
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: pair, namespace: ci }
spec:
  dependencies:
    - { name: push, eventSourceName: es, eventName: push }
    - { name: approve, eventSourceName: es, eventName: approve }
  triggers:
    - template:
        name: deploy
        conditions: "push && approve"${configMap("deploy")}
`;

describe("SensorRunner and multi-dependency condition state", () => {
  let dir: string;
  let bus: MemoryEventBus;
  let store: LocalWorkflowStore;
  let clock: ManualClock;
  let runner: SensorRunner | undefined;
  let started: Sensor | undefined;
  let outcomes: TriggerOutcome[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-conditions-"));
    bus = new MemoryEventBus("default");
    store = new LocalWorkflowStore(dir);
    clock = new ManualClock("2024-05-01T12:01:00.000Z");
    outcomes = [];
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(sensor: Sensor, extra: Partial<SensorRunnerOptions> = {}) {
    runner = new SensorRunner({
      sensor: compileSensor((started = sensor)),
      bus,
      workflows: store,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      clock,
      random: () => 0,
      retryDelayMs: () => 0,
      ...extra,
    });
    await runner.start();
  }

  // Events of an EventSource in the started Sensor's namespace: a Sensor sees no other namespace's.
  const publish = (e: CloudEvent) => bus.publish(eventSubject("default", started?.metadata.namespace || "default", e.source, e.subject), e);
  const until = (pred: () => boolean) => vi.waitFor(() => expect(pred()).toBe(true), { timeout: 5000, interval: 5 });
  const ev = (subject: string, id: string, time = clock.now()) =>
    newCloudEvent({ source: "es", subject, type: "webhook", deliveryId: id, time, data: { body: { id } } });
  const summary = () => outcomes.map((o) => `${o.status}:${o.trigger}`);
  const configMaps = async () => (await store.list("v1", "ConfigMap", "ci")).length;

  it("a sensor whose triggers each have one dependency opens no condition state", async () => {
    const kvBus = new KvMemoryBus("default");
    bus = kvBus;
    await start(sensorFromYaml(CI_SENSOR));
    await publish(githubPushEvent());
    await until(() => outcomes.length === 1);
    expect(outcomes[0]).toMatchObject({ status: "fired" });
    expect([...kvBus.buckets.keys()]).toEqual([]);
  });

  it("a two-dependency trigger keeps its partial match in the bus's KV bucket of the sensor", async () => {
    const kvBus = new KvMemoryBus("default");
    bus = kvBus;
    await start(sensorFromYaml(PAIR));
    const push = ev("push", "p1");
    await publish(push);
    await until(() => outcomes.length === 1);
    expect(outcomes[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("waiting for condition") });
    expect([...kvBus.buckets.keys()]).toEqual(["tg-cond-ci-pair"]);
    const entry = await kvBus.buckets.get("tg-cond-ci-pair")!.get("ci-pair-deploy");
    const stored = JSON.parse(new TextDecoder().decode(entry!.value)) as { events: Record<string, { context: { id: string } }> };
    expect(Object.keys(stored.events)).toEqual(["push"]);
    expect(stored.events.push!.context.id).toBe(push.id);
  });

  it("in a sensor with both kinds, only the multi-dependency trigger waits and touches the state", async () => {
    const state = new WatchedState();
    await start(sensorFromYaml(MIXED), { conditionState: state });
    await publish(ev("push", "p1"));
    await until(() => outcomes.length === 4);
    await bus.whenIdle();
    expect(summary().sort()).toEqual(["dead-lettered:broken", "failed:broken", "fired:notify", "skipped:deploy"]);
    expect(new Set(state.reads)).toEqual(new Set(["ci-mixed-deploy"]));
    expect(await configMaps()).toBe(0);
  });

  it("once a two-dependency firing fired, its completing event delivered again is skipped, not fired again", async () => {
    await start(sensorFromYaml(PAIR));
    const approve = ev("approve", "a1");
    await publish(ev("push", "p1"));
    await publish(approve);
    await until(() => outcomes.length === 2);
    expect(outcomes[1]).toMatchObject({ status: "fired" });
    await publish(approve);
    await until(() => outcomes.length === 3);
    expect(outcomes[2]).toMatchObject({ status: "skipped", reason: "already used by an earlier firing (redelivery)" });
    expect(await configMaps()).toBe(1);
  });

  it("once a two-dependency firing is dead-lettered, its completing event delivered again is skipped", async () => {
    const failing = Object.create(store) as WorkflowClient;
    let creates = 0;
    failing.create = async () => {
      creates++;
      throw new InvalidError("the API rejected the object");
    };
    await start(sensorFromYaml(PAIR), { workflows: failing });
    const approve = ev("approve", "a1");
    await publish(ev("push", "p1"));
    await publish(approve);
    await until(() => outcomes.length === 3);
    expect(summary()).toEqual(["skipped:deploy", "failed:deploy", "dead-lettered:deploy"]);
    await publish(approve);
    await until(() => outcomes.length === 4);
    expect(outcomes[3]).toMatchObject({ status: "skipped", reason: "already used by an earlier firing (redelivery)" });
    expect(creates).toBe(1);
  });

  it("a claim the runner could not read at the last delivery stays: the event sent again fires the pair", async () => {
    const state = new WatchedState();
    const records: CloudEvent[] = [];
    await bus.subscribe({ durable: "dlq-reader", subjects: ["default._deadletter.ci.pair.deploy"] }, async (m: BusMessage) => {
      records.push(m.event);
      await m.ack();
    });
    // The first create fails (transient), and the state is unreachable for the redelivery that follows.
    const flaky = Object.create(store) as WorkflowClient;
    let creates = 0;
    flaky.create = async (obj: KubeObject) => {
      if (++creates === 1) {
        state.failReads = 1;
        throw new Error("connection reset");
      }
      return store.create(obj);
    };
    await start(sensorFromYaml(PAIR), { workflows: flaky, conditionState: state, maxDeliver: 2 });
    const push = ev("push", "p1");
    const approve = ev("approve", "a1");
    await publish(push);
    await publish(approve);
    await until(() => records.length === 1);
    expect(outcomes.map((o) => (o.status === "failed" ? `failed:${o.willRetry}` : o.status))).toEqual(["skipped", "failed:true", "failed:false", "dead-lettered"]);
    // The record holds the event of this delivery, under its dependency.
    expect((records[0]!.data as DeadLetterData).events).toEqual({ approve });
    await publish(approve);
    await until(() => outcomes.length === 5);
    expect(outcomes[4]).toMatchObject({ status: "fired", eventIds: expect.arrayContaining([push.id, approve.id]) });
    expect(await configMaps()).toBe(1);
  });

  it("at start, partial matches from before the last conditionsReset tick are dropped; stop() cancels the schedule", async () => {
    const state = new MemoryConditionState();
    const sensor = sensorFromYaml(PAIR);
    sensor.spec.triggers[0]!.template.conditionsReset = [{ byTime: { cron: "*/5 * * * *" } }];
    const old = (subject: string, id: string, at: string) => sensorEventFromCloudEvent(ev(subject, id, new Date(at)));
    await state.compareAndSet("ci-pair-deploy", 0, {
      events: { push: old("push", "p0", "2024-05-01T11:58:00Z"), approve: old("approve", "a0", "2024-05-01T12:00:30Z") },
      claims: {},
    });
    // 12:01: the last tick was 12:00.
    await start(sensor, { conditionState: state });
    await vi.waitFor(async () => expect(Object.keys((await state.get("ci-pair-deploy")).events)).toEqual(["approve"]), { timeout: 2000, interval: 5 });
    expect(clock.pendingTimers).toBe(1);
    await runner!.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("stop() waits for the firing in flight, then takes no more events", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inCreate = new Promise<void>((r) => (entered = r));
    const gated = Object.create(store) as WorkflowClient;
    gated.create = async (obj: KubeObject) => {
      entered();
      await gate;
      return store.create(obj);
    };
    await start(sensorFromYaml(CI_SENSOR), { workflows: gated });
    await publish(githubPushEvent({ deliveryId: "d1" }));
    await inCreate;
    const atStop = runner!.stop().then(() => outcomes.map((o) => o.status));
    setImmediate(release);
    expect(await atStop).toEqual(["fired"]);
    await publish(githubPushEvent({ deliveryId: "d2" }));
    await bus.whenIdle();
    expect(outcomes).toHaveLength(1);
  });
});
