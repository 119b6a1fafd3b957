import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startGatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, pool, postDelivery, sleep, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";

/** "trigger fired" lines per worker index. */
function firedByWorker(gw: GatewayProcess): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of gw.logs) if (l.msg === "trigger fired") out.set(Number(l.worker), (out.get(Number(l.worker)) ?? 0) + 1);
  return out;
}

// serve --workers 2: one command, two processes sharing the webhook port and the durable consumer.
describe("serve --workers", () => {
  let nats: NatsServer;
  let env: LoadEnv;
  let reader: WorkflowReader;
  let gw: GatewayProcess | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    env = await writeLoadConfig();
    reader = new WorkflowReader(env.store);
  });

  afterAll(async () => {
    await gw?.stop("SIGKILL");
    await nats?.stop();
    await env?.cleanup();
  });

  it("splits 600 deliveries to one URL between the workers: 600 Workflows, each once, then drains on SIGTERM", async () => {
    gw = await startLoadGateway(env, ["--nats-url", nats.url, "--workers", "2"], 2);
    const url = webhookUrl(gw);
    const markers = Array.from({ length: 600 }, (_, i) => `wk-${i}`);
    const results = await pool(markers, 40, (m) => postDelivery(url, m));
    expect(statusCounts(results)).toEqual({ "200": 600 });
    await waitFor(async () => ((await reader.byMarker("wk-")).size >= 600 ? true : undefined), 60_000, "600 workflows");
    await sleep(300);
    expect(compareMarkers(await reader.byMarker("wk-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    const fired = firedByWorker(gw);
    expect([...fired.keys()].sort()).toEqual([1, 2]);
    expect((fired.get(1) ?? 0) + (fired.get(2) ?? 0)).toBe(600);
    // Both also received HTTP: the shared port hands connections to either.
    const published = new Set(gw.logs.filter((l) => l.msg === "event published").map((l) => Number(l.worker)));
    expect([...published].sort()).toEqual([1, 2]);
    expect(await gw.stop("SIGTERM")).toBe(0);
  }, 120_000);

  it("refuses --workers without the JetStream bus, saying why", async () => {
    await expect(
      startGatewayProcess(["--config", env.configDir, "--secrets-dir", env.secretsDir, "--local-store", env.store, "--port", "12000=0", "--workers", "2"], 10_000),
    ).rejects.toThrow(/--workers needs the JetStream bus/);
  });
});
