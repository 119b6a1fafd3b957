import { describe, expect, it } from "vitest";
import { newCloudEvent } from "../../eventbus/cloudevent.js";
import { ORDERED_ANNOTATION, readWork, sharedWorkFilter, workLane, workMessage, workSubject } from "./work.js";

const sensor = (annotations?: Record<string, string>) => ({ spec: { metadata: annotations ? { annotations } : undefined } }) as never;
const trigger = (spec: Record<string, unknown>) => ({ spec: { template: { name: "t" }, ...spec } }) as never;

describe("work lanes", () => {
  it("shares the consumer unless order counts or a firing may wait long", () => {
    expect(workLane(sensor(), trigger({}))).toBe("shared");
    expect(workLane(sensor({ [ORDERED_ANNOTATION]: "true" }), trigger({}))).toBe("own");
    expect(workLane(sensor(), trigger({ rateLimit: { unit: "Second", requestsPerUnit: 2 } }))).toBe("own");
    expect(workLane(sensor(), trigger({ rateLimit: { unit: "Second", requestsPerUnit: 0 } }))).toBe("shared");
    expect(workLane(sensor(), trigger({ retryStrategy: { steps: 3 } }))).toBe("own");
    // Argo's default for a retryStrategy without steps is 5 attempts.
    expect(workLane(sensor(), trigger({ retryStrategy: {} }))).toBe("own");
    expect(workLane(sensor(), trigger({ retryStrategy: { steps: 1 } }))).toBe("shared");
  });

  it("puts shared work under the shared filter and the rest outside it", () => {
    const filter = sharedWorkFilter("default");
    const prefix = filter.slice(0, -1);
    expect(workSubject("default", "shared", "ns", "s", "t").startsWith(prefix)).toBe(true);
    expect(workSubject("default", "own", "ns", "s", "t").startsWith(prefix)).toBe(false);
    // Dots and wildcards in names cannot reach another subject.
    expect(workSubject("default", "shared", "a.b", "s>", "t*").split(".")).toHaveLength(6);
  });

  it("reads back what it wrote, with an id fixed by event and trigger", () => {
    const ev = newCloudEvent({ source: "es", subject: "ev", type: "webhook", data: { body: {} } });
    const w = workMessage(ev, "ns", "s", "t", ["dep"]);
    expect(readWork(w)).toEqual({ event: ev, dependencies: ["dep"] });
    expect(workMessage(ev, "ns", "s", "t", ["dep"]).id).toBe(w.id);
    expect(workMessage(ev, "ns", "s", "u", ["dep"]).id).not.toBe(w.id);
  });
});
