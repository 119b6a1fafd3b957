// serve --role / --split-roles: receivers and sensors in separate processes, over JetStream.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { packageRoot } from "../../src/paths.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import {
  compareMarkers, pool, postDelivery, startLoadGateway, statusCounts, webhookUrl,
  WorkflowReader, writeLoadConfig, type LoadEnv,
} from "../support/gateway-load.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

const TOKEN = "roles-test-token-0123456789";

/** Worker index -> its log lines with this msg. */
function byWorker(gw: GatewayProcess, msg: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of gw.logs) if (l.msg === msg) out.set(Number(l.worker), (out.get(Number(l.worker)) ?? 0) + 1);
  return out;
}

describe("serve --workers 2 --split-roles", () => {
  let nats: NatsServer;
  let env: LoadEnv;
  let gw: GatewayProcess | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    env = await writeLoadConfig();
    await writeFile(join(env.secretsDir, "..", "tokens.yaml"), `${TOKEN}:\n  serviceAccount: ci\n  namespace: argo-events\n`);
  });

  afterAll(async () => {
    await gw?.stop("SIGKILL");
    await nats?.stop();
    await env?.cleanup();
  });

  it("worker 1 only receives and publishes, worker 2 only fires: 300 deliveries, 300 Workflows, each once", async () => {
    gw = await startLoadGateway(env, [
      "--nats-url", nats.url, "--workers", "2", "--split-roles",
      "--config", join(packageRoot(), "fixtures/samples/workfloweventbinding.yaml"),
      "--config", join(packageRoot(), "fixtures/samples/workflowtemplate-ci.yaml"),
      "--tokens-file", join(env.secretsDir, "..", "tokens.yaml"),
    ], 2);
    const ready = gw.logs.filter((l) => l.msg === "gateway ready").map((l) => [l.worker, l.role]);
    expect(ready.sort()).toEqual([[1, "receivers"], [2, "sensors"]]);
    const markers = Array.from({ length: 300 }, (_, i) => `role-${i}`);
    const results = await pool(markers, 30, (m) => postDelivery(webhookUrl(gw as GatewayProcess), m));
    expect(statusCounts(results)).toEqual({ "200": 300 });
    const reader = new WorkflowReader(env.store);
    await waitFor(async () => ((await reader.byMarker("role-")).size >= 300 ? true : undefined), 60_000, "300 workflows");
    await waitForJetStreamQuiet(nats.url);
    expect(compareMarkers(await reader.byMarker("role-"), markers)).toEqual({ missing: [], duplicated: [], unexpected: [] });
    expect([...byWorker(gw, "event published")]).toEqual([[1, 300]]);
    expect([...byWorker(gw, "trigger fired")]).toEqual([[2, 300]]);
    // No webhook or events port in the sensors worker.
    expect([...byWorker(gw, "listening").keys()]).toEqual([1]);
    expect([...byWorker(gw, "events endpoint listening").keys()]).toEqual([1]);
  }, 120_000);

  it("a WorkflowEventBinding event is taken by the receivers worker and submitted by the sensors worker", async () => {
    const p = gw as GatewayProcess;
    const base = p.logs.find((l) => l.msg === "events endpoint listening")?.url as string;
    const res = await fetch(`${base}argo-events/ci`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ repo: "argoproj/argo-workflows", revision: "v3.6.1" }),
    });
    expect(res.status).toBe(200);
    const files = await waitFor(async () => {
      const f = await readdir(join(env.store, "argo-events")).catch(() => [] as string[]);
      const mine = f.filter((n) => n.startsWith("ci-build-"));
      return mine.length > 0 ? mine : undefined;
    }, 20_000, "the binding's Workflow");
    const wf = parse(await readFile(join(env.store, "argo-events", files[0] as string), "utf8")) as { spec: { arguments: { parameters: unknown[] } } };
    expect(wf.spec.arguments.parameters).toContainEqual({ name: "revision", value: "v3.6.1" });
    expect([...byWorker(p, "workflow submitted")]).toEqual([[2, 1]]);
    expect(await p.stop("SIGTERM")).toBe(0);
  }, 60_000);
});

describe("serve --role without a shared bus", () => {
  let env: LoadEnv;
  beforeAll(async () => {
    env = await writeLoadConfig();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it("refuses --role sensors on the in-process bus, which no other process could publish to", async () => {
    const err = await startLoadGateway(env, ["--role", "sensors"]).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/^gateway exited with 1:/);
    expect((err as Error).message).toMatch(/--role sensors needs the JetStream bus/);
  });

  it("rejects an unknown role and --split-roles without workers, naming the flag", async () => {
    const bad = await startGatewayProcess(["--config", env.configDir, "--role", "triggers"]).catch((e: unknown) => e as Error);
    expect((bad as Error).message).toMatch(/--role triggers: expected all, receivers, sensors/);
    const alone = await startGatewayProcess(["--config", env.configDir, "--split-roles"]).catch((e: unknown) => e as Error);
    expect((alone as Error).message).toMatch(/--split-roles needs --workers 2 or more/);
  });
});
