// The bus as operators see it, against a real nats-server: /readyz follows the
// connection, and a provider redelivery the stream drops is counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { send } from "../../src/commands/send.js";
import type { EventRecord } from "../../src/observe/index.js";
import { packageRoot } from "../../src/paths.js";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { startNatsServer, type NatsServer } from "../support/nats-server.js";
import { waitFor } from "../support/wait.js";
import { parseExposition, valueOf } from "./support.js";
import { waitForJetStreamQuiet } from "../support/jetstream-quiet.js";

const root = packageRoot();

describe("serve --nats-url: bus readiness and duplicates (built CLI, real nats-server)", () => {
  let nats: NatsServer;
  let gw: GatewayProcess;
  let store: string;
  let admin: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    store = await mkdtemp(join(tmpdir(), "tg-busobs-"));
    gw = await startGatewayProcess([
      "--config", join(root, "fixtures/quickstart"),
      "--secrets-dir", join(root, "fixtures/quickstart/secrets"),
      "--local-store", store,
      "--host", "127.0.0.1",
      "--port", "12000=0",
      "--nats-url", nats.url,
    ]);
    admin = String(gw.logs.find((l) => l.msg === "admin listening")?.url ?? "");
  });

  afterAll(async () => {
    await gw?.stop();
    await nats?.stop();
    await rm(store, { recursive: true, force: true });
  });

  /** The status, the bus's line and the verdict (other checks come and go). */
  const readyz = async (): Promise<{ status: number; bus?: string; verdict?: string }> => {
    const res = await fetch(`${admin}/readyz`);
    const lines = (await res.text()).trimEnd().split("\n");
    return { status: res.status, bus: lines.find((l) => /^\[[+-]\]bus /.test(l)), verdict: lines.at(-1) };
  };
  const READY = { status: 200, bus: "[+]bus ok", verdict: "ready" };

  it("drops the same X-GitHub-Delivery posted twice at the bus and counts it once", async () => {
    const secret = (await readFile(join(root, "fixtures/quickstart/secrets/github-webhook/secret"), "utf8")).trim();
    const body = await readFile(join(root, "fixtures/github/push.json"));
    const delivery = { url: gw.urls.get("github/push")!, provider: "github" as const, event: "push", secret, body, deliveryId: "5f0d6c00-dup0-11ef-8000-000000000001" };
    expect((await send(delivery)).status).toBe(200);
    expect((await send(delivery)).status).toBe(200);
    const metrics = parseExposition(await (await fetch(`${admin}/metrics`)).text());
    const labels = { namespace: "argo-events", stage: "bus", eventsource_name: "github", event_name: "push" };
    expect(valueOf(metrics, "trigger_gateway_duplicate_deliveries_total", labels)).toBe(1);
    // Both requests were accepted; only one event reached the sensor.
    expect(valueOf(metrics, "argo_events_events_sent_total", { namespace: "argo-events", eventsource_name: "github", event_name: "push" })).toBe(2);
    const fired = await waitFor(async () => {
      const m = parseExposition(await (await fetch(`${admin}/metrics`)).text());
      const v = valueOf(m, "argo_events_action_triggered_total", { namespace: "argo-events", sensor_name: "github-ci", trigger_name: "ci" });
      return v !== undefined && v >= 1 ? v : undefined;
    }, 10_000, "the trigger firing");
    await waitForJetStreamQuiet(nats.url);
    const after = parseExposition(await (await fetch(`${admin}/metrics`)).text());
    expect(valueOf(after, "argo_events_action_triggered_total", { namespace: "argo-events", sensor_name: "github-ci", trigger_name: "ci" })).toBe(fired);
    expect(fired).toBe(1);
    const { events } = (await (await fetch(`${admin}/api/events?limit=2`)).json()) as { events: EventRecord[] };
    expect(events[0]?.receiver?.message).toMatch(/a duplicate: the bus already held event/);
  });

  it("is not ready while nats-server is down, and ready again once it is back", async () => {
    expect(await readyz()).toEqual(READY);
    await nats.kill9();
    const down = await waitFor(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 10_000, "/readyz 503");
    expect(down).toEqual({ status: 503, bus: expect.stringMatching(/^\[-\]bus failed: nats disconnected from \S+, reconnecting$/), verdict: "not ready: bus" });
    await nats.restart();
    await waitFor(async () => ((await readyz()).status === 200 ? true : undefined), 15_000, "/readyz 200 after the restart");
    expect(await readyz()).toEqual(READY);
  });
});
