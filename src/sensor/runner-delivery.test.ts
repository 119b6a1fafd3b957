import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KubeObject, Sensor } from "../api/types.js";
import { eventSubject, type BusMessage, type SubscribeOptions } from "../eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../eventbus/cloudevent.js";
import { MemoryEventBus } from "../eventbus/memory.js";
import { InvalidError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import type { WorkflowClient } from "../workflows/client.js";
import { LocalWorkflowStore } from "../workflows/local.js";
import { CI_SENSOR, githubPushEvent, sensorFromYaml } from "../../test/support/sensor-fixtures.js";
import { ManualClock } from "../../test/support/manual-clock.js";
import { compileSensor } from "./compile.js";
import { MemoryConditionState } from "./condition-state.js";
import { DEAD_LETTER_TYPE, type DeadLetterData } from "./delivery/dead-letter.js";
import type { TriggerOutcome } from "./outcome.js";
import { SensorRunner } from "./runner.js";

const DLQ_SUBJECT = "default._deadletter.argo-events.github-ci.ci";

/** A client over the local store whose create fails `failures` times (then works), counting calls. */
function failingClient(store: WorkflowClient, failures: number, error = () => new Error("connection reset")) {
  const calls = { create: 0, get: 0 };
  const client = Object.create(store) as WorkflowClient;
  client.create = async (obj: KubeObject) => {
    calls.create++;
    if (calls.create <= failures) throw error();
    return store.create(obj);
  };
  return { client, calls };
}

function ciSensor(extra: (s: Sensor) => void = () => {}): Sensor {
  const s = sensorFromYaml(CI_SENSOR);
  extra(s);
  return s;
}

describe("SensorRunner delivery: retryStrategy, dead letter, rateLimit, policy.k8s, ordering, conditionsReset", () => {
  let dir: string;
  let bus: MemoryEventBus;
  let store: LocalWorkflowStore;
  let runner: SensorRunner | undefined;
  let started: Sensor | undefined;
  let outcomes: TriggerOutcome[];
  let clock: ManualClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-delivery-"));
    bus = new MemoryEventBus("default");
    store = new LocalWorkflowStore(dir);
    outcomes = [];
    clock = new ManualClock("2024-05-01T12:00:00.000Z");
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(
    sensor: Sensor,
    workflows: WorkflowClient = store,
    extra: { maxDeliver?: number; concurrency?: number; conditionState?: MemoryConditionState } = {},
  ) {
    runner = new SensorRunner({
      sensor: compileSensor((started = sensor)),
      bus,
      workflows,
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
  const statuses = () => outcomes.map((o) => `${o.status}:${o.trigger}`);
  const until = (pred: () => boolean) => vi.waitFor(() => expect(pred()).toBe(true), { timeout: 5000, interval: 5 });

  async function captureDeadLetters(): Promise<CloudEvent[]> {
    const got: CloudEvent[] = [];
    await bus.subscribe({ durable: "dlq-reader", subjects: [DLQ_SUBJECT] }, async (m: BusMessage) => {
      got.push(m.event);
      await m.ack();
    });
    return got;
  }

  it.each([
    ["permanent failure: dead-lettered at once", () => new InvalidError("the API rejected the object"), 1],
    ["transient failure: dead-lettered after maxDeliver deliveries", () => new Error("connection reset"), 3],
  ])("%s", async (_name, error, creates) => {
    const records = await captureDeadLetters();
    const { client, calls } = failingClient(store, 99, error);
    await start(ciSensor(), client, { maxDeliver: 3 });
    const event = githubPushEvent();
    await publish(event);
    await until(() => outcomes.some((o) => o.status === "dead-lettered") && records.length === 1);
    expect(calls.create).toBe(creates);
    const final = outcomes.filter((o) => o.status === "failed" && !o.willRetry);
    expect(final).toHaveLength(1);
    expect(records[0]).toMatchObject({ type: DEAD_LETTER_TYPE, source: "github-ci", subject: "ci" });
    expect(outcomes.find((o) => o.status === "dead-lettered")).toMatchObject({
      via: "bus",
      target: DLQ_SUBJECT,
      eventIds: [event.id],
      reason: `dead-letter record ${records[0]!.id} published`,
    });
    const data = records[0]!.data as DeadLetterData;
    expect(data).toMatchObject({ sensor: "github-ci", namespace: "argo-events", trigger: "ci", eventIds: [event.id] });
    expect(data.events["push-to-master"]).toEqual(event);
    expect(data.error).toBe(error().message);
  });

  it("fires the dlqTrigger with the same events instead of publishing a record", async () => {
    const records = await captureDeadLetters();
    const { client } = failingClient(store, 99, () => new InvalidError("the API rejected the object"));
    const dlqWorkflows: KubeObject[] = [];
    const spy = Object.create(client) as WorkflowClient;
    spy.create = async (obj) => {
      if (obj.metadata.generateName === "ci-failed-") {
        dlqWorkflows.push(obj);
        return store.create(obj);
      }
      return client.create(obj);
    };
    await start(
      ciSensor((s) => {
        const t = s.spec.triggers[0]!;
        t.dlqTrigger = structuredClone({ template: t.template, parameters: t.parameters });
        t.dlqTrigger.template.name = "ci-failed";
        (t.dlqTrigger.template.argoWorkflow!.source as { resource: KubeObject }).resource.metadata.generateName = "ci-failed-";
      }),
      spy,
    );
    const event = githubPushEvent();
    await publish(event);
    await until(() => outcomes.some((o) => o.status === "dead-lettered"));
    expect(statuses()).toEqual(["failed:ci", "fired:ci-failed", "dead-lettered:ci"]);
    expect(outcomes[2]).toMatchObject({ via: "dlqTrigger", target: "ci-failed", reason: 'dlqTrigger "ci-failed" fired' });
    expect(dlqWorkflows).toHaveLength(1);
    expect((dlqWorkflows[0]!.spec as { arguments: unknown }).arguments).toMatchObject({
      parameters: [{ name: "repo", value: "Codertocat/Hello-World" }, { name: "revision" }],
    });
    await bus.whenIdle();
    expect(records).toEqual([]);
  });

  it("a failing dlqTrigger falls back to the dead-letter record", async () => {
    const records = await captureDeadLetters();
    const { client } = failingClient(store, 99, () => new InvalidError("the API rejected the object"));
    await start(
      ciSensor((s) => {
        const t = s.spec.triggers[0]!;
        t.dlqTrigger = structuredClone({ template: { ...t.template, name: "ci-failed" }, parameters: t.parameters });
      }),
      client,
    );
    await publish(githubPushEvent());
    await until(() => records.length === 1);
    expect(statuses()).toEqual(["failed:ci", "failed:ci-failed", "dead-lettered:ci"]);
    expect(outcomes[1]).toMatchObject({ willRetry: false });
    expect((records[0]!.data as DeadLetterData).error).toMatch(/^the API rejected the object; dlqTrigger failed too: /);
  });

  it.each([
    // failures, steps, outcomes, creates, sleeps (ms, jitter 0)
    [2, 3, ["fired"], 3, [1000, 2000]],
    [5, 3, ["failed", "fired"], 6, [1000, 2000, 1000, 2000]],
  ])("retryStrategy: %i failures with %i steps", async (failures, steps, want, creates, sleeps) => {
    const { client, calls } = failingClient(store, failures);
    await start(ciSensor((s) => (s.spec.triggers[0]!.retryStrategy = { steps, duration: "1s", factor: 2, jitter: 0.5 })), client);
    await publish(githubPushEvent());
    await until(() => outcomes.some((o) => o.status === "fired"));
    expect(outcomes.map((o) => o.status)).toEqual(want);
    expect(calls.create).toBe(creates);
    expect(clock.sleeps).toEqual(sleeps);
  });

  it("rateLimit: 2 per Minute holds the third firing back a minute", async () => {
    const times: number[] = [];
    const timed = Object.create(store) as WorkflowClient;
    timed.create = async (obj) => {
      times.push(clock.now().getTime());
      return store.create(obj);
    };
    await start(ciSensor((s) => (s.spec.triggers[0]!.rateLimit = { unit: "Minute", requestsPerUnit: 2 })), timed, { concurrency: 1 });
    for (const d of ["d1", "d2", "d3"]) await publish(githubPushEvent({ deliveryId: d }));
    await until(() => outcomes.filter((o) => o.status === "fired").length === 3);
    const t0 = times[0]!;
    expect(times.map((t) => t - t0)).toEqual([0, 0, 60_000]);
    expect(outcomes.filter((o) => o.status === "rate-limited")).toEqual([expect.objectContaining({ waitedMs: 60_000 })]);
  });

  it.each([
    ["labelled on the second read", 2, true, ["fired"], undefined],
    ["never labelled, errorOnBackoffTimeout", 0, true, ["failed", "dead-lettered"], undefined],
    ["never labelled, tolerated", 0, false, ["fired"], /did not get the labels/],
  ])("policy.k8s: %s", async (_name, labelledAt, errorOnBackoffTimeout, want, warning) => {
    let reads = 0;
    const labelling = Object.create(store) as WorkflowClient;
    labelling.get = async (...args: Parameters<WorkflowClient["get"]>) => {
      const obj = await store.get(...args);
      reads++;
      if (labelledAt > 0 && reads >= labelledAt) obj.metadata.labels = { ...obj.metadata.labels, "workflows.argoproj.io/phase": "Running" };
      return obj;
    };
    await start(
      ciSensor(
        (s) =>
          (s.spec.triggers[0]!.policy = {
            k8s: { labels: { "workflows.argoproj.io/phase": "Running" }, backoff: { steps: 3, duration: "2s", factor: 1, jitter: 0 }, errorOnBackoffTimeout },
          }),
      ),
      labelling,
    );
    await publish(githubPushEvent());
    await until(() => outcomes.length === want.length);
    expect(outcomes.map((o) => o.status)).toEqual(want);
    expect(reads).toBe(labelledAt || 3);
    const fired = outcomes.find((o) => o.status === "fired");
    if (warning) expect(fired).toMatchObject({ warnings: [expect.stringMatching(warning)] });
    else if (fired) expect(fired).not.toHaveProperty("warnings");
  });

  it("conditionsReset drops a half match at the cron tick", async () => {
    const state = new MemoryConditionState();
    await start(
      sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: gate, namespace: ci }
spec:
  dependencies:
    - { name: push, eventSourceName: es, eventName: push }
    - { name: approve, eventSourceName: es, eventName: approve }
  triggers:
    - template:
        name: deploy
        conditions: "push && approve"
        conditionsReset:
          - byTime: { cron: "*/5 * * * *", timezone: "Europe/Paris" }
        log: {}
`),
      store,
      { conditionState: state },
    );
    const ev = (subject: string, n: number) =>
      newCloudEvent({ source: "es", subject, type: "webhook", data: { n }, time: clock.now() });
    clock.advance(60_000); // 12:01
    await publish(ev("push", 1));
    await until(() => outcomes.length === 1);
    const key = "ci-gate-deploy";
    expect(Object.keys((await state.get(key)).events)).toEqual(["push"]);
    // A reset starts by reading the state, synchronously inside the clock's timer: no read
    // during advance() means no tick ran (nothing else reads without an event).
    let reads = 0;
    const get = state.get.bind(state);
    state.get = (k) => (reads++, get(k));
    clock.advance(3 * 60_000); // 12:04: no tick yet
    expect(reads).toBe(0);
    expect(Object.keys((await state.get(key)).events)).toEqual(["push"]);
    clock.advance(2 * 60_000); // 12:06: the 12:05 tick ran
    await vi.waitFor(async () => expect((await state.get(key)).events).toEqual({}), { timeout: 2000, interval: 5 });
    await publish(ev("approve", 2));
    await until(() => outcomes.length === 2);
    expect(outcomes[1]).toMatchObject({ status: "skipped", reason: expect.stringContaining("have: approve)") });
    // And without a tick in between, the pair fires.
    await publish(ev("push", 3));
    await until(() => outcomes.length === 3);
    expect(outcomes[2]).toMatchObject({ status: "fired", trigger: "deploy" });
  });

  it.each([
    ["true", true],
    ["false", false],
    [undefined, false],
  ])("annotation %s=%s subscribes ordered=%s", async (value, ordered) => {
    const seen: SubscribeOptions[] = [];
    const subscribe = bus.subscribe.bind(bus);
    bus.subscribe = (o, h) => (seen.push(o), subscribe(o, h));
    await start(ciSensor((s) => (s.metadata.annotations = value === undefined ? undefined : { "trigger-gateway.io/ordered": value })));
    // The trigger's work consumer and the router's consumer of the event subject.
    expect(seen.map((o) => [o.durable, o.ordered])).toEqual([
      ["argo-events-github-ci-ci", ordered],
      ["_route-argo-events-github-push", ordered],
    ]);
  });
});
