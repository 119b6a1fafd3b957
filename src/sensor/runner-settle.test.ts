import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject, Sensor } from "../api/types.js";
import { sharedWorkFilter, workMessage, workSubject } from "./routing/work.js";
import { eventSubject, type BusMessage, type EventBus, type MessageHandler, type SubscribeOptions } from "../eventbus/bus.js";
import type { CloudEvent } from "../eventbus/cloudevent.js";
import { BusUnavailableError, InvalidError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import type { WorkflowClient } from "../workflows/client.js";
import { LocalWorkflowStore } from "../workflows/local.js";
import { CI_SENSOR, githubPushEvent, sensorFromYaml } from "../../test/support/sensor-fixtures.js";
import { ManualClock } from "../../test/support/manual-clock.js";
import { compileSensor } from "./compile.js";
import type { TriggerOutcome } from "./outcome.js";
import { backoffMs, DEFAULT_TRIGGER_CONCURRENCY, SensorRunner, type SensorRunnerOptions } from "./runner.js";

const DURABLE = "argo-events-github-ci-ci";
const DLQ_SUBJECT = "default._deadletter.argo-events.github-ci.ci";

type Settlement = { ack: true } | { nak: number | undefined } | { term: true };

/**
 * A bus the test drives by hand: it delivers one message at a time with the
 * delivery count asked, and tells how the runner settled it.
 */
class ScriptedBus implements EventBus {
  readonly name = "default";
  readonly subscriptions = new Map<string, { options: SubscribeOptions; handler: MessageHandler }>();
  readonly published: { subject: string; event: CloudEvent }[] = [];
  /** Makes publish reject (the dead-letter subject unreachable). */
  publishError: Error | undefined;

  async publish(subject: string, event: CloudEvent): Promise<void> {
    if (this.publishError) throw this.publishError;
    this.published.push({ subject, event });
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler) {
    this.subscriptions.set(options.durable, { options, handler });
    return { drain: async () => {} };
  }

  async close(): Promise<void> {}

  /** Hands `event` to the durable's handler as delivery number `deliveryCount`; resolves with how it was settled. */
  async deliver(durable: string, event: CloudEvent, deliveryCount = 1): Promise<Settlement[]> {
    const sub = this.subscriptions.get(durable);
    // A trigger with rateLimit or retryStrategy has a consumer of its own.
    const subject = (["shared", "own"] as const).map((lane) => workSubject(this.name, lane, "argo-events", "github-ci", "ci")).find((s) => sub?.options.subjects.includes(s));
    if (!subject) throw new Error(`${durable} does not consume the work of argo-events/github-ci/ci`);
    const settled: Settlement[] = [];
    const msg: BusMessage = {
      subject,
      // What the router sends the CI trigger for a push that passed its filters.
      event: workMessage(event, "argo-events", "github-ci", "ci", ["push-to-master"]),
      deliveryCount,
      ack: async () => void settled.push({ ack: true }),
      nak: async (delayMs) => void settled.push({ nak: delayMs }),
      term: async () => void settled.push({ term: true }),
    };
    await sub.handler(msg);
    return settled;
  }
}

/** A client over the local store whose create fails with `error()` while `failing()` says so, counting calls. */
function failingClient(store: WorkflowClient, failing: (call: number) => boolean, error: () => Error = () => new Error("connection reset")) {
  const calls = { create: 0 };
  const client = Object.create(store) as WorkflowClient;
  client.create = async (obj: KubeObject) => {
    calls.create++;
    if (failing(calls.create)) throw error();
    return store.create(obj);
  };
  return { client, calls };
}

function ciSensor(extra: (s: Sensor) => void = () => {}): Sensor {
  const s = sensorFromYaml(CI_SENSOR);
  extra(s);
  return s;
}

describe("backoffMs: the default wait before a redelivery", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [20, 30_000],
  ])("delivery %i -> %i ms", (n, ms) => expect(backoffMs(n)).toBe(ms));
});

describe("SensorRunner settles each message: ack, nak with a delay, or term", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  let bus: ScriptedBus;
  let clock: ManualClock;
  let outcomes: TriggerOutcome[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-settle-"));
    store = new LocalWorkflowStore(dir);
    bus = new ScriptedBus();
    clock = new ManualClock("2024-05-01T12:00:00.000Z");
    outcomes = [];
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function start(sensor: Sensor, workflows: WorkflowClient = store, extra: Partial<SensorRunnerOptions> = {}) {
    const runner = new SensorRunner({
      sensor: compileSensor(sensor),
      bus,
      workflows,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      clock,
      random: () => 0,
      ...extra,
    });
    await runner.start();
    return runner;
  }

  it("a transient failure is nak'ed after the default backoff of its delivery", async () => {
    const { client } = failingClient(store, () => true);
    await start(ciSensor(), client, { maxDeliver: 10 });
    expect(await bus.deliver(DURABLE, githubPushEvent(), 1)).toEqual([{ nak: 1000 }]);
    expect(await bus.deliver(DURABLE, githubPushEvent(), 3)).toEqual([{ nak: 4000 }]);
    expect(await bus.deliver(DURABLE, githubPushEvent(), 9)).toEqual([{ nak: 30_000 }]);
    expect(outcomes.map((o) => o.status === "failed" && o.willRetry)).toEqual([true, true, true]);
  });

  it("retryDelayMs, when given, decides the redelivery delay", async () => {
    const { client } = failingClient(store, () => true);
    await start(ciSensor(), client, { maxDeliver: 10, retryDelayMs: (n) => n * 7 });
    expect(await bus.deliver(DURABLE, githubPushEvent(), 2)).toEqual([{ nak: 14 }]);
  });

  it("a dead letter that cannot be published goes back to the bus while deliveries remain, and is termed at the last", async () => {
    const { client, calls } = failingClient(store, () => true, () => new InvalidError("the API rejected the object"));
    await start(ciSensor(), client, { maxDeliver: 3 });
    bus.publishError = new BusUnavailableError("bus down");
    expect(await bus.deliver(DURABLE, githubPushEvent(), 1)).toEqual([{ nak: 1000 }]);
    expect(await bus.deliver(DURABLE, githubPushEvent(), 2)).toEqual([{ nak: 2000 }]);
    expect(await bus.deliver(DURABLE, githubPushEvent(), 3)).toEqual([{ term: true }]);
    // Permanent: one attempt per delivery, and nothing claims the events were dead-lettered.
    expect(calls.create).toBe(3);
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "failed", "failed"]);
    expect(outcomes.every((o) => o.status === "failed" && !o.willRetry)).toBe(true);
    // The bus is back: the record goes out and the message is acked.
    bus.publishError = undefined;
    expect(await bus.deliver(DURABLE, githubPushEvent(), 3)).toEqual([{ ack: true }]);
    expect(bus.published.map((p) => p.subject)).toEqual([DLQ_SUBJECT]);
  });

  it("a fired trigger is acked once; its durationMs counts retryStrategy waits but not rateLimit waits", async () => {
    // Fails only the first attempt of the second delivery.
    const { client } = failingClient(store, (call) => call === 2);
    await start(
      ciSensor((s) => {
        s.spec.triggers[0]!.rateLimit = { unit: "Minute", requestsPerUnit: 1 };
        s.spec.triggers[0]!.retryStrategy = { steps: 2, duration: "5s", factor: 1, jitter: 0 };
      }),
      client,
    );
    expect(await bus.deliver(DURABLE, githubPushEvent({ deliveryId: "d1" }))).toEqual([{ ack: true }]);
    expect(await bus.deliver(DURABLE, githubPushEvent({ deliveryId: "d2" }))).toEqual([{ ack: true }]);
    // d2: 60 s for the rate, a failed attempt, 5 s of retryStrategy, 55 s more for the rate, then it fires.
    expect(clock.sleeps).toEqual([60_000, 5000, 55_000]);
    expect(outcomes.map((o) => [o.status, o.status === "rate-limited" ? o.reason : o.status === "fired" ? o.durationMs : undefined])).toEqual([
      ["fired", 0],
      ["rate-limited", "rateLimit held the firing back 60000 ms"],
      ["rate-limited", "rateLimit held the firing back 55000 ms"],
      ["fired", 5000],
    ]);
  });

  it("a failure after the action reports how long the action took", async () => {
    const { client } = failingClient(store, () => true);
    await start(ciSensor((s) => (s.spec.triggers[0]!.retryStrategy = { steps: 3, duration: "2s", factor: 2, jitter: 0 })), client, { maxDeliver: 5 });
    expect(await bus.deliver(DURABLE, githubPushEvent())).toEqual([{ nak: 1000 }]);
    expect(outcomes).toEqual([expect.objectContaining({ status: "failed", willRetry: true, durationMs: 6000 })]);
  });

  it.each([
    [undefined, DEFAULT_TRIGGER_CONCURRENCY],
    [3, 3],
  ])("concurrency %s: subscribes with %i handlers at once", async (concurrency, want) => {
    await start(ciSensor(), store, concurrency === undefined ? {} : { concurrency });
    expect(bus.subscriptions.get(DURABLE)?.options).toMatchObject({ concurrency: want, maxDeliver: 5, subjects: [workSubject("default", "shared", "argo-events", "github-ci", "ci")], shared: sharedWorkFilter("default") });
  });

  it("a trigger whose firings may wait long (retryStrategy) consumes its own subject, not the shared one", async () => {
    await start(ciSensor((s) => (s.spec.triggers[0]!.retryStrategy = { steps: 3 })), store);
    const { options } = bus.subscriptions.get(DURABLE)!;
    expect(options.shared).toBeUndefined();
    expect(options.subjects).toEqual([workSubject("default", "own", "argo-events", "github-ci", "ci")]);
  });

  it.each<[string, (s: Sensor) => void, RegExp]>([
    ["a trigger's retryStrategy", (s) => s.spec.triggers.push({ ...structuredClone(s.spec.triggers[0]!), retryStrategy: { steps: -1 } }), /Sensor spec\.triggers\[1\]\.retryStrategy: steps: expected/],
    [
      "its dlqTrigger's rateLimit",
      (s) => {
        const t = s.spec.triggers[0]!;
        t.dlqTrigger = { template: { ...structuredClone(t.template), name: "ci-failed" }, rateLimit: { unit: "Day", requestsPerUnit: 1 } };
      },
      /Sensor spec\.triggers\[0\]\.dlqTrigger\.rateLimit: unit: expected/,
    ],
  ])("a bad delivery setting in %s fails the construction, naming the field", (_name, edit, message) => {
    const s = ciSensor(edit);
    if (s.spec.triggers[1]) s.spec.triggers[1].template.name = "ci-2";
    expect(() => new SensorRunner({ sensor: compileSensor(s), bus, workflows: store, secrets: new MapSecretStore({}), logger: silentLogger() })).toThrow(message);
  });
});
