import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { connect } from "nats";
import type { Sensor } from "../../src/api/types.js";
import { eventSubject, type BusMessage } from "../../src/eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../../src/eventbus/cloudevent.js";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import { InvalidError } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { compileSensor } from "../../src/sensor/compile.js";
import { conditionBucketName } from "../../src/sensor/condition-state-kv.js";
import type { TriggerOutcome } from "../../src/sensor/outcome.js";
import { ORDERED_ANNOTATION, SensorRunner } from "../../src/sensor/runner.js";
import type { WorkflowClient } from "../../src/workflows/client.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { sensorFromYaml } from "../support/sensor-fixtures.js";
import { waitFor } from "../support/wait.js";

const PAIR_SENSOR = (name: string) =>
  sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: ${name}, namespace: ci }
spec:
  dependencies:
    - { name: a, eventSourceName: es, eventName: a }
    - { name: b, eventSourceName: es, eventName: b }
  triggers:
    - template: { name: both, conditions: "a && b", log: {} }
`);

const ev = (subject: string, n: number): CloudEvent => newCloudEvent({ source: "es", subject, type: "webhook", data: { body: { n } } });

// Never called by log triggers; the runner only needs the shape.
const noWorkflows = {} as WorkflowClient;

describe("SensorRunner on JetStream: shared condition state, ordering, dead letter", () => {
  let server: NatsServer;
  let busNo = 0;
  const open: { bus: JetStreamEventBus; runner?: SensorRunner }[] = [];

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
  });
  afterEach(async () => {
    for (const p of open.splice(0)) {
      await p.runner?.stop().catch(() => undefined);
      await p.bus.close().catch(() => undefined);
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** One gateway process: its own NATS connection and runner. */
  async function process(sensor: Sensor, outcomes: TriggerOutcome[], busName: string, workflows = noWorkflows) {
    const bus = await JetStreamEventBus.connect({ name: busName, servers: [server.url], connectTimeoutMs: 5000 });
    const runner = new SensorRunner({
      sensor: compileSensor(sensor),
      bus,
      workflows,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      concurrency: 4,
      retryDelayMs: () => 0,
    });
    await runner.start();
    const p = { bus, runner };
    open.push(p);
    return p;
  }

  const until = (pred: () => boolean, timeoutMs = 5000) => waitFor(() => (pred() ? true : undefined), timeoutMs);
  const fired = (outcomes: TriggerOutcome[]) => outcomes.filter((o): o is Extract<TriggerOutcome, { status: "fired" }> => o.status === "fired");

  test("a in one process, b in another (after a restart): one firing from the KV state", async () => {
    const busName = `kv${++busNo}`;
    const sensor = PAIR_SENSOR("pair");
    const first: TriggerOutcome[] = [];
    const p1 = await process(sensor, first, busName);
    const a = ev("a", 1);
    await p1.bus.publish(eventSubject(busName, "ci", "es", "a"), a);
    await until(() => first.length === 1);
    expect(first[0]).toMatchObject({ status: "skipped", reason: expect.stringContaining("have: a)") });
    await p1.runner.stop();
    await p1.bus.close();

    // The state is in the sensor's bucket, not in the stopped process.
    const nc = await connect({ servers: server.url });
    const kv = await nc.jetstream().views.kv(conditionBucketName("ci", "pair"));
    const stored = await kv.get("ci-pair-both");
    expect(Object.keys(JSON.parse(new TextDecoder().decode(stored!.value)).events)).toEqual(["a"]);
    await nc.close();

    const second: TriggerOutcome[] = [];
    const p2 = await process(sensor, second, busName);
    const b = ev("b", 1);
    await p2.bus.publish(eventSubject(busName, "ci", "es", "b"), b);
    await until(() => second.length === 1);
    expect(second[0]).toMatchObject({ status: "fired", eventIds: expect.arrayContaining([a.id, b.id]) });
  });

  test("two processes, 50 pairs each published at the same instant: exactly 50 firings, each with its own pair", async () => {
    const busName = `kv${++busNo}`;
    const sensor = PAIR_SENSOR("race");
    const outcomes: TriggerOutcome[] = [];
    const p1 = await process(sensor, outcomes, busName);
    const p2 = await process(sensor, outcomes, busName);
    for (let i = 0; i < 50; i++) {
      const a = ev("a", i);
      const b = ev("b", i);
      const before = outcomes.length;
      // From the two processes at once, so the two halves race in the two runners.
      await Promise.all([p1.bus.publish(eventSubject(busName, "ci", "es", "a"), a), p2.bus.publish(eventSubject(busName, "ci", "es", "b"), b)]);
      await until(() => outcomes.length === before + 2, 10_000);
      const f = fired(outcomes.slice(before));
      expect(f).toHaveLength(1);
      expect(new Set(f[0]!.eventIds)).toEqual(new Set([a.id, b.id]));
    }
    expect(fired(outcomes)).toHaveLength(50);
    expect(outcomes.filter((o) => o.status === "failed")).toEqual([]);
  });

  test("a burst of 50 pairs at once: no event used twice, no pair left waiting", async () => {
    const busName = `kv${++busNo}`;
    const sensor = PAIR_SENSOR("burst");
    const outcomes: TriggerOutcome[] = [];
    const p1 = await process(sensor, outcomes, busName);
    const p2 = await process(sensor, outcomes, busName);
    const events = Array.from({ length: 50 }, (_, i) => [ev("a", i), ev("b", i)]).flat();
    await Promise.all(events.map((e, i) => (i % 2 ? p1 : p2).bus.publish(eventSubject(busName, "ci", "es", e.subject), e)));
    await until(() => outcomes.length === 100, 20_000);
    const used = fired(outcomes).flatMap((o) => o.eventIds);
    expect(used.length).toBeGreaterThan(0);
    expect(new Set(used).size).toBe(used.length);
    const nc = await connect({ servers: server.url });
    const kv = await nc.jetstream().views.kv(conditionBucketName("ci", "burst"));
    const left = JSON.parse(new TextDecoder().decode((await kv.get("ci-burst-both"))!.value)) as { events: object };
    await nc.close();
    expect(Object.keys(left.events).length).toBeLessThan(2);
    expect(outcomes.filter((o) => o.status === "failed")).toEqual([]);
  });

  test.each([
    ["ordered", true],
    ["unordered", false],
  ])("%s sensor: consumer max_ack_pending and the order a subject's messages are handled in", async (_name, ordered) => {
    const busName = `ord${++busNo}`;
    const sensor = sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: seq, namespace: ci, annotations: { ${ORDERED_ANNOTATION}: "${ordered}" } }
spec:
  dependencies: [{ name: a, eventSourceName: es, eventName: a }]
  triggers:
    - template:
        name: t
        k8s:
          operation: create
          source: { resource: { apiVersion: v1, kind: ConfigMap, metadata: { generateName: x- } } }
`);
    // Creates take a random while, so that without ordering later events overtake.
    const slow = {
      create: async (obj: { metadata: object }) => {
        await new Promise((r) => setTimeout(r, Math.random() * 15));
        return { ...obj, metadata: { ...obj.metadata, name: "x", namespace: "ci" } };
      },
    } as unknown as WorkflowClient;
    const outcomes: TriggerOutcome[] = [];
    const p1 = await process(sensor, outcomes, busName, slow);
    await process(sensor, outcomes, busName, slow);
    const nc = await connect({ servers: server.url });
    // Unordered triggers' work shares one consumer; an ordered trigger has its own.
    const consumers = await (await nc.jetstreamManager()).consumers.list(busName).next();
    await nc.close();
    const workFilter = `${busName}._work.${ordered ? "o.ci.seq.t" : "s.>"}`;
    const info = consumers.find((c) => c.config.filter_subject === workFilter);
    expect(info?.config.max_ack_pending).toBe(ordered ? 1 : 1000);
    if (ordered) expect(info?.name).toBe("ci-seq-t");
    const sent = Array.from({ length: 30 }, (_, i) => ev("a", i));
    for (const e of sent) await p1.bus.publish(eventSubject(busName, "ci", "es", "a"), e);
    await until(() => outcomes.length === 30, 10_000);
    expect(outcomes.every((o) => o.status === "fired")).toBe(true);
    if (ordered) expect(outcomes.map((o) => o.eventId)).toEqual(sent.map((e) => e.id));
    else expect(outcomes.map((o) => o.eventId)).not.toEqual(sent.map((e) => e.id));
  });

  test("a final failure publishes the dead-letter record on the JetStream bus", async () => {
    const busName = `dlq${++busNo}`;
    const sensor = sensorFromYaml(`
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata: { name: wf, namespace: ci }
spec:
  dependencies: [{ name: a, eventSourceName: es, eventName: a }]
  triggers:
    - template:
        name: t
        k8s:
          operation: create
          source: { resource: { apiVersion: v1, kind: ConfigMap, metadata: { generateName: x- } } }
`);
    const rejecting = { create: async () => Promise.reject(new InvalidError("rejected")) } as unknown as WorkflowClient;
    const outcomes: TriggerOutcome[] = [];
    const p = await process(sensor, outcomes, busName, rejecting);
    const records: CloudEvent[] = [];
    await p.bus.subscribe({ durable: "reader", subjects: [`${busName}._deadletter.ci.wf.t`] }, async (m: BusMessage) => {
      records.push(m.event);
      await m.ack();
    });
    const a = ev("a", 1);
    await p.bus.publish(eventSubject(busName, "ci", "es", "a"), a);
    await until(() => records.length === 1, 10_000);
    expect(records[0]).toMatchObject({ type: "trigger-gateway.deadletter", data: { sensor: "wf", trigger: "t", eventIds: [a.id] } });
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "dead-lettered"]);
  });
});
