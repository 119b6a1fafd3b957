import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "nats";
import type { GatewayProcess } from "../support/gateway-process.js";
import { startNatsCluster, type NatsCluster } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, pool, postDelivery, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

// The EventBus as users write it for an external NATS: every server, 3 replicas.
const eventBus = (urls: string[]): string => `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata:
  name: default
  namespace: argo-events
spec:
  jetstreamExotic:
    url: ${urls.join(",")}
    streamConfig: |
      replicas: 3
      maxAge: 1h
`;

describe("gateway on a 3-node JetStream cluster", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let env: LoadEnv;
  let gw: GatewayProcess;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.urls });
    env = await writeLoadConfig({ "eventbus.yaml": eventBus(cluster.urls) });
    // A leader election takes a few seconds: the publish deadline covers it.
    gw = await startLoadGateway(env, ["--publish-deadline", "30s"]);
  });

  afterAll(async () => {
    await gw?.stop();
    await nc?.close();
    await cluster?.stop();
    await env?.cleanup();
  });

  it("loses nothing, refuses nothing and duplicates nothing when the stream leader is killed with -9 mid-load", async () => {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info("default");
    expect(info.config.num_replicas).toBe(3);
    const leader = info.cluster?.leader;
    const victim = cluster.servers[Number(leader?.replace(/^n/, "")) - 1];
    expect(victim).toBeDefined();

    const url = webhookUrl(gw);
    const markers = Array.from({ length: 1000 }, (_, i) => `ha-${i}`);
    let answered = 0;
    let kill: Promise<void> | undefined;
    const results = await pool(markers, 50, async (m) => {
      const r = await postDelivery(url, m);
      if (++answered === 300) kill = victim?.kill9();
      return r;
    });
    await kill;
    expect(kill).toBeDefined();
    expect(statusCounts(results)).toEqual({ "200": 1000 });

    const reader = new WorkflowReader(env.store);
    await waitFor(async () => ((await reader.byMarker("ha-")).size >= 1000 ? true : undefined), 120_000, "1000 workflows");
    await waitForJetStreamQuiet(cluster.urls);
    expect(compareMarkers(await reader.byMarker("ha-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    // The stream really moved to another server.
    const after = await jsm.streams.info("default");
    expect(after.cluster?.leader).toBeDefined();
    expect(after.cluster?.leader).not.toBe(leader);
  }, 180_000);
});
