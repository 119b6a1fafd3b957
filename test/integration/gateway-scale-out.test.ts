import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "nats";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, logCount, ok, pool, postDelivery, sleep, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv, type PostResult,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

// The sensor's one trigger has no rateLimit or retryStrategy: its work goes to the consumer shared by such triggers.
const STREAM = "default";
const WORK = "default._work.s.>";

/** Deliveries of the work consumer so far, and how many of them were redeliveries. */
async function consumerCounts(nc: NatsConnection): Promise<{ deliveries: number; redeliveries: number; ackWaitMs: number }> {
  const jsm = await nc.jetstreamManager();
  const info = (await jsm.consumers.list(STREAM).next()).find((c) => c.config.filter_subject === WORK);
  if (!info) throw new Error(`no consumer of ${WORK}`);
  // The stream holds the events too, so the work messages are counted by subject.
  const stream = await jsm.streams.info(STREAM, { subjects_filter: WORK });
  const messages = Object.values(stream.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  return {
    deliveries: info.delivered.consumer_seq,
    redeliveries: info.delivered.consumer_seq - messages,
    ackWaitMs: (info.config.ack_wait ?? 0) / 1e6,
  };
}

// Two gateway processes, same config, same nats: replicas share the sensor's durable consumer.
describe("two gateway processes on one sensor", () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let env: LoadEnv;
  let reader: WorkflowReader;
  const processes: GatewayProcess[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    env = await writeLoadConfig();
    reader = new WorkflowReader(env.store);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop("SIGKILL")));
    await nc?.close();
    await nats?.stop();
    await env?.cleanup();
  });

  const start = async (args: string[] = []): Promise<GatewayProcess> => {
    const gw = await startLoadGateway(env, ["--nats-url", nats.url, ...args]);
    processes.push(gw);
    return gw;
  };

  it("turns 1,000 events into 1,000 Workflows, each exactly once, with both processes doing work", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const urls = [webhookUrl(a), webhookUrl(b)];
    const markers = Array.from({ length: 1000 }, (_, i) => `two-${i}`);
    // Both receive HTTP, alternately.
    const results = await pool(markers, 50, (m, i) => postDelivery(urls[i % 2] as string, m));
    expect(statusCounts(results)).toEqual({ "200": 1000 });

    await waitFor(async () => ((await reader.byMarker("two-")).size >= 1000 ? true : undefined), 90_000, "1000 workflows");
    await waitForJetStreamQuiet(nats.url);
    expect(compareMarkers(await reader.byMarker("two-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });

    const firedA = logCount(a, "trigger fired");
    const firedB = logCount(b, "trigger fired");
    expect(firedA).toBeGreaterThan(0);
    expect(firedB).toBeGreaterThan(0);
    expect(firedA + firedB).toBe(1000);
    // Nothing was handed to both: no firing found its Workflow already there.
    expect(logCount(a, "trigger already fired for these events") + logCount(b, "trigger already fired for these events")).toBe(0);
    await Promise.all([a.stop(), b.stop()]);
  }, 150_000);

  it("hands the un-acked events of a process killed with -9 to the other one, none twice", async () => {
    // A short ack wait: the killed process's messages come back after 2 s instead of 30 s.
    const [a, b] = await Promise.all([start(["--ack-wait", "2s"]), start(["--ack-wait", "2s"])]);
    const before = await consumerCounts(nc);
    // --ack-wait reached the durable consumer.
    expect(before.ackWaitMs).toBe(2000);
    const url = webhookUrl(a); // B only consumes, so killing it fails no HTTP request.
    const markers = Array.from({ length: 1000 }, (_, i) => `kill-${i}`);
    let killed = false;
    const results: PostResult[] = await pool(markers, 50, async (m) => {
      const r = await postDelivery(url, m);
      // Mid-load, once B has shown it takes a share.
      if (!killed && logCount(b, "trigger fired") >= 50) {
        killed = true;
        // Handlers take well under a millisecond, so at a random instant B may hold
        // nothing. Frozen first, it keeps the pulls it had open and the server fills
        // them while the load goes on: B certainly dies holding un-acked events.
        b.child.kill("SIGSTOP");
        await sleep(300);
        await b.stop("SIGKILL");
      }
      return r;
    });
    expect(killed).toBe(true);
    expect(b.child.signalCode).toBe("SIGKILL");
    expect(results.every(ok)).toBe(true);

    await waitFor(async () => ((await reader.byMarker("kill-")).size >= 1000 ? true : undefined), 90_000, "1000 workflows");
    // What B held comes back after the ack wait; once nothing is un-acked, a late
    // redelivery would have shown as a duplicate.
    await waitForJetStreamQuiet(nats.url);
    expect(compareMarkers(await reader.byMarker("kill-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });

    const after = await consumerCounts(nc);
    const redelivered = after.redeliveries - before.redeliveries;
    // What B held when it died went to A after the ack wait.
    expect(redelivered).toBeGreaterThan(0);
    const firedA = logCount(a, "trigger fired");
    const repeatA = logCount(a, "trigger already fired for these events");
    console.info(`kill -9 of one process: B fired ${logCount(b, "trigger fired")} before dying, A fired ${firedA}, ` +
      `A found ${repeatA} already created by B, ${redelivered} redeliveries`);
    expect(firedA).toBeGreaterThan(0);
  }, 150_000);
});
