import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventRecord, Flow } from "../../src/observe/index.js";
import { Observer, startAdminServer, readinessFlag } from "../../src/observe/index.js";
import { waitFor } from "../support/wait.js";
import { parseExposition, startQuickstartPipeline, valueOf, type Pipeline } from "./support.js";

const NS = "argo-events";

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
}

describe("admin server over the quickstart pipeline", () => {
  let p: Pipeline;
  let dir: string;
  let events: EventRecord[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-observe-"));
    p = await startQuickstartPipeline(dir);
    expect(await p.push("refs/heads/main")).toBe(200);
    expect(await p.push("refs/heads/feature/x")).toBe(200);
    expect(await p.push("refs/heads/main", { secret: "wrong" })).toBe(403);
    events = await waitFor(async () => {
      const r = JSON.parse((await get(`${p.admin.url}/api/events`)).body) as { events: EventRecord[] };
      return r.events.filter((e) => e.triggers.length > 0).length === 2 ? r.events : undefined;
    }, 5000, "two sensor outcomes");
  });

  afterAll(async () => {
    await p?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("GET /api/events/<id> gives one event with its outcomes; an unknown id is 404, a malformed one 400", async () => {
    const dropped = events[1];
    const r = await get(`${p.admin.url}/api/events/${dropped.id}`);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { event: EventRecord; ruledOut: unknown[] };
    expect(body.event.triggers[0]).toMatchObject({ status: "skipped", sensor: "github-ci" });
    // Reported one by one already (its filter is not indexable): nothing more to explain.
    expect(body.ruledOut).toEqual([]);
    expect((await get(`${p.admin.url}/api/events/ffffffffffffffffffffffffffffffff`)).status).toBe(404);
    expect((await get(`${p.admin.url}/api/events/%E0%A4%A`)).status).toBe(400);
  });

  it("GET /api/events/<id>/event gives the event itself, which test-sensor replays to the same outcome", async () => {
    const { testSensorCommand } = await import("../../src/commands/test-sensor.js");
    const { writeFile } = await import("node:fs/promises");
    const { packageRoot } = await import("../../src/paths.js");
    const [, dropped, fired] = events;
    for (const [record, fires] of [[fired, true], [dropped, false]] as const) {
      const r = await get(`${p.admin.url}/api/events/${record.id}/event`);
      expect(r.status).toBe(200);
      const event = JSON.parse(r.body) as { context: { id: string }; data: { headers: Record<string, string[]>; body: { ref: string } } };
      expect(event.context.id).toBe(record.id);
      // Credentials stay masked in what is handed back.
      expect(event.data.headers["X-Hub-Signature-256"]).toEqual(["*** Masked Auth Secret ***"]);
      const file = join(dir, `${record.id}.json`);
      await writeFile(file, r.body);
      const replay = await testSensorCommand(join(packageRoot(), "fixtures/quickstart/sensor.yaml"), [file]);
      expect(replay.triggers[0]).toMatchObject({ fired: fires });
    }
    expect((await get(`${p.admin.url}/api/events/ffffffffffffffffffffffffffffffff/event`)).status).toBe(404);
  });

  it("GET /healthz answers 200", async () => {
    expect(await get(`${p.admin.url}/healthz`)).toMatchObject({ status: 200, body: "ok\n" });
  });

  it("GET /api/events lists newest first with the receiver outcome and each trigger's outcome", () => {
    expect(events).toHaveLength(3);
    const [rejected, dropped, fired] = events;
    expect(rejected).toMatchObject({ id: null, source: "github", subject: "push", type: "github", namespace: NS, triggers: [] });
    expect(rejected.receiver).toMatchObject({ status: 403, reason: "forbidden" });

    expect(dropped.id).toMatch(/^[0-9a-f]{32}$/);
    expect(dropped.receiver).toMatchObject({ status: 200, reason: "published" });
    expect(dropped.triggers).toHaveLength(1);
    const skip = dropped.triggers[0];
    expect(skip).toMatchObject({ namespace: NS, sensor: "github-ci", trigger: "ci", status: "skipped", attempts: 1 });
    // The runner's reason, verbatim: which dependency, which filter, which path, the value and what was expected.
    expect(skip.reason).toContain('dependency "push-to-main"');
    expect(skip.reason).toContain("body.ref");
    expect(skip.reason).toContain("refs/heads/feature/x");
    expect(skip.reason).toContain("refs/heads/main");

    expect(fired.triggers[0]).toMatchObject({ status: "fired", sensor: "github-ci", trigger: "ci" });
    expect(fired.triggers[0].object).toMatchObject({ kind: "Workflow", namespace: "argo" });
    expect(fired.triggers[0].object?.name).toMatch(/^ci-/);
    expect(Date.parse(fired.time)).toBeLessThanOrEqual(Date.parse(dropped.time));
  });

  it("GET /api/events?limit=N returns the newest N; a bad limit is a 400", async () => {
    const one = JSON.parse((await get(`${p.admin.url}/api/events?limit=1`)).body) as { events: EventRecord[] };
    expect(one.events.map((e) => e.receiver?.status)).toEqual([403]);
    const two = JSON.parse((await get(`${p.admin.url}/api/events?limit=2`)).body) as { events: EventRecord[] };
    expect(two.events.map((e) => e.id)).toEqual([null, events[1].id]);
    for (const bad of ["0", "-1", "x", "1.5"]) expect((await get(`${p.admin.url}/api/events?limit=${bad}`)).status).toBe(400);
  });

  it("GET /api/flow has the topology with live counts", async () => {
    const flow = JSON.parse((await get(`${p.admin.url}/api/flow`)).body) as Flow;
    expect(flow.eventSources).toEqual([
      {
        namespace: NS,
        name: "github",
        events: [{ name: "push", type: "github", configured: true, counts: { received: 3, published: 2, filtered: 0, failed: 1 } }],
      },
    ]);
    expect(flow.sensors).toHaveLength(1);
    expect(flow.sensors[0]).toMatchObject({
      namespace: NS,
      name: "github-ci",
      dependencies: [{ name: "push-to-main", eventSourceName: "github", eventName: "push" }],
    });
    expect(flow.sensors[0].triggers).toEqual([
      {
        name: "ci",
        type: "argoWorkflow",
        dependencies: ["push-to-main"],
        counts: { received: 2, filtered: 1, triggered: 1, failed: 0, retried: 0, deadLettered: 0, rateLimited: 0, duplicates: 0 },
      },
    ]);
  });

  it("GET /metrics serves the Prometheus text with the series the traffic moved", async () => {
    const r = await get(`${p.admin.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parseExposition(r.body);
    const src = { namespace: NS, eventsource_name: "github", event_name: "push" };
    expect(valueOf(e, "argo_events_events_sent_total", src)).toBe(2);
    expect(valueOf(e, "argo_events_events_processing_failed_total", src)).toBe(1);
    expect(valueOf(e, "argo_events_event_processing_duration_milliseconds_count", src)).toBe(3);
    expect(valueOf(e, "argo_events_action_triggered_total", { namespace: NS, sensor_name: "github-ci", trigger_name: "ci" })).toBe(1);
    expect(valueOf(e, "argo_events_event_service_running_total", { namespace: NS, eventsource_name: "github" })).toBe(1);
    expect(valueOf(e, "trigger_gateway_webhook_requests_total", { ...src, type: "github", code: "403", reason: "forbidden" })).toBe(1);
    // Two events, and the one work message the router put on the bus for the trigger that fired.
    expect(valueOf(e, "trigger_gateway_bus_publish_duration_seconds_count", { bus: "default", result: "ok" })).toBe(3);
  });

  it("serves the page and its assets with a strict content security policy", async () => {
    for (const [path, type] of [["/", "text/html"], ["/app.js", "text/javascript"], ["/style.css", "text/css"]]) {
      const res = await fetch(`${p.admin.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      await res.text();
    }
    expect((await get(`${p.admin.url}/../package.json`)).status).toBe(404);
    expect((await get(`${p.admin.url}/nope`)).status).toBe(404);
    const post = await fetch(`${p.admin.url}/metrics`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("GET /readyz", () => {
  it("is 200 only while every registered check passes, and names the failing ones", async () => {
    const observer = new Observer({ defaultMetrics: false });
    const admin = await startAdminServer({ observer, port: 0, host: "127.0.0.1" });
    try {
      const specs = readinessFlag();
      observer.addReadinessCheck("specs", specs.check);
      let busUp = false;
      observer.addReadinessCheck("bus", async () => (busUp ? true : "not connected"));
      const removeWatch = observer.addReadinessCheck("watches", () => {
        throw new Error("informer not synced");
      });

      let r = await get(`${admin.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body).toBe("[-]specs failed\n[-]bus failed: not connected\n[-]watches failed: informer not synced\nnot ready: specs, bus, watches\n");

      specs.set(true);
      busUp = true;
      r = await get(`${admin.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body).toContain("not ready: watches");

      removeWatch();
      r = await get(`${admin.url}/readyz`);
      expect(r).toMatchObject({ status: 200, body: "[+]specs ok\n[+]bus ok\nready\n" });

      busUp = false;
      expect((await get(`${admin.url}/readyz`)).status).toBe(503);
      expect((await get(`${admin.url}/healthz`)).status).toBe(200);
    } finally {
      await admin.close();
    }
  });

  it("fails a check that does not answer in time", async () => {
    const observer = new Observer({ defaultMetrics: false });
    const { Readiness } = await import("../../src/observe/index.js");
    const readiness = new Readiness(50);
    readiness.add("hangs", () => new Promise<boolean>(() => {}));
    const result = await readiness.evaluate();
    expect(result).toEqual({ ready: false, checks: [{ name: "hangs", ok: false, message: "no answer within 50 ms" }] });
    expect(observer.readiness).toBeInstanceOf(Readiness);
  });
});
