import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { connect, nanos } from "nats";
import { JetStreamEventBus } from "../../src/eventbus/jetstream.js";
import type { JetStreamOptions } from "../../src/eventbus/jetstream-options.js";
import type { BusMessage } from "../../src/eventbus/bus.js";
import { newCloudEvent, type CloudEvent } from "../../src/eventbus/cloudevent.js";
import { BusUnavailableError } from "../../src/errors.js";
import { createLogger } from "../../src/logger.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function event(n: number, deliveryId?: string): CloudEvent {
  return newCloudEvent({
    source: "es",
    subject: "ev",
    type: "webhook",
    deliveryId,
    data: { header: { "X-N": [String(n)] }, body: { n, nested: { list: [1, "two", null] } } },
  });
}

describe("JetStreamEventBus against a real nats-server", () => {
  let server: NatsServer;
  const buses: JetStreamEventBus[] = [];
  let busCounter = 0;

  async function bus(extra: Partial<JetStreamOptions> = {}): Promise<JetStreamEventBus> {
    const b = await JetStreamEventBus.connect({
      name: extra.name ?? `bus${++busCounter}`,
      servers: [server.url],
      connectTimeoutMs: 5000,
      ...extra,
    });
    buses.push(b);
    return b;
  }

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
    await server?.stop();
  });

  test("creates the stream with the configured limits", async () => {
    const b = await bus({ name: "limits", stream: { maxMsgs: 1234, maxAge: "2h", maxBytes: 1 << 20, replicas: 3, duplicates: 60_000 } });
    const { config } = await b.streamInfo();
    expect(config).toMatchObject({
      name: "limits",
      subjects: ["limits.>"],
      storage: "file",
      retention: "limits",
      discard: "old",
      max_msgs: 1234,
      max_bytes: 1 << 20,
      max_age: nanos(2 * 3600_000),
      duplicate_window: nanos(60_000),
      num_replicas: 1, // a single server cannot hold 3
    });
  });

  test("argo-events defaults when no limits are given", async () => {
    const b = await bus({ name: "defaults" });
    const { config } = await b.streamInfo();
    expect(config).toMatchObject({ max_msgs: 50_000, max_bytes: -1, max_age: nanos(168 * 3600_000), duplicate_window: nanos(300_000) });
  });

  test("updates the stream when its config changed", async () => {
    const first = await bus({ name: "changing", stream: { maxMsgs: 100, maxAge: "1h" } });
    await first.close();
    const second = await bus({ name: "changing", stream: { maxMsgs: 999, maxAge: "3h", duplicates: "10m" } });
    const { config } = await second.streamInfo();
    expect(config.max_msgs).toBe(999);
    expect(config.max_age).toBe(nanos(3 * 3600_000));
    expect(config.duplicate_window).toBe(nanos(600_000));
  });

  test("round trip preserves the CloudEvent, on every subject of a subscription", async () => {
    const b = await bus({ name: "rt" });
    const got: BusMessage[] = [];
    const sub = await b.subscribe({ durable: "sensor-a", subjects: ["rt.es.ev", "rt.es.other"] }, async (m) => {
      got.push(m);
      await m.ack();
    });
    const e1 = event(1);
    const e2 = { ...event(2), subject: "other" };
    await b.publish("rt.es.ev", e1);
    await b.publish("rt.es.other", e2);
    await waitFor(() => (got.length >= 2 ? true : undefined), 10_000, "two deliveries");
    const bySubject = new Map(got.map((m) => [m.subject, m]));
    expect(bySubject.get("rt.es.ev")?.event).toEqual(e1);
    expect(bySubject.get("rt.es.other")?.event).toEqual(e2);
    expect(got.map((m) => m.deliveryCount)).toEqual([1, 1]);
    await sub.drain();
  });

  test("a durable and a KV bucket named past the server's limits still work (a long trigger or Sensor name)", async () => {
    const b = await bus({ name: "longname" });
    const got: BusMessage[] = [];
    const sub = await b.subscribe({ durable: `ns-sensor-${"t".repeat(300)}`, subjects: ["longname.ns.es.ev"] }, async (m) => {
      got.push(m);
      await m.ack();
    });
    const e = event(1);
    await b.publish("longname.ns.es.ev", e);
    await waitFor(() => (got.length >= 1 ? true : undefined), 10_000, "the delivery");
    expect(got[0]?.event).toEqual(e);
    await sub.drain();
    const kv = await (b.openKv as NonNullable<typeof b.openKv>).call(b, `tg-cond-ns-${"s".repeat(253)}`);
    expect(await kv.create("k", new TextEncoder().encode("v"))).toBeGreaterThan(0);
  });

  test("the same event id published three times is stored and delivered once", async () => {
    const b = await bus({ name: "dedup" });
    const ids: string[] = [];
    await b.subscribe({ durable: "d", subjects: ["dedup.es.ev"] }, async (m) => {
      ids.push(m.event.id);
      await m.ack();
    });
    const e = event(7, "delivery-7");
    for (let i = 0; i < 3; i++) await b.publish("dedup.es.ev", e);
    await b.publish("dedup.es.ev", event(8)); // a marker behind it
    await waitFor(() => (ids.length >= 2 ? true : undefined), 10_000, "deliveries");
    await waitForJetStreamQuiet(server.url, { streams: ["dedup"] });
    expect(ids).toEqual([e.id, expect.any(String)]);
    expect((await b.streamInfo()).state.messages).toBe(2);
  });

  test("two processes sharing a durable split 200 messages, each delivered once", async () => {
    const publisher = await bus({ name: "split" });
    const p1 = await bus({ name: "split" });
    const p2 = await bus({ name: "split" });
    const seen: Record<string, string[]> = { p1: [], p2: [] };
    const handler = (who: "p1" | "p2") => async (m: BusMessage) => {
      await sleep(2);
      seen[who].push(m.event.id);
      await m.ack();
    };
    await p1.subscribe({ durable: "shared", subjects: ["split.es.ev"], concurrency: 4 }, handler("p1"));
    await p2.subscribe({ durable: "shared", subjects: ["split.es.ev"], concurrency: 4 }, handler("p2"));
    const sent = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
      const e = event(i);
      await publisher.publish("split.es.ev", e);
      return e.id;
    }));
    await waitFor(() => (seen.p1.length + seen.p2.length >= 200 ? true : undefined), 20_000, "200 deliveries");
    await waitForJetStreamQuiet(server.url, { streams: ["split"] });
    const all = [...seen.p1, ...seen.p2];
    expect(all).toHaveLength(200);
    expect(new Set(all)).toEqual(new Set(sent));
    expect(seen.p1.length).toBeGreaterThan(0);
    expect(seen.p2.length).toBeGreaterThan(0);
  });

  test("nak redelivers with deliveryCount 2; maxDeliver bounds the deliveries", async () => {
    const b = await bus({ name: "nak" });
    const counts: number[] = [];
    await b.subscribe({ durable: "n", subjects: ["nak.es.ev"] }, async (m) => {
      counts.push(m.deliveryCount);
      if (m.deliveryCount === 1) await m.nak(100);
      else await m.ack();
    });
    const always: number[] = [];
    await b.subscribe({ durable: "always", subjects: ["nak.es.ev2"], maxDeliver: 2 }, async (m) => {
      always.push(m.deliveryCount);
      await m.nak(0);
    });
    await b.publish("nak.es.ev", event(1));
    await b.publish("nak.es.ev2", event(2));
    await waitFor(() => (counts.length >= 2 && always.length >= 2 ? true : undefined), 10_000, "redeliveries");
    // A message past maxDeliver leaves the consumer's pending set: quiet means none comes again.
    await waitForJetStreamQuiet(server.url, { streams: ["nak"] });
    expect(counts).toEqual([1, 2]);
    expect(always).toEqual([1, 2]);
  });

  test("no more than `concurrency` handlers run at once, and drain waits for them", async () => {
    const b = await bus({ name: "conc" });
    let running = 0;
    let peak = 0;
    let done = 0;
    const sub = await b.subscribe({ durable: "c", subjects: ["conc.es.ev"], concurrency: 3 }, async (m) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(30);
      running--;
      done++;
      await m.ack();
    });
    for (let i = 0; i < 12; i++) await b.publish("conc.es.ev", event(i));
    await waitFor(() => (done >= 1 ? true : undefined), 10_000, "first handler");
    await sub.drain();
    expect(running).toBe(0);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  test("an undecodable message is terminated, the next one still delivered", async () => {
    const b = await bus({ name: "junk" });
    const ids: string[] = [];
    await b.subscribe({ durable: "j", subjects: ["junk.es.ev"] }, async (m) => {
      ids.push(m.event.id);
      await m.ack();
    });
    const nc = await connect({ servers: server.url });
    await nc.jetstream().publish("junk.es.ev", new TextEncoder().encode("not json"));
    await nc.close();
    const e = event(1);
    await b.publish("junk.es.ev", e);
    await waitFor(() => (ids.length >= 1 ? true : undefined), 10_000, "delivery");
    expect(ids).toEqual([e.id]);
  });
});

describe("JetStreamEventBus when nats-server goes away", () => {
  let server: NatsServer;
  const buses: JetStreamEventBus[] = [];

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true });
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close().catch(() => undefined)));
    await server?.stop();
  });

  test("publishes during a SIGKILL + restart resolve after it, and every acked event is delivered", async () => {
    const opts = { name: "outage", servers: [server.url], publishDeadlineMs: 15_000 };
    const publisher = await JetStreamEventBus.connect(opts);
    const consumer = await JetStreamEventBus.connect(opts);
    buses.push(publisher, consumer);
    const received = new Set<string>();
    await consumer.subscribe({ durable: "o", subjects: ["outage.es.ev"] }, async (m) => {
      received.add(m.event.id);
      await m.ack();
    });
    const acked: string[] = [];
    const send = async (n: number): Promise<void> => {
      const e = event(n);
      await publisher.publish("outage.es.ev", e);
      acked.push(e.id);
    };
    for (let i = 0; i < 10; i++) await send(i);

    await server.kill9();
    const during = Array.from({ length: 10 }, (_, i) => send(100 + i));
    await sleep(1000);
    await server.restart();
    await Promise.all(during);
    for (let i = 0; i < 10; i++) await send(200 + i);

    expect(acked).toHaveLength(30);
    await waitFor(() => (acked.every((id) => received.has(id)) ? true : undefined), 20_000, "every acked event");
    // The same stream came back from disk (not a new, empty one).
    const { state } = await publisher.streamInfo();
    expect(state.first_seq).toBe(1);
    expect(state.messages).toBe(30);
  }, 45_000);

  test("a stream deleted under the bus is created again and consumers resume", async () => {
    const b = await JetStreamEventBus.connect({ name: "healing", servers: [server.url] });
    buses.push(b);
    const received: string[] = [];
    await b.subscribe({ durable: "h", subjects: ["healing.es.ev"] }, async (m) => {
      received.push(m.event.id);
      await m.ack();
    });
    const nc = await connect({ servers: server.url });
    await (await nc.jetstreamManager()).streams.delete("healing");
    await nc.close();
    const e = event(1);
    await b.publish("healing.es.ev", e);
    expect((await b.streamInfo()).state.messages).toBe(1);
    await waitFor(() => (received.includes(e.id) ? true : undefined), 20_000, "delivery after the stream came back");
  }, 30_000);

  test("a pull sent to a consumer deleted while no pull was pending ends after two missed heartbeats, and the consumer comes back", async () => {
    const lines: { msg?: string; err?: string; time?: number }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as { msg?: string; err?: string; time?: number });
        done();
      },
    });
    const b = await JetStreamEventBus.connect({ name: "silent", servers: [server.url], logger: createLogger({ level: "warn", destination: sink, format: "json" }) });
    buses.push(b);
    const received: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await b.subscribe({ durable: "q", subjects: ["silent.es.ev"], concurrency: 1 }, async (m) => {
      received.push(m.event.id);
      if (received.length === 1) await held;
      await m.ack();
    });
    const first = event(1);
    await b.publish("silent.es.ev", first);
    await waitFor(() => (received.length === 1 ? true : undefined), 10_000, "the first event");
    // The only slot is busy, so no pull is pending: the server has nobody to tell.
    const nc = await connect({ servers: server.url });
    await (await nc.jetstreamManager()).consumers.delete("silent", "q");
    await nc.close();
    const second = event(2);
    await b.publish("silent.es.ev", second);
    const released = Date.now();
    release();
    await waitFor(() => (received.includes(second.id) ? true : undefined), 15_000, "the event published after the delete");
    // The pull sent after the release ends on two missed 1 s heartbeats (here, or in
    // nats.js's own check that then finds the consumer gone), not after its 5 s expiry.
    const failed = lines.find((l) => l.msg === "jetstream fetch failed");
    expect(failed?.err).toMatch(/^(the server stopped answering the pull|consumer not found)/);
    expect((failed?.time ?? Infinity) - released).toBeLessThan(4500);
  }, 30_000);

  test("publish rejects with 503 once the deadline passes with the server down", async () => {
    const b = await JetStreamEventBus.connect({ name: "down", servers: [server.url], publishDeadlineMs: 500 });
    buses.push(b);
    await b.publish("down.es.ev", event(1));
    await server.kill9();
    const started = Date.now();
    const err = await b.publish("down.es.ev", event(2)).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as BusUnavailableError).status).toBe(503);
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(3000);
    await server.restart();
  }, 20_000);
});

describe("JetStreamEventBus with token auth", () => {
  let server: NatsServer;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true, args: ["--auth", "s3cret-token"] });
  });

  afterAll(async () => {
    await server?.stop();
  });

  test("the right token connects and round-trips", async () => {
    const b = await JetStreamEventBus.connect({ name: "auth", servers: [server.url], auth: { token: "s3cret-token" } });
    const got: string[] = [];
    await b.subscribe({ durable: "a", subjects: ["auth.es.ev"] }, async (m) => {
      got.push(m.event.id);
      await m.ack();
    });
    const e = event(1);
    await b.publish("auth.es.ev", e);
    await waitFor(() => (got.length ? true : undefined), 10_000, "delivery");
    expect(got).toEqual([e.id]);
    await b.close();
  });

  test.each([
    ["a wrong token", { token: "nope" }],
    ["no credentials", undefined],
  ])("%s fails at once with a clear error", async (_what, auth) => {
    const started = Date.now();
    const err = await JetStreamEventBus.connect({ name: "auth", servers: [server.url], auth, connectTimeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnavailableError);
    expect((err as Error).message).toMatch(/rejected the credentials/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
