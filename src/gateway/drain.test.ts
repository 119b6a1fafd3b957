import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { expect, it } from "vitest";
import type { EventSource } from "../api/types.js";
import type { SpecSet } from "../config/specs.js";
import type { CloudEvent } from "../eventbus/cloudevent.js";
import { MemoryEventBus } from "../eventbus/memory.js";
import { startGateway } from "./gateway.js";
import { createLogger } from "../logger.js";
import { MapSecretStore } from "../config/secrets.js";
import { LocalWorkflowStore } from "../workflows/local.js";

/** The in-process bus with its publishes and its close held until released. */
class HeldBus extends MemoryEventBus {
  readonly held: (() => void)[] = [];
  closing: (() => void) | undefined;
  override publish(subject: string, event: CloudEvent): Promise<void> {
    return new Promise((resolve, reject) => this.held.push(() => super.publish(subject, event).then(resolve, reject)));
  }
  override close(): Promise<void> {
    return new Promise((resolve) => (this.closing = () => super.close().then(resolve)));
  }
}

const source = (name: string, endpoint: string): EventSource => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "EventSource",
  metadata: { name, namespace: "argo-events" },
  spec: { webhook: { example: { endpoint, port: "12000", method: "POST" } } },
});

const specs = (...eventSources: EventSource[]): SpecSet => ({ eventSources, sensors: [], eventBuses: [], workflowTemplates: [], bindings: [] });

const post = (url: string): Promise<number> =>
  fetch(url, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }).then(
    async (r) => (await r.arrayBuffer(), r.status),
    () => 0,
  );

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; !ok(); i++) {
    if (i > 500) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

it("drains in order: refuse, finish requests, stop sensors, close the bus, then the ports", async () => {
  const dir = await mkdtemp(join(tmpdir(), "gateway-drain-"));
  const lines: { msg: string; phase?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as { msg: string });
      cb();
    },
  });
  const bus = new HeldBus();
  const gateway = await startGateway({
    specs: specs(source("hooks", "/example")),
    bus,
    workflows: new LocalWorkflowStore(dir),
    secrets: new MapSecretStore({}),
    logger: createLogger({ destination }),
    host: "127.0.0.1",
    portOverride: () => 0,
  });
  try {
    const url = gateway.endpoints()[0]!.url;
    const first = post(url);
    await until(() => bus.held.length === 1);

    gateway.drain();
    expect(gateway.inFlight()).toEqual({ phase: "refusing new deliveries", requests: 1, handlers: {} });
    expect(await post(url)).toBe(503);
    // A spec change arriving now is not applied: no new endpoint opens.
    await gateway.apply(specs(source("hooks", "/example"), source("more", "/more")));
    expect(gateway.endpoints().map((e) => e.eventSource)).toEqual(["hooks"]);

    const closed = gateway.close();
    bus.held[0]!();
    expect(await first).toBe(200);
    await until(() => bus.closing !== undefined);
    // The bus is closing: the port still answers, refusing.
    expect(gateway.inFlight().phase).toBe("closing the event bus");
    expect(await post(url)).toBe(503);
    bus.closing!();
    await closed;
    expect(await post(url)).toBe(0);
    expect(lines.filter((l) => l.phase).map((l) => l.phase)).toEqual([
      "refusing new deliveries",
      "finishing requests in flight",
      "processing accepted events",
      "stopping sensors",
      "closing the event bus",
      "closing ports",
      "closed",
    ]);
  } finally {
    bus.closing?.();
    await rm(dir, { recursive: true, force: true });
  }
});
