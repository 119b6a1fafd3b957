import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import type { EventSource, Sensor } from "../../src/api/types.js";
import { providerHeaders } from "../../src/commands/send.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { startReceivers, type ReceiverServer } from "../../src/eventsource/index.js";
import { createLogger } from "../../src/logger.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { compileSensor, SensorRunner } from "../../src/sensor/index.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { Observer, startAdminServer, type AdminServer } from "../../src/observe/index.js";
import { waitFor } from "../support/wait.js";

// Distinctive values: any appearance in the output is a leak, not a coincidence.
const GITHUB_SECRET = "gh-hmac-secret-5f1c9a7e";
const GITLAB_TOKEN = "gl-token-secret-83b2d4c0";
const BEARER = "bearer-secret-0a6e91f2";
const WRONG = { github: "wrong-gh-secret-77aa", gitlab: "wrong-gl-token-66bb", webhook: "wrong-bearer-55cc" };

const NS = "argo-events";
const eventSource: EventSource = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "EventSource",
  metadata: { name: "hooks", namespace: NS },
  spec: {
    github: { gh: { webhook: { endpoint: "/gh", port: "1", method: "POST" }, events: ["push"], webhookSecret: { name: "s", key: "github" } } },
    gitlab: { gl: { webhook: { endpoint: "/gl", port: "1", method: "POST" }, events: ["PushEvents"], secretToken: { name: "s", key: "gitlab" } } },
    webhook: { wh: { endpoint: "/wh", port: "1", method: "POST", authSecret: { name: "s", key: "bearer" } } },
  } as EventSource["spec"],
};

// A log trigger prints whole events: the payload headers must not carry the credentials either.
const sensor: Sensor = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Sensor",
  metadata: { name: "print", namespace: NS },
  spec: {
    dependencies: [
      { name: "gh", eventSourceName: "hooks", eventName: "gh" },
      { name: "gl", eventSourceName: "hooks", eventName: "gl" },
      { name: "wh", eventSourceName: "hooks", eventName: "wh" },
    ],
    triggers: [{ template: { name: "log", conditions: "gh || gl || wh", log: {} } }],
  },
};

describe("no secret reaches a log line, even at trace level", () => {
  const lines: string[] = [];
  let server: ReceiverServer;
  let runner: SensorRunner;
  let admin: AdminServer;
  let observer: Observer;
  const url = (name: string) => server.endpoints().find((e) => e.eventName === name)!.url;

  async function post(name: string, provider: "github" | "gitlab" | "webhook", event: string, secret: string): Promise<number> {
    const body = Buffer.from(JSON.stringify({ ref: "refs/heads/main", object_kind: "push", hello: "world" }));
    const res = await fetch(url(name), { method: "POST", headers: providerHeaders({ provider, event, secret, body }), body: new Uint8Array(body) });
    await res.text();
    return res.status;
  }

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ level: "trace", destination: sink });
    observer = new Observer({ defaultMetrics: false, logger });
    const bus = new MemoryEventBus();
    const secrets = new MapSecretStore({ s: { github: GITHUB_SECRET, gitlab: GITLAB_TOKEN, bearer: BEARER } });
    runner = new SensorRunner({
      sensor: compileSensor(sensor),
      bus,
      workflows: new LocalWorkflowStore({ dir: "/nonexistent-not-used" }),
      secrets,
      logger,
      onOutcome: observer.onTriggerOutcome,
    });
    await runner.start();
    server = await startReceivers({
      eventSources: [eventSource],
      bus,
      secrets,
      logger,
      host: "127.0.0.1",
      portOverride: () => 0,
      onOutcome: observer.onReceiverOutcome,
    });
    observer.setTopology({ eventSources: [eventSource], sensors: [sensor] });
    admin = await startAdminServer({ observer, port: 0, host: "127.0.0.1", logger });

    expect(await post("gh", "github", "push", GITHUB_SECRET)).toBe(200);
    expect(await post("gh", "github", "push", WRONG.github)).toBe(403);
    expect(await post("gl", "gitlab", "Push Hook", GITLAB_TOKEN)).toBe(200);
    expect(await post("gl", "gitlab", "Push Hook", WRONG.gitlab)).toBe(403);
    expect(await post("wh", "webhook", "", BEARER)).toBe(200);
    expect(await post("wh", "webhook", "", WRONG.webhook)).toBe(403);
    await waitFor(() => (lines.filter((l) => l.includes("log trigger")).length >= 3 ? true : undefined), 5000, "three log-trigger lines");
  });

  afterAll(async () => {
    await admin?.close();
    await server?.close();
    await runner?.stop();
  });

  it("logged the traffic (the check below is not vacuous)", () => {
    expect(lines.filter((l) => l.includes('"event published"'))).toHaveLength(3);
    expect(lines.filter((l) => l.includes('"request rejected"'))).toHaveLength(3);
    // The log trigger printed the payloads, headers included.
    expect(lines.some((l) => l.includes("log trigger") && l.includes("hello"))).toBe(true);
  });

  const forbidden = [GITHUB_SECRET, GITLAB_TOKEN, BEARER, `Bearer ${BEARER}`, ...Object.values(WRONG)];
  it.each(forbidden)("%s appears in no log line", (value) => {
    expect(lines.filter((l) => l.includes(value))).toEqual([]);
  });

  it("the event-flow API and the metrics do not carry them either", async () => {
    const texts = await Promise.all(["/api/events?limit=100", "/api/flow", "/metrics"].map(async (p) => (await fetch(admin.url + p)).text()));
    for (const value of forbidden) for (const t of texts) expect(t).not.toContain(value);
    expect(texts[0]).toContain("does not match");
  });
});
