// Shared by the observe tests: a Prometheus text parser and a small observed pipeline.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadAndValidate } from "../../src/api/index.js";
import { groupSpecs, type SpecSet } from "../../src/config/specs.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { startReceivers, type ReceiverServer } from "../../src/eventsource/index.js";
import { silentLogger } from "../../src/logger.js";
import { MapSecretStore } from "../../src/config/secrets.js";
import { compileSensor, EventRouter, SensorRunner } from "../../src/sensor/index.js";
import { LocalWorkflowStore } from "../../src/workflows/local.js";
import { Observer } from "../../src/observe/index.js";
import { startAdminServer, type AdminServer } from "../../src/observe/index.js";
import { packageRoot } from "../../src/paths.js";
import { providerHeaders } from "../../src/commands/send.js";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (enough of it for assertions). */
export function parseExposition(text: string): Exposition {
  const out: Exposition = { types: new Map(), help: new Map(), samples: [] };
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (TYPE|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === "TYPE" ? out.types : out.help).set(meta[2], meta[3]);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    out.samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one series with exactly these labels; undefined when absent. */
export function valueOf(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  const hits = e.samples.filter((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want);
  if (hits.length > 1) throw new Error(`${name}: ${hits.length} series with the same labels`);
  return hits[0]?.value;
}

export const QUICKSTART_SECRET = "quickstart-secret";

export interface Pipeline {
  observer: Observer;
  admin: AdminServer;
  receivers: ReceiverServer;
  specs: SpecSet;
  /** URL of the quickstart GitHub push endpoint. */
  pushUrl: string;
  /** Sends a signed GitHub push with this ref; resolves to the HTTP status. */
  push(ref: string, opts?: { secret?: string; deliveryId?: string }): Promise<number>;
  close(): Promise<void>;
}

/** fixtures/quickstart running in process (memory bus, local store in `dir`), observed, with its admin server. */
export async function startQuickstartPipeline(dir: string): Promise<Pipeline> {
  const root = packageRoot();
  const { specs, errors } = await loadAndValidate([join(root, "fixtures/quickstart")]);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join("\n"));
  const set = groupSpecs(specs.map((s) => s.spec));
  const observer = new Observer({ defaultMetrics: false });
  const logger = silentLogger();
  const bus = observer.instrumentBus(new MemoryEventBus());
  const secrets = new MapSecretStore({ "github-webhook": { secret: QUICKSTART_SECRET } });
  const workflows = new LocalWorkflowStore({ dir, specs: set.workflowTemplates });
  const runners: SensorRunner[] = [];
  // Wired as the gateway wires it: one router per process, reporting to the observer.
  const router = new EventRouter({ bus, logger, onOutcome: observer.onTriggerOutcome, onRouted: observer.onRouted });
  observer.setRouter(router);
  for (const s of set.sensors) {
    const sensor = compileSensor(s);
    const runner = new SensorRunner({ sensor, bus, workflows, secrets, logger, onOutcome: observer.onTriggerOutcome, router });
    await runner.start();
    await router.set(sensor, runner.ordered);
    runners.push(runner);
  }
  const receivers = await startReceivers({
    eventSources: set.eventSources,
    bus,
    secrets,
    logger,
    host: "127.0.0.1",
    portOverride: () => 0,
    onOutcome: observer.onReceiverOutcome,
  });
  observer.setTopology(set);
  const admin = await startAdminServer({ observer, port: 0, host: "127.0.0.1" });
  const pushUrl = receivers.endpoints()[0].url;
  const template = JSON.parse(await readFile(join(root, "fixtures/github/push.json"), "utf8")) as Record<string, unknown>;
  return {
    observer,
    admin,
    receivers,
    specs: set,
    pushUrl,
    push: async (ref, opts = {}) => {
      const body = Buffer.from(JSON.stringify({ ...template, ref }));
      const headers = providerHeaders({
        provider: "github",
        event: "push",
        secret: opts.secret ?? QUICKSTART_SECRET,
        body,
        deliveryId: opts.deliveryId,
      });
      const res = await fetch(pushUrl, { method: "POST", headers, body: new Uint8Array(body) });
      await res.text();
      return res.status;
    },
    close: async () => {
      await admin.close();
      await receivers.close();
      await router.stop();
      await Promise.all(runners.map((r) => r.stop()));
      await bus.close();
    },
  };
}
