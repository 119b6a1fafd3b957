import { describe, expect, it } from "vitest";
import { MemoryEventBus } from "./memory.js";
import { newCloudEvent } from "./cloudevent.js";
import type { BusMessage } from "./bus.js";

const ev = (n: number) => newCloudEvent({ source: "es", subject: "push", type: "github", data: { n } });

describe("MemoryEventBus", () => {
  it("delivers each event once to a durable consumer shared by two subscribers", async () => {
    const bus = new MemoryEventBus("default");
    const seen: { who: string; n: number }[] = [];
    const handler = (who: string) => async (m: BusMessage) => {
      seen.push({ who, n: (m.event.data as { n: number }).n });
      await new Promise((r) => setTimeout(r, 1));
      await m.ack();
    };
    const a = await bus.subscribe({ durable: "d", subjects: ["default.es.push"], concurrency: 2 }, handler("a"));
    const b = await bus.subscribe({ durable: "d", subjects: ["default.es.push"], concurrency: 2 }, handler("b"));
    for (let i = 0; i < 100; i++) await bus.publish("default.es.push", ev(i));
    await bus.whenIdle();
    await a.drain();
    await b.drain();
    expect(seen.map((s) => s.n).sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    expect(new Set(seen.map((s) => s.who))).toEqual(new Set(["a", "b"]));
  });

  it("redelivers a nak'ed message with a higher delivery count", async () => {
    const bus = new MemoryEventBus();
    const counts: number[] = [];
    await bus.subscribe({ durable: "d", subjects: ["default.es.push"] }, async (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount < 3) await m.nak(5);
      else await m.ack();
    });
    await bus.publish("default.es.push", ev(1));
    await bus.whenIdle();
    expect(counts).toEqual([1, 2, 3]);
  });

  it("gives separate durable consumers a copy each and ignores other subjects", async () => {
    const bus = new MemoryEventBus();
    const got: string[] = [];
    await bus.subscribe({ durable: "x", subjects: ["default.es.push"] }, async (m) => { got.push("x"); await m.ack(); });
    await bus.subscribe({ durable: "y", subjects: ["default.es.push"] }, async (m) => { got.push("y"); await m.ack(); });
    await bus.subscribe({ durable: "z", subjects: ["default.es.pr"] }, async (m) => { got.push("z"); await m.ack(); });
    await bus.publish("default.es.push", ev(1));
    await bus.whenIdle();
    expect(got.sort()).toEqual(["x", "y"]);
  });

  it.each([
    ["ordered", true],
    ["unordered", false],
  ])("%s: per-subject order across subscribers, redeliveries first", async (_name, ordered) => {
    const bus = new MemoryEventBus();
    const subjects = ["default.es.push", "default.es.pr"];
    const handled: Record<string, number[]> = { "default.es.push": [], "default.es.pr": [] };
    let inFlight = 0;
    let maxInFlight = 0;
    const handler = async (m: BusMessage) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const n = (m.event.data as { n: number }).n;
      // Later messages finish sooner, so without ordering they overtake.
      await new Promise((r) => setTimeout(r, 20 - (n % 20)));
      inFlight--;
      // Every 7th fails once: its redelivery must still come before the next one.
      if (n % 7 === 0 && m.deliveryCount === 1) return m.nak(5);
      handled[m.subject]!.push(n);
      await m.ack();
    };
    const a = await bus.subscribe({ durable: "o", subjects, concurrency: 4, ordered }, handler);
    const b = await bus.subscribe({ durable: "o", subjects, concurrency: 4, ordered }, handler);
    for (let i = 0; i < 30; i++) await bus.publish(subjects[i % 2]!, ev(i));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (handled["default.es.push"]!.length + handled["default.es.pr"]!.length === 30) (clearInterval(t), resolve());
      }, 5);
    });
    await a.drain();
    await b.drain();
    const evens = [...Array(15).keys()].map((i) => 2 * i);
    const odds = evens.map((i) => i + 1);
    if (ordered) {
      expect(handled["default.es.push"]).toEqual(evens);
      expect(handled["default.es.pr"]).toEqual(odds);
      // One per subject at a time, but the two subjects run side by side.
      expect(maxInFlight).toBe(2);
    } else {
      expect(handled["default.es.push"]).not.toEqual(evens);
      expect(maxInFlight).toBeGreaterThan(2);
    }
  });

  it("rejects publish after close", async () => {
    const bus = new MemoryEventBus();
    await bus.close();
    await expect(bus.publish("default.es.push", ev(1))).rejects.toMatchObject({ code: "BUS_UNAVAILABLE", status: 503 });
  });
});

describe("MemoryEventBus.settle", () => {
  it("resolves only once every accepted event was handled, redeliveries included", async () => {
    const bus = new MemoryEventBus();
    const handled: number[] = [];
    await bus.subscribe({ durable: "d", subjects: ["default.es.push"], concurrency: 2 }, async (m) => {
      await new Promise((r) => setTimeout(r, 5));
      if (m.deliveryCount === 1 && (m.event.data as { n: number }).n % 5 === 0) return m.nak(20);
      handled.push((m.event.data as { n: number }).n);
      await m.ack();
    });
    for (let i = 0; i < 20; i++) await bus.publish("default.es.push", ev(i));
    await bus.settle();
    expect(handled.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });
});
