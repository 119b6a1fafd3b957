import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { providerHeaders } from "../../src/commands/send.js";
import { packageRoot } from "../../src/paths.js";
import { startGatewayProcess, type GatewayProcess } from "./gateway-process.js";

/** Where the Sensor of `writeLoadConfig` puts its Workflows. */
export const WORKFLOW_NAMESPACE = "load";
export const SECRET = "load-test-secret";
const ENDPOINT = "github/push";

const EVENT_SOURCE = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: github
  namespace: argo-events
spec:
  github:
    push:
      webhook:
        endpoint: /push
        port: "12000"
        method: POST
      events: [push]
      webhookSecret:
        name: github-webhook
        key: secret
      contentType: json
`;

// Each delivery's marker travels in body.after, its delivery id in the header.
const SENSOR = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: load
  namespace: argo-events
spec:
  dependencies:
    - name: push
      eventSourceName: github
      eventName: push
      filters:
        data:
          - path: headers.X-Github-Event
            type: string
            value: [push]
  triggers:
    - template:
        name: build
        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: build-
                namespace: ${WORKFLOW_NAMESPACE}
              spec:
                entrypoint: main
                templates:
                  - name: main
                    container:
                      image: alpine:3.20
                      command: [echo, "{{workflow.parameters.marker}}"]
                arguments:
                  parameters:
                    - name: marker
                    - name: delivery
                    - name: repo
          parameters:
            - src: {dependencyName: push, dataKey: body.after}
              dest: spec.arguments.parameters.0.value
            - src: {dependencyName: push, dataKey: headers.X-Github-Delivery.0}
              dest: spec.arguments.parameters.1.value
            - src: {dependencyName: push, dataKey: body.repository.full_name}
              dest: spec.arguments.parameters.2.value
`;

export interface LoadEnv {
  dir: string;
  configDir: string;
  secretsDir: string;
  store: string;
  cleanup(): Promise<void>;
}

/** A temp dir with the EventSource + Sensor YAML, the webhook secret and an empty Workflow store. */
export async function writeLoadConfig(extraYaml: Record<string, string> = {}): Promise<LoadEnv> {
  const dir = await mkdtemp(join(tmpdir(), "tg-load-"));
  const configDir = join(dir, "config");
  const secretsDir = join(dir, "secrets");
  const store = join(dir, "workflows");
  await mkdir(configDir);
  await mkdir(join(secretsDir, "github-webhook"), { recursive: true });
  await mkdir(store);
  await writeFile(join(secretsDir, "github-webhook", "secret"), SECRET);
  await writeFile(join(configDir, "eventsource.yaml"), EVENT_SOURCE);
  await writeFile(join(configDir, "sensor.yaml"), SENSOR);
  for (const [name, text] of Object.entries(extraYaml)) await writeFile(join(configDir, name), text);
  return { dir, configDir, secretsDir, store, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `serve` on loopback with the load config, a free port and the given bus flags. */
export function startLoadGateway(env: LoadEnv, extraArgs: string[], readyLines = 1): Promise<GatewayProcess> {
  return startGatewayProcess([
    "--config", env.configDir, "--secrets-dir", env.secretsDir, "--local-store", env.store,
    "--host", "127.0.0.1", "--port", "12000=0", "--log-level", "info",
    ...extraArgs,
  ], 20_000, readyLines);
}

export function webhookUrl(gw: GatewayProcess): string {
  const url = gw.urls.get(ENDPOINT);
  if (!url) throw new Error(`gateway does not listen on ${ENDPOINT}`);
  return url;
}

let pushTemplate: Record<string, unknown> | undefined;

/** The GitHub push fixture with `marker` as its head commit: a real-shaped ~9 KB delivery. */
export async function pushBody(marker: string): Promise<Buffer> {
  pushTemplate ??= JSON.parse(await readFile(join(packageRoot(), "fixtures/github/push.json"), "utf8")) as Record<string, unknown>;
  const head = { ...(pushTemplate.head_commit as Record<string, unknown>), id: marker };
  return Buffer.from(JSON.stringify({ ...pushTemplate, after: marker, head_commit: head }));
}

export type PostResult = { marker: string; delivery: string; status: number };

/** Posts one signed push delivery; status 0 when the connection failed. */
export async function postDelivery(url: string, marker: string, delivery: string = randomUUID()): Promise<PostResult> {
  const body = await pushBody(marker);
  const headers = providerHeaders({ provider: "github", event: "push", secret: SECRET, body, deliveryId: delivery });
  try {
    const res = await fetch(url, { method: "POST", headers, body: new Uint8Array(body), signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return { marker, delivery, status: res.status };
  } catch {
    return { marker, delivery, status: 0 };
  }
}

/** Runs `fn` over `items` with at most `concurrency` at once; results in input order. */
export async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export interface StoredWorkflow {
  file: string;
  name: string;
  params: Record<string, string | undefined>;
}

/** Reads the Workflows of the store incrementally (each file is parsed once). */
export class WorkflowReader {
  private readonly seen = new Map<string, StoredWorkflow>();
  constructor(private readonly store: string, private readonly namespace = WORKFLOW_NAMESPACE) {}

  async files(): Promise<string[]> {
    try {
      return (await readdir(join(this.store, this.namespace))).filter((f) => f.endsWith(".yaml"));
    } catch {
      return [];
    }
  }

  async all(): Promise<StoredWorkflow[]> {
    for (const file of await this.files()) {
      if (this.seen.has(file)) continue;
      const text = await readFile(join(this.store, this.namespace, file), "utf8").catch(() => "");
      let doc: { metadata: { name: string }; spec: { arguments: { parameters: { name: string; value?: string }[] } } } | null;
      try {
        doc = parse(text) as typeof doc;
      } catch {
        doc = null;
      }
      // A create in progress in a gateway process (between its open and write), or the
      // empty file of one killed there, which the redelivery replaces: read it next time.
      // One never replaced stays unread, and its marker shows as missing.
      if (!doc) continue;
      const params = Object.fromEntries(doc.spec.arguments.parameters.map((p) => [p.name, p.value]));
      this.seen.set(file, { file, name: doc.metadata.name, params });
    }
    return [...this.seen.values()];
  }

  /** Workflows whose marker starts with `prefix`, counted per marker. */
  async byMarker(prefix: string): Promise<Map<string, StoredWorkflow[]>> {
    const out = new Map<string, StoredWorkflow[]>();
    for (const wf of await this.all()) {
      const m = wf.params.marker;
      if (m === undefined || !m.startsWith(prefix)) continue;
      out.set(m, [...(out.get(m) ?? []), wf]);
    }
    return out;
  }
}

/** Markers seen more than once, and expected markers never seen. */
export function compareMarkers(found: Map<string, StoredWorkflow[]>, expected: string[]): { missing: string[]; duplicated: string[]; unexpected: string[] } {
  const want = new Set(expected);
  return {
    missing: expected.filter((m) => !found.has(m)),
    duplicated: [...found].filter(([, wfs]) => wfs.length > 1).map(([m]) => m),
    unexpected: [...found.keys()].filter((m) => !want.has(m)),
  };
}

/** Log lines of a gateway process with this `msg`. */
export function logCount(gw: GatewayProcess, msg: string): number {
  return gw.logs.filter((l) => l.msg === msg).length;
}

/** Counts of HTTP statuses, e.g. {"200": 498, "503": 2}. */
export function statusCounts(results: PostResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[String(r.status)] = (out[String(r.status)] ?? 0) + 1;
  return out;
}

export const ok = (r: PostResult): boolean => r.status >= 200 && r.status < 300;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
