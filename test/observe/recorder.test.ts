import { describe, expect, it } from "vitest";
import type { ReceiverOutcome } from "../../src/eventsource/receiver.js";
import { FlowRecorder, buildTopology } from "../../src/observe/index.js";
import type { Sensor } from "../../src/api/types.js";

const NS = "ns";

function published(id: string | undefined, over: Partial<ReceiverOutcome> = {}): ReceiverOutcome {
  return { type: "webhook", eventSourceName: "hooks", eventName: "a", namespace: NS, status: 200, reason: "published", message: "success", eventId: id, durationMs: 1, ...over };
}

const t = { sensor: "s", namespace: NS, trigger: "t" };

describe("FlowRecorder", () => {
  it("keeps the last `capacity` events, newest first", () => {
    const r = new FlowRecorder(3);
    for (const id of ["1", "2", "3", "4", "5"]) r.receiverOutcome(published(id));
    expect(r.events(10).map((e) => e.id)).toEqual(["5", "4", "3"]);
    expect(r.events(2).map((e) => e.id)).toEqual(["5", "4"]);
    // An evicted event's late outcome starts a fresh record instead of touching a stale one.
    r.triggerOutcome({ status: "skipped", ...t, eventId: "1", reason: "r" });
    expect(r.events(10).map((e) => e.id)).toEqual(["1", "5", "4"]);
    expect(r.events(1)[0]).toMatchObject({ source: "", subject: "" });
    expect(r.events(1)[0].receiver).toBeUndefined();
    // The counts outlive the buffer.
    expect(r.flow().eventSources[0].events[0].counts).toEqual({ received: 5, published: 5, filtered: 0, failed: 0 });
  });

  it("is bounded in bytes too: a payload kept to explain skips pushes the oldest events out", () => {
    const r = new FlowRecorder(1000, undefined, 10_000);
    const routed = (id: string, bytes: number) => {
      const event = { context: { id, source: "hooks", subject: "a", specversion: "1.0", type: "webhook", datacontenttype: "application/json", time: "" }, data: {} };
      r.routed({ eventId: id, eventSourceName: "hooks", eventName: "a", event, cloudEvent: { ...event.context, specversion: "1.0", datacontenttype: "application/json", data: {} }, sent: [], triggers: 0 }, bytes);
    };
    for (const id of ["1", "2", "3"]) routed(id, 4000);
    expect(r.events(10).map((e) => e.id)).toEqual(["3", "2"]);
    // The newest stays even when it alone is over the bound.
    routed("big", 50_000);
    expect(r.events(10).map((e) => e.id)).toEqual(["big"]);
  });

  it("explains the triggers the index ruled out from the kept payload, and not those already listed", () => {
    const r = new FlowRecorder();
    const event = { context: { id: "e", source: "hooks", subject: "a", specversion: "1.0", type: "webhook", datacontenttype: "application/json", time: "" }, data: { x: 1 } };
    r.setRouter({
      excludedCounts: () => new Map([["ns\u0000s\u0000t", 4]]),
      explain: (ev) => [
        { namespace: NS, sensor: "s", trigger: "t", reason: `saw ${JSON.stringify(ev.data)}` },
        { namespace: NS, sensor: "other", trigger: "t", reason: "not mine" },
      ],
    });
    r.routed({ eventId: "e", eventSourceName: "hooks", eventName: "a", event, cloudEvent: { ...event.context, specversion: "1.0", datacontenttype: "application/json", data: event.data }, sent: [], triggers: 2 }, 10);
    r.triggerOutcome({ status: "skipped", ...t, sensor: "other", eventId: "e", reason: "listed" });
    expect(r.explain("e")?.ruledOut).toEqual([{ namespace: NS, sensor: "s", trigger: "t", reason: 'saw {"x":1}' }]);
    expect(r.explain("nope")).toBeUndefined();
  });

  it("returns copies: a caller cannot change the history", () => {
    const r = new FlowRecorder(3);
    r.receiverOutcome(published("1"));
    r.events(1)[0].triggers.push({ ...t, status: "fired", attempts: 1, time: "" });
    expect(r.events(1)[0].triggers).toEqual([]);
  });

  it("replaces a retried failure by the final outcome and counts attempts", () => {
    const r = new FlowRecorder();
    r.receiverOutcome(published("e"));
    r.triggerOutcome({ status: "failed", ...t, eventId: "e", error: new Error("api down"), willRetry: true });
    r.triggerOutcome({ status: "rate-limited", ...t, eventId: "e", waitedMs: 10, reason: "held back" });
    let rec = r.events(1)[0].triggers[0];
    expect(rec).toMatchObject({ status: "failed", willRetry: true, reason: "api down", attempts: 1 });
    r.triggerOutcome({ status: "fired", ...t, eventId: "e", eventIds: ["e"], object: { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", namespace: "argo", name: "w-1" } });
    rec = r.events(1)[0].triggers[0];
    expect(rec).toMatchObject({ status: "fired", attempts: 2, object: { name: "w-1" } });
    expect(rec.reason).toBeUndefined();
    expect(rec.willRetry).toBeUndefined();
  });

  it("attaches a multi-dependency firing to every event it consumed", () => {
    const r = new FlowRecorder();
    r.receiverOutcome(published("a"));
    r.triggerOutcome({ status: "skipped", ...t, eventId: "a", reason: 'waiting for "b"' });
    r.receiverOutcome(published("b", { eventName: "b" }));
    r.triggerOutcome({ status: "fired", ...t, eventId: "b", eventIds: ["a", "b"] });
    const [b, a] = r.events(2);
    expect(b.triggers.map((x) => x.status)).toEqual(["fired"]);
    expect(a.triggers.map((x) => x.status)).toEqual(["fired"]);
  });

  it("counts per trigger and shows events sensors wait for that no EventSource here declares", () => {
    const sensor: Sensor = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Sensor",
      metadata: { name: "s", namespace: NS },
      spec: {
        dependencies: [
          { name: "dep-a", eventSourceName: "hooks", eventName: "a" },
          { name: "dep-b", eventSourceName: "elsewhere", eventName: "b" },
        ],
        triggers: [
          { template: { name: "t", conditions: "dep-a", log: {} } },
          {
            template: { name: "both", k8s: { operation: "create", source: { resource: {} } } },
            dlqTrigger: { template: { name: "to-slack", http: { url: "http://x" } } },
          },
        ],
      },
    };
    const r = new FlowRecorder();
    r.setTopology(buildTopology({ eventSources: [], sensors: [sensor] }));
    r.triggerOutcome({ status: "skipped", ...t, eventId: "1", reason: "x" });
    r.triggerOutcome({ status: "failed", ...t, eventId: "2", error: new Error("x"), willRetry: true });
    r.triggerOutcome({ status: "failed", ...t, eventId: "2", error: new Error("x"), willRetry: false });
    r.triggerOutcome({ status: "dead-lettered", ...t, eventId: "2", eventIds: ["2"], error: new Error("api 500"), via: "bus", target: "dlq.subj", reason: "dead-letter record d1 published" });
    r.triggerOutcome({ status: "fired", ...t, eventId: "3", eventIds: ["3"], alreadyExisted: true });
    const flow = r.flow();
    expect(flow.sensors[0].triggers.map((x) => [x.name, x.type, x.dependencies])).toEqual([
      ["t", "log", ["dep-a"]],
      ["both", "k8s", ["dep-a", "dep-b"]],
      ["to-slack", "http", ["dep-a", "dep-b"]],
    ]);
    expect(flow.sensors[0].triggers[2].dlqFor).toBe("both");
    const dead = r.events(10).find((e) => e.id === "2")!.triggers[0];
    expect(dead).toMatchObject({ status: "dead-lettered", reason: "api 500; dead-letter record d1 published", deadLetter: { via: "bus", target: "dlq.subj" } });
    expect(flow.sensors[0].triggers[0].counts).toEqual({ received: 3, filtered: 1, triggered: 1, failed: 1, retried: 1, deadLettered: 1, rateLimited: 0, duplicates: 1 });
    expect(flow.eventSources.map((s) => [s.name, s.events.map((e) => [e.name, e.configured])])).toEqual([
      ["hooks", [["a", false]]],
      ["elsewhere", [["b", false]]],
    ]);
  });

  it("keeps rejected specs, newest first", () => {
    const r = new FlowRecorder();
    r.specRejected({ kind: "Sensor", namespace: NS, name: "bad", message: "spec.triggers: at least one trigger is required" });
    r.specRejected({ kind: "EventSource", namespace: NS, name: "worse", message: "x" });
    expect(r.flow().rejectedSpecs.map((s) => s.name)).toEqual(["worse", "bad"]);
  });
});
