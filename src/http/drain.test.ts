import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { EventBus, MessageHandler, SubscribeOptions, Subscription } from "../eventbus/bus.js";
import type { CloudEvent } from "../eventbus/cloudevent.js";
import { NotSupportedError } from "../errors.js";
import { silentLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { DRAIN_RETRY_AFTER_SECONDS } from "./drain.js";
import { startReceivers, type ReceiverServer } from "../eventsource/server.js";
import { eventSource } from "../../test/support/receiver-harness.js";

/** A bus whose publishes stay open until released. */
class HeldBus implements EventBus {
  readonly name = "default";
  readonly held: { subject: string; release: () => void }[] = [];
  readonly stored: string[] = [];

  publish(subject: string, event: CloudEvent): Promise<void> {
    return new Promise((resolve) => {
      this.held.push({
        subject,
        release: () => {
          this.stored.push(event.id);
          resolve();
        },
      });
    });
  }
  async subscribe(_o: SubscribeOptions, _h: MessageHandler): Promise<Subscription> {
    throw new NotSupportedError("HeldBus does not deliver");
  }
  async close(): Promise<void> {}
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One POST on a fresh connection (no agent), so keep-alive reuse plays no part. */
function post(url: string, body = '{"a":1}'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const until = async (ok: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("a draining receiver", () => {
  let server: ReceiverServer | undefined;
  afterEach(async () => {
    for (const h of bus?.held.splice(0) ?? []) h.release();
    await server?.close();
    server = undefined;
  });
  let bus: HeldBus | undefined;

  it("answers 503 to new deliveries while the one in flight finishes its publish and gets 200", async () => {
    bus = new HeldBus();
    server = await startReceivers({
      eventSources: [eventSource("hooks", { webhook: { example: { endpoint: "/example", port: "12000", method: "POST" } } })],
      bus,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
    });
    const url = server.endpoints()[0]!.url;
    const base = server.addresses()[0]!.url;
    const b = bus;

    const inFlight = post(url, '{"n":"first"}');
    await until(() => b.held.length === 1, "the first publish");
    expect(server.inFlight()).toBe(1);

    server.drain();
    const refused = await post(url, '{"n":"second"}');
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe(String(DRAIN_RETRY_AFTER_SECONDS));
    expect(refused.headers.connection).toBe("close");
    // The refused one never reached the bus; health says the same as the endpoints.
    expect(b.held).toHaveLength(1);
    expect((await post(`${base}/health`)).status).toBe(503);

    // close() waits for the request in flight, however long its publish takes.
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    // A round trip through the same server: still listening (refusing), and close() not done.
    // A close() that did not wait would have stopped the listener (ECONNREFUSED) and resolved.
    expect((await post(url, '{"n":"third"}')).status).toBe(503);
    expect(closed).toBe(false);

    b.held[0]!.release();
    const first = await inFlight;
    expect(first.status).toBe(200);
    // Its keep-alive connection is not offered for reuse either.
    expect(first.headers.connection).toBe("close");
    await closing;
    expect(b.stored).toHaveLength(1);
    expect(server.inFlight()).toBe(0);
    // Once closed, nothing listens any more.
    await expect(post(url)).rejects.toThrow(/ECONNREFUSED/);
    server = undefined;
  });

  it("closes at once when nothing is in flight", async () => {
    bus = new HeldBus();
    server = await startReceivers({
      eventSources: [eventSource("hooks", { webhook: { example: { endpoint: "/example", port: "12000", method: "POST" } } })],
      bus,
      secrets: new MapSecretStore({}),
      logger: silentLogger(),
      host: "127.0.0.1",
      portOverride: () => 0,
    });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    server = undefined;
  });
});
