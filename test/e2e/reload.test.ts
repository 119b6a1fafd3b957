// Live reload of `serve --config`: edits, additions, invalid changes and
// deletions of spec files apply to the running gateway, one spec at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGatewayProcess, type GatewayProcess } from "../support/gateway-process.js";
import { waitFor } from "../support/wait.js";
import { packageRoot } from "../../src/paths.js";

const NS = "reload";

const eventSource = (name: string, port: number, endpoint: string) => `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  webhook:
    ev:
      endpoint: ${endpoint}
      port: "${port}"
      method: POST
`;

// Line 14 of this text is the trigger's `conditions`, when given.
const sensor = (name: string, source: string, tag: string, conditions?: string) => `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  dependencies:
    - name: dep
      eventSourceName: ${source}
      eventName: ev
  triggers:
    - template:
        name: run
${conditions ? `        conditions: "${conditions}"\n` : ""}        argoWorkflow:
          operation: submit
          source:
            resource:
              apiVersion: argoproj.io/v1alpha1
              kind: Workflow
              metadata:
                generateName: ${name}-
              spec:
                entrypoint: main
                arguments:
                  parameters:
                    - name: tag
                      value: ${tag}
                    - name: n
                templates:
                  - name: main
                    container:
                      image: alpine:3.20
          parameters:
            - src:
                dependencyName: dep
                dataKey: body.n
              dest: spec.arguments.parameters.1.value
`;

interface Wf {
  metadata: { name: string; labels: Record<string, string> };
  spec: { arguments: { parameters: { name: string; value?: string }[] } };
}

describe("serve --config reloads changed files", () => {
  let gw: GatewayProcess;
  let dir: string;
  let store: string;
  let n = 0;

  const file = (name: string) => join(dir, name);
  const url = (source: string) => gw.urls.get(`${source}/ev`) as string;

  async function workflows(): Promise<{ sensor: string; tag?: string; n?: string }[]> {
    let files: string[];
    try {
      files = (await readdir(join(store, NS))).filter((f) => f.endsWith(".yaml"));
    } catch {
      return [];
    }
    const out = [];
    for (const f of files) {
      const wf = JSON.parse(await readFile(join(store, NS, f), "utf8")) as Wf;
      const p = Object.fromEntries(wf.spec.arguments.parameters.map((x) => [x.name, x.value]));
      out.push({ sensor: wf.metadata.labels["events.argoproj.io/sensor"], tag: p.tag, n: p.n });
    }
    return out;
  }

  /** Posts event number `n` to an EventSource; its Workflows carry `n`. */
  async function post(target: string): Promise<{ status: number; n: string }> {
    const id = String(++n);
    const res = await fetch(target, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ n: id }) });
    await res.text();
    return { status: res.status, n: id };
  }

  /** The Workflows of event `id`, once there are `count` of them. */
  async function fired(id: string, count = 1) {
    return waitFor(async () => {
      const w = (await workflows()).filter((x) => x.n === id);
      return w.length >= count ? w : undefined;
    }, 15_000, `${count} workflow(s) for event ${id}`);
  }

  /** Writes files and waits for the reload they cause (its log line, not a sleep). */
  async function change(edit: () => Promise<void>, what = "specs reloaded"): Promise<Record<string, unknown>[]> {
    const mark = gw.logs.length;
    await edit();
    await waitFor(() => gw.logs.slice(mark).find((l) => l.msg === what), 15_000, what);
    return gw.logs.slice(mark);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-reload-cfg-"));
    store = await mkdtemp(join(tmpdir(), "tg-reload-store-"));
    await writeFile(file("es-a.yaml"), eventSource("a", 14001, "/a"));
    await writeFile(file("es-b.yaml"), eventSource("b", 14002, "/b"));
    await writeFile(file("sensor-a.yaml"), sensor("sa", "a", "v1"));
    await writeFile(file("sensor-b.yaml"), sensor("sb", "b", "b1"));
    gw = await startGatewayProcess([
      "--config", dir, "--local-store", store, "--host", "127.0.0.1",
      "--port", "14001=0", "--port", "14002=0",
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(store, { recursive: true, force: true });
  });

  it("fires the loaded sensors", async () => {
    const a = await post(url("a"));
    const b = await post(url("b"));
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await fired(a.n)).toEqual([{ sensor: "sa", tag: "v1", n: a.n }]);
    expect(await fired(b.n)).toEqual([{ sensor: "sb", tag: "b1", n: b.n }]);
  });

  it("applies an edited parameter to the next Workflow, restarting that sensor alone", async () => {
    // A steady trickle through sensor sb while sa is replaced.
    let trickling = true;
    const trickle = (async () => {
      const sent: { status: number; n: string }[] = [];
      while (trickling) sent.push(await post(url("b")));
      return sent;
    })();
    const logs = await change(() => writeFile(file("sensor-a.yaml"), sensor("sa", "a", "v2")));
    trickling = false;
    const sent = await trickle;
    expect(logs.find((l) => l.msg === "specs reloaded")).toMatchObject({ sensors: 2, eventSources: 2, rejected: 0 });
    expect(logs.filter((l) => l.msg === "sensor updated").map((l) => l.sensor)).toEqual([`${NS}/sa`]);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    for (const s of sent) expect(await fired(s.n)).toEqual([{ sensor: "sb", tag: "b1", n: s.n }]);

    const a = await post(url("a"));
    expect(await fired(a.n)).toEqual([{ sensor: "sa", tag: "v2", n: a.n }]);
  });

  it("starts a sensor from a new file", async () => {
    await change(() => writeFile(file("sensor-c.yaml"), sensor("sc", "a", "c1")));
    const a = await post(url("a"));
    const w = await fired(a.n, 2);
    expect(w.map((x) => `${x.sensor}:${x.tag}`).sort()).toEqual(["sa:v2", "sc:c1"]);
  });

  it("reports an invalid change with FILE:LINE:COL and keeps the previous version running, until it is fixed", async () => {
    const logs = await change(() => writeFile(file("sensor-a.yaml"), sensor("sa", "a", "v3", "dep && missing")));
    const error = logs.find((l) => l.level === 50);
    expect(error).toMatchObject({ previous: "keeps running" });
    expect(error?.msg).toMatch(new RegExp(`^${file("sensor-a.yaml")}:14:9 Sensor/sa spec\\.triggers\\[0\\]\\.template\\.conditions: no dependency named "missing"`));
    expect(logs.find((l) => l.msg === "specs reloaded")).toMatchObject({ rejected: 1 });

    const a = await post(url("a"));
    const w = await fired(a.n, 2);
    expect(w.map((x) => `${x.sensor}:${x.tag}`).sort()).toEqual(["sa:v2", "sc:c1"]);

    await change(() => writeFile(file("sensor-a.yaml"), sensor("sa", "a", "v4")));
    const again = await post(url("a"));
    const w2 = await fired(again.n, 2);
    expect(w2.map((x) => `${x.sensor}:${x.tag}`).sort()).toEqual(["sa:v4", "sc:c1"]);
  });

  it("moves an EventSource endpoint while another EventSource keeps receiving", async () => {
    const before = url("a");
    let trickling = true;
    const trickle = (async () => {
      const sent: { status: number; n: string }[] = [];
      while (trickling) sent.push(await post(url("b")));
      return sent;
    })();
    await change(() => writeFile(file("es-a.yaml"), eventSource("a", 14001, "/a-moved")));
    // The new endpoint is logged like the ones at start-up.
    await waitFor(() => (url("a").endsWith("/a-moved") ? true : undefined), 15_000, "a listening on /a-moved");
    trickling = false;
    const sent = await trickle;
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.status !== 200)).toEqual([]);

    expect(new URL(url("a")).port).toBe(new URL(before).port);
    expect((await post(before)).status).toBe(404);
    const a = await post(url("a"));
    expect(a.status).toBe(200);
    expect((await fired(a.n, 2)).map((x) => x.sensor).sort()).toEqual(["sa", "sc"]);
  });

  it("stops a sensor whose file is deleted", async () => {
    const logs = await change(() => rm(file("sensor-c.yaml")));
    expect(logs.find((l) => l.msg === "specs reloaded")).toMatchObject({ sensors: 2 });
    expect(logs.filter((l) => l.msg === "sensor removed").map((l) => l.sensor)).toEqual([`${NS}/sc`]);
    const a = await post(url("a"));
    expect(await fired(a.n)).toEqual([{ sensor: "sa", tag: "v4", n: a.n }]);
    // Give a removed sensor every chance to fire, then check it did not.
    const b = await post(url("b"));
    await fired(b.n);
    expect((await workflows()).filter((x) => x.n === a.n)).toEqual([{ sensor: "sa", tag: "v4", n: a.n }]);
  });
});

describe("serve --config reloads WorkflowEventBindings and WorkflowTemplates", () => {
  const TOKEN = "reload-test-token-0123456789";
  let dir: string;
  let gw: GatewayProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-reload-bindings-"));
    await writeFile(join(dir, "tokens.yaml"), `${TOKEN}:\n  serviceAccount: ci\n  namespace: argo-events\n`);
    await writeFile(join(dir, "workflows.yaml"), ""); // an empty config file: nothing to run yet
    gw = await startGatewayProcess([
      "--config", join(dir, "workflows.yaml"), "--local-store", join(dir, "store"),
      "--tokens-file", join(dir, "tokens.yaml"), "--binding-mode", "sync", "--host", "127.0.0.1",
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("submits from a binding and a template added to the file after the start", async () => {
    const base = String(gw.logs.find((l) => l.msg === "events endpoint listening")?.url);
    const samples = join(packageRoot(), "fixtures/samples");
    const text = (await readFile(join(samples, "workfloweventbinding.yaml"), "utf8")) + "\n---\n" + (await readFile(join(samples, "workflowtemplate-ci.yaml"), "utf8"));
    const mark = gw.logs.length;
    await writeFile(join(dir, "workflows.yaml"), text);
    const reloaded = await waitFor(() => gw.logs.slice(mark).find((l) => l.msg === "specs reloaded"), 15_000, "specs reloaded");
    expect(reloaded).toMatchObject({ bindings: 1, workflowTemplates: 1, rejected: 0 });

    const res = await fetch(`${base}argo-events/ci`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ repo: "argoproj/argo-workflows", revision: "v3.6.0" }),
    });
    expect(res.status).toBe(200);
    const [name] = await waitFor(async () => {
      const f = (await readdir(join(dir, "store", "argo-events")).catch(() => [] as string[])).filter((n) => n.endsWith(".yaml"));
      return f.length > 0 ? f : undefined;
    }, 15_000, "the binding's Workflow");
    const wf = JSON.parse(await readFile(join(dir, "store", "argo-events", name), "utf8")) as Record<string, unknown>;
    expect(wf).toMatchObject({
      metadata: { labels: { "workflows.argoproj.io/workflow-event-binding": "ci-build-event" } },
      spec: { workflowTemplateRef: { name: "ci-build" } },
    });
  });
});
