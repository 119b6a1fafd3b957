import { describe, expect, it } from "vitest";
import { newCloudEvent, type CloudEvent } from "../../eventbus/cloudevent.js";
import { sensorEventFromCloudEvent } from "../event.js";
import { DEAD_LETTER_TYPE, deadLetterEvent, deadLetterSubject, toCloudEvent } from "./dead-letter.js";

describe("dead letter", () => {
  it.each([
    ["argo", "ci", "build", "default._deadletter.argo.ci.build"],
    ["argo", "ci.v2", "a b*>", "default._deadletter.argo.ci_v2.a_b__"],
    ["", "ci", "build", "default._deadletter._.ci.build"],
  ])("subject of %s/%s/%s", (ns, s, t, want) => expect(deadLetterSubject("default", ns, s, t)).toBe(want));

  it("the record holds the events as they were and a stable id", () => {
    const ce = newCloudEvent({ source: "github", subject: "push", type: "github", data: { body: { a: 1 } }, deliveryId: "d1" });
    expect(toCloudEvent(sensorEventFromCloudEvent(ce))).toEqual(ce);
    const input = { sensor: "ci", namespace: "argo", trigger: "build", error: "boom", events: { push: ce } };
    const r1 = deadLetterEvent(input, new Date("2024-05-01T00:00:00Z"));
    const r2 = deadLetterEvent(input, new Date("2024-05-02T00:00:00Z"));
    expect(r1).toMatchObject({ type: "trigger-gateway.deadletter", source: "ci", subject: "build", specversion: "1.0", datacontenttype: "application/json" });
    expect(r1.type).toBe(DEAD_LETTER_TYPE);
    expect(r1.time).toBe("2024-05-01T00:00:00.000Z");
    expect(r1.id).toMatch(/^[0-9a-f]{32}$/);
    expect(r2.id).toBe(r1.id);
    expect(r1.data).toEqual({ sensor: "ci", namespace: "argo", trigger: "build", error: "boom", eventIds: [ce.id], events: { push: ce } });
  });

  /** A CloudEvent with the given id (ids are opaque strings to the record). */
  const withId = (id: string): CloudEvent => ({ ...newCloudEvent({ source: "github", subject: "push", type: "github", data: {} }), id });
  const recordId = (trigger: string, events: Record<string, CloudEvent>) =>
    deadLetterEvent({ sensor: "ci", namespace: "argo", trigger, error: "boom", events }, new Date("2024-05-01T00:00:00Z")).id;

  it("the record id is the same whatever the order of the events", () => {
    expect(recordId("build", { a: withId("e1"), b: withId("e2") })).toBe(recordId("build", { a: withId("e2"), b: withId("e1") }));
  });

  it("different firings get different record ids", () => {
    const same = recordId("build", { a: withId("ab"), b: withId("c") });
    // The same events for another trigger, and ids that only differ in where one ends.
    expect(recordId("deploy", { a: withId("ab"), b: withId("c") })).not.toBe(same);
    expect(recordId("build", { a: withId("a"), b: withId("bc") })).not.toBe(same);
  });
});
