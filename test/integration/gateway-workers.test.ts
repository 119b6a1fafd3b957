import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startGatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, pool, postDelivery, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

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
    await waitForJetStreamQuiet(nats.url);
    expect(compareMarkers(await reader.byMarker("wk-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    const fired = firedByWorker(gw);
    expect([...fired.keys()].sort()).toEqual([1, 2]);
    expect((fired.get(1) ?? 0) + (fired.get(2) ?? 0)).toBe(600);
    // Both also received HTTP: the shared port hands connections to either.
    const published = new Set(gw.logs.filter((l) => l.msg === "event published").map((l) => Number(l.worker)));
    expect([...published].sort()).toEqual([1, 2]);
    expect(await gw.stop("SIGTERM")).toBe(0);
  }, 120_000);

  it("takes the JetStream bus from an EventBus spec in --config too", async () => {
    const busEnv = await writeLoadConfig({
      "eventbus.yaml": `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: default, namespace: argo-events}
spec:
  jetstreamExotic:
    url: ${nats.url}
`,
    });
    const spec = await startLoadGateway(busEnv, ["--workers", "2"], 2);
    try {
      const markers = Array.from({ length: 40 }, (_, i) => `bus-${i}`);
      const results = await pool(markers, 10, (m) => postDelivery(webhookUrl(spec), m));
      expect(statusCounts(results)).toEqual({ "200": 40 });
      const stored = new WorkflowReader(busEnv.store);
      await waitFor(async () => ((await stored.byMarker("bus-")).size >= 40 ? true : undefined), 30_000, "40 workflows");
      expect(compareMarkers(await stored.byMarker("bus-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
      expect(await spec.stop("SIGTERM")).toBe(0);
    } finally {
      await spec.stop("SIGKILL");
      await busEnv.cleanup();
    }
  }, 60_000);

  it("without the JetStream bus the workers refuse to start and the primary exits instead of restarting them", async () => {
    const err = await startGatewayProcess(
      ["--config", env.configDir, "--secrets-dir", env.secretsDir, "--local-store", env.store, "--port", "12000=0", "--workers", "2"],
      15_000,
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^gateway exited with 1:/);
    expect((err as Error).message).toMatch(/--workers needs the JetStream bus/);
  });
});
