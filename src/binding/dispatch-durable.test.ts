// The dispatcher in durable mode: its subscriptions on the bus and how it settles
// each delivery (ack, nak with backoff, term), driven through a bus that records.
import { describe, expect, it } from "vitest";
import type { KubeObject, WorkflowEventBinding } from "../api/types.js";
import type { BusMessage, EventBus, MessageHandler, SubscribeOptions, Subscription } from "../eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../eventbus/cloudevent.js";
import { AlreadyExistsError, ApiUnavailableError, BusUnavailableError } from "../errors.js";
import { silentLogger } from "../logger.js";
import type { WorkflowClient } from "../workflows/client.js";
import { SpecBindingCatalog } from "./catalog.js";
import { BindingDispatcher } from "./dispatch.js";
import { newBindingEvent, type BindingEventData } from "./event.js";
import type { BindingOutcome } from "./outcome.js";
import { submitting, template } from "../../test/support/binding-fixtures.js";

/** A bus that records subscriptions and lets the test deliver messages itself. */
class RecordingBus implements EventBus {
  readonly name = "default";
  readonly subscriptions: { options: SubscribeOptions; handler: MessageHandler; drained: number }[] = [];
  /** Subscribe calls to refuse before accepting again. */
  refuse = 0;

  async publish(): Promise<void> {}
  async close(): Promise<void> {}

  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    if (this.refuse > 0) {
      this.refuse--;
      return Promise.reject(new BusUnavailableError("bus down"));
    }
    const s = { options, handler, drained: 0 };
    this.subscriptions.push(s);
    return Promise.resolve({
      drain: async () => {
        s.drained++;
      },
    });
  }

  subjects(): string[] {
    return this.subscriptions.flatMap((s) => s.options.subjects);
  }
}

/** Delivers `event` (delivery number `deliveryCount`) to the handler; resolves to how it was settled. */
async function deliver(handler: MessageHandler, event: CloudEvent, deliveryCount: number): Promise<string[]> {
  const settled: string[] = [];
  const msg: BusMessage = {
    subject: "default._bindings.argo",
    event,
    deliveryCount,
    ack: async () => {
      settled.push("ack");
    },
    nak: async (delayMs) => {
      settled.push(`nak ${delayMs}`);
    },
    term: async () => {
      settled.push("term");
    },
  };
  await handler(msg);
  return settled;
}

/** Workflows kept in memory; `fail` decides an error for a create instead. */
function memoryWorkflows(fail?: (wf: KubeObject) => Error | undefined): WorkflowClient & { created: KubeObject[] } {
  const created: KubeObject[] = [];
  const create = async (wf: KubeObject): Promise<KubeObject> => {
    const err = fail?.(wf);
    if (err) throw err;
    if (created.some((w) => w.metadata.name === wf.metadata.name)) throw new AlreadyExistsError(`workflows "${wf.metadata.name}" already exists`);
    created.push(wf);
    return wf;
  };
  return { created, create } as unknown as WorkflowClient & { created: KubeObject[] };
}

const CI = submitting("ci", 'discriminator == "ci"', "ci-build", { repo: "payload.repo" });
const FIXED = submitting("fixed", 'discriminator == "fixed"', "ci-build", {}, { metadata: { name: '"fixed-name"' } });
const OTHER = submitting("elsewhere", "true", "ci-build", {}, { namespace: "other" });

function setup(bindings: WorkflowEventBinding[], workflows: WorkflowClient = memoryWorkflows()) {
  const outcomes: BindingOutcome[] = [];
  const dispatcher = new BindingDispatcher({
    catalog: new SpecBindingCatalog({ bindings, workflowTemplates: [template("ci-build"), template("ci-build", {}, "other")] }),
    workflows,
    logger: silentLogger(),
    onOutcome: (o) => outcomes.push(o),
  });
  return { dispatcher, outcomes, bus: new RecordingBus() };
}

const event = (discriminator: string, payload: unknown = { repo: "r" }): CloudEvent => {
  const data: BindingEventData = { namespace: "argo", discriminator, payload, metadata: {} };
  return newBindingEvent(data);
};

describe("BindingDispatcher subscriptions", () => {
  it("subscribes each namespace with bindings through the shared durable consumer `bindings`", async () => {
    const { dispatcher, bus } = setup([OTHER, CI]);
    await dispatcher.start(bus);
    expect(bus.subscriptions.map((s) => s.options)).toEqual([
      // One delivery more than the dispatcher makes: the dispatcher, not the bus, settles the last one.
      { durable: "bindings", subjects: ["default._bindings.argo"], concurrency: 16, maxDeliver: 6 },
      { durable: "bindings", subjects: ["default._bindings.other"], concurrency: 16, maxDeliver: 6 },
    ]);
  });

  it("takes the concurrency it is given", async () => {
    const { dispatcher, bus } = setup([CI]);
    await dispatcher.start(bus, { concurrency: 3 });
    expect(bus.subscriptions.map((s) => s.options.concurrency)).toEqual([3]);
  });

  it("subscribes a namespace whose bindings appear later, once", async () => {
    const { dispatcher, bus } = setup([CI]);
    await dispatcher.start(bus);
    await dispatcher.ensureSubscribed("late");
    await dispatcher.ensureSubscribed("late");
    await dispatcher.ensureSubscribed("argo");
    expect(bus.subjects()).toEqual(["default._bindings.argo", "default._bindings.late"]);
  });

  it("a namespace asked for before start is subscribed on no bus", async () => {
    const { dispatcher, bus } = setup([CI]);
    await dispatcher.ensureSubscribed("early");
    await dispatcher.start(bus);
    expect(bus.subjects()).toEqual(["default._bindings.argo"]);
  });

  it("a subscription the bus refused is tried again on the next event", async () => {
    const { dispatcher, bus } = setup([CI]);
    await dispatcher.start(bus);
    bus.refuse = 1;
    await expect(dispatcher.ensureSubscribed("late")).rejects.toThrow(BusUnavailableError);
    await dispatcher.ensureSubscribed("late");
    expect(bus.subjects()).toEqual(["default._bindings.argo", "default._bindings.late"]);
  });

  it("drain drains every subscription once, and subscribes nothing afterwards", async () => {
    const { dispatcher, bus } = setup([OTHER, CI]);
    const sub = await dispatcher.start(bus);
    await dispatcher.ensureSubscribed("late");
    await sub.drain();
    expect(bus.subscriptions.map((s) => s.drained)).toEqual([1, 1, 1]);
    await dispatcher.ensureSubscribed("after-drain");
    await sub.drain();
    expect(bus.subjects()).not.toContain("default._bindings.after-drain");
    expect(bus.subscriptions.map((s) => s.drained)).toEqual([1, 1, 1]);
  });
});

describe("BindingDispatcher deliveries", () => {
  async function started(bindings: WorkflowEventBinding[], workflows?: WorkflowClient) {
    const s = setup(bindings, workflows);
    await s.dispatcher.start(s.bus);
    const handler = (s.bus.subscriptions[0] as { handler: MessageHandler }).handler;
    return { ...s, handler };
  }

  it("acks an event once its Workflow is submitted", async () => {
    const workflows = memoryWorkflows();
    const { handler, outcomes } = await started([CI], workflows);
    expect(await deliver(handler, event("ci"), 1)).toEqual(["ack"]);
    expect(workflows.created.map((w) => w.spec)).toEqual([
      { workflowTemplateRef: { name: "ci-build" }, arguments: { parameters: [{ name: "repo", value: "r" }] } },
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(["submitted"]);
  });

  it("terminates what is not a binding event, dispatching nothing", async () => {
    const { handler, outcomes } = await started([submitting("all", "true", "ci-build")]);
    const other = newCloudEvent({ source: "es", subject: "push", type: "github", data: { namespace: "argo", discriminator: "" } });
    expect(await deliver(handler, other, 1)).toEqual(["term"]);
    expect(outcomes).toEqual([]);
  });

  it("a transient failure is redelivered with a doubling delay, unreported, until the fifth delivery reports it", async () => {
    const workflows = memoryWorkflows(() => new ApiUnavailableError("API down", 503));
    const { handler, outcomes } = await started([CI], workflows);
    const e = event("ci");
    expect(await deliver(handler, e, 1)).toEqual(["nak 1000"]);
    expect(await deliver(handler, e, 2)).toEqual(["nak 2000"]);
    expect(await deliver(handler, e, 3)).toEqual(["nak 4000"]);
    expect(await deliver(handler, e, 4)).toEqual(["nak 8000"]);
    expect(outcomes).toEqual([]);
    expect(await deliver(handler, e, 5)).toEqual(["ack"]);
    expect(outcomes.map((o) => [o.result, o.error])).toEqual([["failed", "API down"]]);
  }, 20_000);

  it("a failure no retry can fix is reported and acked at once", async () => {
    const { handler, outcomes } = await started([submitting("ci", 'discriminator == "ci"', "missing")]);
    expect(await deliver(handler, event("ci"), 1)).toEqual(["ack"]);
    expect(outcomes.map((o) => [o.result, o.error])).toEqual([["failed", 'workflowtemplates.argoproj.io "missing" not found in namespace argo']]);
  });

  it("a fixed Workflow name already taken fails on a first delivery, and is done on a redelivery", async () => {
    const workflows = memoryWorkflows();
    const { handler, outcomes } = await started([FIXED], workflows);
    expect(await deliver(handler, event("fixed"), 1)).toEqual(["ack"]);
    // Another event for the same fixed name: the name is taken by someone else's Workflow.
    expect(await deliver(handler, event("fixed"), 1)).toEqual(["ack"]);
    // A redelivery of an event: its Workflow is the one already there.
    expect(await deliver(handler, event("fixed"), 2)).toEqual(["ack"]);
    expect(outcomes.map((o) => o.result)).toEqual(["submitted", "failed", "already-submitted"]);
    expect(outcomes[1]?.error).toBe('failed to create workflow: workflows "fixed-name" already exists');
    expect(workflows.created.map((w) => w.metadata.name)).toEqual(["fixed-name"]);
  });
});
