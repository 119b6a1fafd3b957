import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, logCount, ok, postDelivery, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

// One gateway process on a real nats-server: concurrency and provider redeliveries.
describe("gateway on JetStream: concurrent and repeated deliveries", () => {
  let nats: NatsServer;
  let env: LoadEnv;
  let gw: GatewayProcess;
  let reader: WorkflowReader;

  beforeAll(async () => {
    nats = await startNatsServer();
    env = await writeLoadConfig();
    gw = await startLoadGateway(env, ["--nats-url", nats.url]);
    reader = new WorkflowReader(env.store);
  });

  afterAll(async () => {
    await gw?.stop();
    await nats?.stop();
    await env?.cleanup();
  });

  it("turns 500 concurrent deliveries to one endpoint into exactly 500 Workflows", async () => {
    const url = webhookUrl(gw);
    const markers = Array.from({ length: 500 }, (_, i) => `conc-${i}`);
    const results = await Promise.all(markers.map((m) => postDelivery(url, m)));
    expect(statusCounts(results)).toEqual({ "200": 500 });

    const found = await waitFor(async () => {
      const f = await reader.byMarker("conc-");
      return f.size >= 500 ? f : undefined;
    }, 60_000, "500 workflows");
    // Nothing left pending or un-acked: no late duplicate can come any more.
    await waitForJetStreamQuiet(nats.url);
    const final = await reader.byMarker("conc-");
    expect(compareMarkers(final, markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    expect(final.size).toBe(found.size);
    // Each Workflow carries the delivery id it came from.
    const byDelivery = new Map(results.map((r) => [r.marker, r.delivery]));
    for (const [m, [wf]] of final) expect(wf?.params.delivery).toBe(byDelivery.get(m));
    expect(logCount(gw, "trigger fired")).toBeGreaterThanOrEqual(500);
  }, 120_000);

  it("turns one delivery id posted 3 times (a provider redelivery) into 1 Workflow", async () => {
    const url = webhookUrl(gw);
    const delivery = randomUUID();
    // Sequentially, as GitHub's "Redeliver" button does, then twice at once.
    const first = await postDelivery(url, "redeliver-1", delivery);
    const again = await Promise.all([postDelivery(url, "redeliver-1", delivery), postDelivery(url, "redeliver-1", delivery)]);
    expect([first, ...again].every(ok)).toBe(true);
    // A different delivery of the same payload is a new event.
    const other = await postDelivery(url, "redeliver-2");
    expect(ok(other)).toBe(true);

    await waitFor(async () => ((await reader.byMarker("redeliver-")).size === 2 ? true : undefined), 30_000, "2 workflows");
    await waitForJetStreamQuiet(nats.url);
    const found = await reader.byMarker("redeliver-");
    expect(found.get("redeliver-1")).toHaveLength(1);
    expect(found.get("redeliver-2")).toHaveLength(1);
    expect(found.get("redeliver-1")?.[0]?.params.delivery).toBe(delivery);
  }, 60_000);
});
