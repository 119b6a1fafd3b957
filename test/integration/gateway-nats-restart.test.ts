import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, ok, pool, postDelivery, sleep, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

// The bus dies under load: a 2xx must still mean "will become exactly one Workflow".
describe("nats-server killed with -9 in the middle of 2,000 deliveries", () => {
  let nats: NatsServer;
  let env: LoadEnv;
  let gw: GatewayProcess;

  beforeAll(async () => {
    nats = await startNatsServer();
    env = await writeLoadConfig();
    gw = await startLoadGateway(env, ["--nats-url", nats.url]);
  });

  afterAll(async () => {
    await gw?.stop();
    await nats?.stop();
    await env?.cleanup();
  });

  it("turns every delivery answered 2xx into exactly one Workflow; the rest got 503", async () => {
    const url = webhookUrl(gw);
    const markers = Array.from({ length: 2000 }, (_, i) => `bounce-${i}`);
    let answered = 0;
    let outage: Promise<void> | undefined;
    let downMs = 0;
    const results = await pool(markers, 50, async (m) => {
      const r = await postDelivery(url, m);
      if (++answered === 500) {
        // Same port, same store dir, back within ~2 s; requests keep flowing meanwhile.
        outage = (async () => {
          const t = Date.now();
          await nats.kill9();
          await sleep(1000);
          await nats.restart();
          downMs = Date.now() - t;
        })();
      }
      return r;
    });
    await outage;
    expect(outage).toBeDefined();

    const counts = statusCounts(results);
    const accepted = results.filter(ok).map((r) => r.marker);
    const refused = results.filter((r) => r.status === 503).length;
    console.info(`nats down ${downMs} ms: statuses ${JSON.stringify(counts)}, 503s: ${refused}`);
    // Only two answers are acceptable: stored (2xx) or not stored (503).
    expect(accepted.length + refused).toBe(2000);
    expect(accepted.length).toBeGreaterThan(1000);

    const reader = new WorkflowReader(env.store);
    await waitFor(async () => ((await reader.files()).length >= accepted.length ? true : undefined), 120_000, `${accepted.length} workflows`);
    await waitForJetStreamQuiet(nats.url);
    const found = await reader.byMarker("bounce-");
    // Exactly the accepted deliveries: none lost, none twice, none that was refused.
    expect(compareMarkers(found, accepted)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    expect(found.size).toBe(accepted.length);
  }, 180_000);
});
