// Two replicas, one hook manager: the lease in a real JetStream KV bucket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import { KvLease } from "../../src/hooks/lease.js";
import { natsUrlForTests } from "../support/nats-server.js";

let nats: { url: string; stop(): Promise<void> };
const buses: JetStreamEventBus[] = [];
beforeAll(async () => {
  nats = await natsUrlForTests();
});
afterAll(async () => {
  for (const b of buses) await b.close();
  await nats.stop();
});

async function bucket(name: string) {
  const bus = await JetStreamEventBus.connect({ name, servers: [nats.url], connectTimeoutMs: 5000 });
  buses.push(bus);
  return bus.openKv(`lease-${name}`);
}

describe("KvLease", () => {
  it("one holder at a time; the other takes over once the lease lapses or is released", async () => {
    const name = `l${Date.now()}`;
    let now = 1_000_000;
    const a = new KvLease(await bucket(name), 30_000, () => now);
    const b = new KvLease(await bucket(name), 30_000, () => now);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    now += 20_000;
    expect(await a.acquire(), "the holder renews").toBe(true);
    now += 20_000;
    expect(await b.acquire(), "renewed 20 s ago: still held").toBe(false);
    now += 31_000;
    expect(await b.acquire(), "lapsed: taken over").toBe(true);
    expect(await a.acquire(), "the old holder has lost it").toBe(false);
    await b.release();
    expect(await a.acquire(), "released: taken at once").toBe(true);
  });

  it("two replicas racing for a free lease: exactly one wins", async () => {
    const name = `r${Date.now()}`;
    const leases = await Promise.all([1, 2, 3, 4].map(async () => new KvLease(await bucket(name), 30_000)));
    const won = await Promise.all(leases.map((l) => l.acquire()));
    expect(won.filter(Boolean)).toHaveLength(1);
  });
});
