import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Sensor } from "../../api/types.js";
import { eventSubject, type EventBus } from "../../eventbus/bus.js";
import type { CloudEvent } from "../../eventbus/cloudevent.js";
import { MemoryEventBus } from "../../eventbus/memory.js";
import { silentLogger } from "../../logger.js";
import { compileSensor, type CompiledSensor } from "../compile.js";
import type { TriggerOutcome } from "../outcome.js";
import { EventRouter, triggerKey, type RoutedEvent } from "./router.js";
import { readWork, WORK_TYPE, workSubject } from "./work.js";

/** A Sensor on github/push whose only filter pins the repository name (indexable) or matches a ref regex (not). */
function teamSensor(i: number, filter: "pinned" | "regex" = "pinned", namespace = "teams"): Sensor {
  const data =
    filter === "pinned"
      ? [{ path: "body.repository.name", type: "string", value: [`^repo-${i}$`] }]
      : [{ path: "body.ref", type: "string", value: [`refs/heads/team-${i}`] }];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Sensor",
    metadata: { name: `team-${i}`, namespace },
    spec: {
      dependencies: [{ name: "push", eventSourceName: "github", eventName: "push", filters: { data } }],
      triggers: [{ template: { name: "log", log: {} } }],
    },
  } as Sensor;
}

function push(id: string, repo: string, ref = "refs/heads/main"): CloudEvent {
  return {
    specversion: "1.0",
    id,
    source: "github",
    subject: "push",
    type: "github",
    time: "2024-05-01T12:00:00.000Z",
    datacontenttype: "application/json",
    data: { body: { repository: { name: repo }, ref } },
  };
}

describe("EventRouter", () => {
  let bus: MemoryEventBus;
  let router: EventRouter;
  let outcomes: TriggerOutcome[];
  let routed: RoutedEvent[];
  let work: { subject: string; event: CloudEvent }[];

  /** The bus as the router sees it: work messages are recorded, and may be made to fail. */
  function recordingBus(failWork: () => boolean): EventBus {
    return new Proxy(bus, {
      get(target, prop) {
        if (prop === "publish") {
          return async (subject: string, event: CloudEvent) => {
            if (event.type === WORK_TYPE) {
              if (failWork()) throw new Error("bus down");
              work.push({ subject, event });
            }
            return target.publish(subject, event);
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }

  function newRouter(failWork: () => boolean = () => false): EventRouter {
    return new EventRouter({
      bus: recordingBus(failWork),
      logger: silentLogger(),
      onOutcome: (o) => outcomes.push(o),
      onRouted: (r) => routed.push(r),
      retryDelayMs: () => 0,
    });
  }

  beforeEach(() => {
    bus = new MemoryEventBus("default");
    outcomes = [];
    routed = [];
    work = [];
    router = newRouter();
  });
  afterEach(async () => {
    await router.stop();
    await bus.close();
  });

  const publish = (e: CloudEvent, namespace = "teams") => bus.publish(eventSubject("default", namespace, e.source, e.subject), e);

  async function load(sensors: Sensor[]): Promise<CompiledSensor[]> {
    const compiled = sensors.map(compileSensor);
    for (const c of compiled) await router.set(c, false);
    return compiled;
  }

  it("sends one work message to the one pinned Sensor of 500 that matches, and reports nothing for the others", async () => {
    await load(Array.from({ length: 500 }, (_, i) => teamSensor(i)));
    await publish(push("e1", "repo-321"));
    await bus.whenIdle();

    expect(work).toHaveLength(1);
    expect(work[0]?.subject).toBe(workSubject("default", "shared", "teams", "team-321", "log"));
    expect(readWork(work[0]?.event as CloudEvent)).toEqual({ event: push("e1", "repo-321"), dependencies: ["push"] });
    expect(outcomes).toEqual([]);
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ eventId: "e1", sent: [{ namespace: "teams", sensor: "team-321", trigger: "log" }], triggers: 500 });
  });

  it("runs the filters of Sensors the index cannot rule out, and reports each skip with its reason", async () => {
    await load([teamSensor(1, "regex"), teamSensor(2, "regex"), teamSensor(3)]);
    await publish(push("e2", "repo-9", "refs/heads/team-2"));
    await bus.whenIdle();

    expect(work.map((w) => w.subject)).toEqual([workSubject("default", "shared", "teams", "team-2", "log")]);
    expect(outcomes).toEqual([
      expect.objectContaining({ status: "skipped", sensor: "team-1", trigger: "log", eventId: "e2", reason: expect.stringContaining("body.ref") }),
    ]);
  });

  it("counts per trigger the events the index ruled out, and explains them on demand", async () => {
    await load([teamSensor(1), teamSensor(2), teamSensor(3, "regex")]);
    await publish(push("a", "repo-1"));
    await publish(push("b", "repo-1"));
    await publish(push("c", "repo-2"));
    await bus.whenIdle();

    const counts = router.excludedCounts();
    const k = (i: number) => triggerKey({ sensor: { namespace: "teams", name: `team-${i}` }, trigger: { name: "log" } });
    expect(counts.get(k(1))).toBe(1);
    expect(counts.get(k(2))).toBe(2);
    // Never ruled out by the index: its skips were reported one by one.
    expect(counts.get(k(3))).toBe(0);
    expect(outcomes.filter((o) => o.sensor === "team-3")).toHaveLength(3);

    const explained = router.explain(routed[2]?.event as NonNullable<RoutedEvent["event"]>, "teams");
    expect(explained.map((x) => x.sensor).sort()).toEqual(["team-1", "team-3"]);
    expect(explained.find((x) => x.sensor === "team-1")?.reason).toMatch(/repo-1/);
  });

  it("replacing a Sensor switches in one step, and its counts carry over", async () => {
    const [v1] = await load([teamSensor(1)]);
    await publish(push("x", "repo-2"));
    await bus.whenIdle();
    const moved = compileSensor({ ...teamSensor(2), metadata: { name: "team-1", namespace: "teams" } } as Sensor);
    await router.set(moved, false);
    await publish(push("y", "repo-2"));
    await publish(push("z", "repo-1"));
    await bus.whenIdle();

    expect(v1?.name).toBe("team-1");
    expect(work.map((w) => readWork(w.event)?.event.id)).toEqual(["y"]);
    const k = triggerKey({ sensor: { namespace: "teams", name: "team-1" }, trigger: { name: "log" } });
    expect(router.excludedCounts().get(k)).toBe(2);
  });

  it("a deleted Sensor gets no more work; its subject's events are not routed once nothing needs them", async () => {
    const [s] = await load([teamSensor(1)]);
    await router.delete(s as CompiledSensor);
    await publish(push("late", "repo-1"));
    await bus.whenIdle();
    expect(work).toEqual([]);
    expect(routed).toEqual([]);
  });

  it("keeps an event until its work is on the bus: a failed publish is routed again, the work id stays the same", async () => {
    await router.stop();
    let failures = 2;
    router = newRouter(() => failures-- > 0);
    await load([teamSensor(1)]);
    await publish(push("retry", "repo-1"));
    await bus.whenIdle();

    expect(work).toHaveLength(1);
    expect(routed).toHaveLength(1);
    expect(failures).toBeLessThan(0);
  });

  it("work ids derive from the event and the trigger (a re-routed event is deduplicated by the bus)", async () => {
    await load([teamSensor(1), { ...teamSensor(1), metadata: { name: "team-1", namespace: "other" } } as Sensor]);
    for (const ns of ["teams", "other"]) {
      await publish(push("same", "repo-1"), ns);
      await publish(push("same", "repo-1"), ns);
    }
    await bus.whenIdle();
    const ids = work.map((w) => `${w.subject} ${w.event.id}`);
    expect(new Set(ids).size).toBe(2);
    expect(ids).toHaveLength(4);
  });

  it("a Sensor gets the events of its own namespace's EventSource only, whatever another namespace names its own", async () => {
    await load([teamSensor(1), { ...teamSensor(1), metadata: { name: "team-1", namespace: "other" } } as Sensor]);
    await publish(push("from-other", "repo-1"), "other");
    await bus.whenIdle();
    expect(work.map((w) => w.subject)).toEqual([workSubject("default", "shared", "other", "team-1", "log")]);
    await publish(push("from-teams", "repo-1"), "teams");
    await bus.whenIdle();
    expect(work.map((w) => w.subject)).toEqual([workSubject("default", "shared", "other", "team-1", "log"), workSubject("default", "shared", "teams", "team-1", "log")]);
  });
});
