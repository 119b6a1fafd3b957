import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import type { BusMessage, SubscribeOptions } from "../../src/eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../../src/eventbus/cloudevent.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function event(n: number): CloudEvent {
  return newCloudEvent({ source: "es", subject: "ev", type: "webhook", data: { body: { n } } });
}

const until = (ok: () => boolean, ms = 10_000): Promise<true> => waitFor(() => ok() || undefined, ms);
const n = (m: BusMessage): number => (m.event.data as { body: { n: number } }).body.n;

describe("shared subscriptions on JetStream: one consumer for many subjects", () => {
  let server: NatsServer;
  const buses: JetStreamEventBus[] = [];
  let counter = 0;

  async function bus(name: string): Promise<JetStreamEventBus> {
    const b = await JetStreamEventBus.connect({ name, servers: [server.url], connectTimeoutMs: 5000 });
    buses.push(b);
    return b;
  }

  function shared(name: string, subject: string, extra: Partial<SubscribeOptions> = {}): SubscribeOptions {
    return { durable: `d${++counter}`, subjects: [`${name}._work.s.${subject}`], shared: `${name}._work.s.>`, ...extra };
  }

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
    await server?.stop();
  });

  test("each handler gets only its subjects, and the server holds one consumer for all of them", async () => {
    const b = await bus("sh1");
    const got = new Map<string, number[]>();
    for (const t of ["a", "b", "c"]) {
      await b.subscribe(shared("sh1", t), async (m) => {
        got.set(t, [...(got.get(t) ?? []), n(m)]);
        await m.ack();
      });
    }
    for (let i = 0; i < 9; i++) await b.publish(`sh1._work.s.${"abc"[i % 3]}`, event(i));
    await until(() => [...got.values()].flat().length === 9);
    expect(got.get("a")?.sort()).toEqual([0, 3, 6]);
    expect(got.get("b")?.sort()).toEqual([1, 4, 7]);
    expect(got.get("c")?.sort()).toEqual([2, 5, 8]);
    const info = await b.streamInfo();
    expect(info.state.consumer_count).toBe(1);
  });

  test("a handler never runs more than its concurrency at once; the others of the pool go on meanwhile", async () => {
    const b = await bus("sh2");
    let running = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: number[] = [];
    await b.subscribe(shared("sh2", "slow", { concurrency: 2 }), async (m) => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      slow.push(n(m));
      await m.ack();
    });
    const fast: number[] = [];
    await b.subscribe(shared("sh2", "fast"), async (m) => {
      fast.push(n(m));
      await m.ack();
    });
    for (let i = 0; i < 6; i++) await b.publish("sh2._work.s.slow", event(i));
    for (let i = 0; i < 5; i++) await b.publish("sh2._work.s.fast", event(100 + i));
    await until(() => fast.length === 5);
    expect(running).toBe(2);
    release();
    await until(() => slow.length === 6);
    expect(most).toBe(2);
    expect(slow.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test("a message nobody here consumes is kept until a subscriber for its subject comes", async () => {
    const b = await bus("sh3");
    const other: number[] = [];
    await b.subscribe(shared("sh3", "known"), async (m) => {
      other.push(n(m));
      await m.ack();
    });
    await b.publish("sh3._work.s.later", event(7));
    await b.publish("sh3._work.s.known", event(8));
    await until(() => other.length === 1);
    await sleep(300);
    const later: BusMessage[] = [];
    await b.subscribe(shared("sh3", "later"), async (m) => {
      later.push(m);
      await m.ack();
    });
    await until(() => later.length === 1);
    expect(n(later[0] as BusMessage)).toBe(7);
    expect(later[0]?.deliveryCount).toBeGreaterThan(1);
  });

  test("draining one subscription hands its waiting messages to another subscriber of the subject", async () => {
    const b = await bus("sh4");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first: number[] = [];
    const sub = await b.subscribe(shared("sh4", "t", { concurrency: 1 }), async (m) => {
      await gate;
      first.push(n(m));
      await m.ack();
    });
    for (let i = 0; i < 4; i++) await b.publish("sh4._work.s.t", event(i));
    await sleep(300);
    const second: number[] = [];
    // The replacement (e.g. a reloaded Sensor) subscribes before the old one drains.
    await b.subscribe(shared("sh4", "t", { concurrency: 8 }), async (m) => {
      second.push(n(m));
      await m.ack();
    });
    const drained = sub.drain();
    release();
    await drained;
    await until(() => first.length + second.length === 4);
    expect([...first, ...second].sort()).toEqual([0, 1, 2, 3]);
    expect(first.length).toBeLessThanOrEqual(2);
  });

  test("ordered subscriptions keep a consumer of their own even when they name a shared filter", async () => {
    const b = await bus("sh5");
    const got: number[] = [];
    await b.subscribe(shared("sh5", "x", { ordered: true }), async (m) => {
      got.push(n(m));
      await m.ack();
    });
    await b.subscribe(shared("sh5", "y"), async (m) => m.ack());
    await b.publish("sh5._work.s.x", event(1));
    await until(() => got.length === 1);
    const info = await b.streamInfo();
    expect(info.state.consumer_count).toBe(2);
  });

  test("a subject outside the shared filter is refused", async () => {
    const b = await bus("sh6");
    await expect(b.subscribe({ durable: "z", subjects: ["sh6.other"], shared: "sh6._work.s.>" }, async (m) => m.ack())).rejects.toThrow(/outside the shared consumer/);
  });
});
