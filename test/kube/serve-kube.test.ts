// `serve --kube` in process: specs, Secrets and Workflows through the real client
// against the in-repo API server, which validates with the Argo and CRD schemas.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { argoWorkflowsValidators, crdValidators, startKubeApiServer, type KubeApiServer, type KubeObject } from "../support/kube-api/index.js";
import { waitFor } from "../support/wait.js";
import { send } from "../../src/commands/send.js";
import { startKubeGateway } from "../../src/gateway/kube.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { MemoryEventBus } from "../../src/eventbus/memory.js";
import { packageRoot } from "../../src/paths.js";
import { validateArgo } from "../support/argo-schemas.js";
import {
  arrangeQuickstart, captureLogger, GITHUB_SECRET, params, quickstart, secret, V, workflowsOf, writeKubeconfig, type CapturedLogger,
} from "./support.js";

const pushBody = readFile(join(packageRoot(), "fixtures/github/push.json"));

let server: KubeApiServer;
let gateway: Gateway;
let log: CapturedLogger;
let dir: string;

const pushUrl = () => gateway.endpoints().find((e) => e.eventSource === "github")!.url;
async function push(secretValue = GITHUB_SECRET, deliveryId = randomUUID(), url = pushUrl()) {
  return send({ url, provider: "github", event: "push", secret: secretValue, body: await pushBody, deliveryId });
}
const sensorCr = () => server.get(V, "Sensor", "argo-events", "github-ci") as KubeObject;
function ready(o: KubeObject | undefined) {
  return ((o?.status as { conditions?: Record<string, string>[] } | undefined)?.conditions ?? []).find((c) => c.type === "Ready");
}
const logged = (msg: string, pred: (l: Record<string, unknown>) => boolean = () => true) =>
  log.lines.filter((l) => String(l.msg).includes(msg) && pred(l));

beforeAll(async () => {
  server = await startKubeApiServer({ validators: { ...argoWorkflowsValidators(), ...crdValidators() }, bookmarkIntervalMs: 200 });
  await arrangeQuickstart(server);
  dir = await mkdtemp(join(tmpdir(), "tg-kube-"));
  log = captureLogger();
  ({ gateway } = await startKubeGateway({
    kube: { kubeconfig: await writeKubeconfig(server, dir), inCluster: false },
    host: "127.0.0.1",
    portOverride: () => 0,
    logger: log.logger,
  }));
});

afterAll(async () => {
  await gateway?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("serve --kube", () => {
  it("turns a signed GitHub push into a Workflow object with the mapped parameters and labels", async () => {
    expect((await push()).status).toBe(200);
    const [wf] = await waitFor(() => {
      const w = workflowsOf(server, "argo", "github-ci");
      return w.length > 0 ? w : undefined;
    }, 10_000, "the Workflow in the API");
    expect(wf.metadata.name).toMatch(/^ci-[a-z0-9]+$/);
    expect(wf.metadata.labels).toMatchObject({ "events.argoproj.io/sensor": "github-ci", "events.argoproj.io/trigger": "ci" });
    expect(wf.metadata.labels?.["events.argoproj.io/action-timestamp"]).toMatch(/^\d+$/);
    expect(params(wf)).toEqual({ repo: "Codertocat/Hello-World", revision: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", pusher: "Codertocat" });
    expect(validateArgo("io.argoproj.workflow.v1alpha1.Workflow", wf)).toEqual([]);
    expect(ready(sensorCr())).toMatchObject({ status: "True", reason: "Applied" });
    expect(ready(server.get(V, "EventSource", "argo-events", "github"))).toMatchObject({ status: "True" });
  });

  it("treats the 409 of a redelivered event as done: the same delivery twice is one Workflow", async () => {
    const before = workflowsOf(server, "argo", "github-ci").length;
    const delivery = randomUUID();
    expect((await push(GITHUB_SECRET, delivery)).status).toBe(200);
    expect((await push(GITHUB_SECRET, delivery)).status).toBe(200);
    await waitFor(() => (logged("trigger already fired").length > 0 ? true : undefined), 10_000, "the second firing");
    expect(workflowsOf(server, "argo", "github-ci")).toHaveLength(before + 1);
    expect(logged("trigger failed")).toEqual([]);
  });

  it("applies an edited Sensor CR to the next event", async () => {
    const cr = sensorCr();
    const triggers = structuredClone((cr.spec as { triggers: { template: { argoWorkflow: { parameters: { src: { dataKey: string } }[] } } }[] }).triggers);
    triggers[0].template.argoWorkflow.parameters[0].src.dataKey = "body.repository.name";
    server.put({ ...cr, spec: { ...(cr.spec as object), triggers } });
    await waitFor(() => (logged("sensor updated").length > 0 ? true : undefined), 10_000, "the sensor update");
    const delivery = randomUUID();
    expect((await push(GITHUB_SECRET, delivery)).status).toBe(200);
    const wf = await waitFor(() => workflowsOf(server, "argo", "github-ci").find((w) => params(w).repo === "Hello-World"), 10_000, "a Workflow from the edited sensor");
    expect(params(wf).revision).toBe("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  });

  it("reports an invalid Sensor CR on its status and keeps firing the previous version", async () => {
    const cr = sensorCr();
    const spec = structuredClone(cr.spec) as { triggers: { template: { conditions?: string } }[] };
    spec.triggers[0].template.conditions = "push-to-main && no-such-dependency";
    server.put({ ...cr, spec });
    const cond = await waitFor(() => {
      const c = ready(sensorCr());
      return c?.status === "False" ? c : undefined;
    }, 10_000, "Ready=False on the Sensor");
    expect(cond.reason).toBe("Invalid");
    expect(cond.message).toMatch(/spec\.triggers\[0\]\.template\.conditions: no dependency named .*no-such-dependency/);
    expect(cond.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(logged("the last valid version keeps running", (l) => l.level === 50)).not.toEqual([]);

    const before = workflowsOf(server, "argo", "github-ci").length;
    expect((await push()).status).toBe(200);
    await waitFor(() => (workflowsOf(server, "argo", "github-ci").length === before + 1 ? true : undefined), 10_000, "a Workflow from the previous version");

    delete spec.triggers[0].template.conditions;
    server.put({ ...sensorCr(), spec });
    await waitFor(() => (ready(sensorCr())?.status === "True" ? true : undefined), 10_000, "Ready=True again");
  });

  it("applies a rotated Secret without a restart: the old signature gets 403, the new one 200", async () => {
    expect((await push("rotated-secret")).status).toBe(403);
    server.put(secret("argo-events", "github-webhook", { secret: "rotated-secret" }));
    await waitFor(async () => ((await push("rotated-secret")).status === 200 ? true : undefined), 10_000, "the rotated secret");
    expect((await push(GITHUB_SECRET)).status).toBe(403);
    server.put(secret("argo-events", "github-webhook", { secret: GITHUB_SECRET }));
    await waitFor(async () => ((await push(GITHUB_SECRET)).status === 200 ? true : undefined), 10_000, "the secret back");
  });

  it.each([
    ["a missing WorkflowTemplate", "bad-ref", { name: "does-not-exist" }, [{ name: "repo", value: "x" }], /WorkflowTemplate argo\/does-not-exist not found/],
    ["an undeclared parameter", "bad-param", { name: "ci" }, [{ name: "repo", value: "x" }, { name: "revision", value: "y" }, { name: "branch", value: "z" }], /parameter "branch" is not declared/],
  ])("creates no Workflow for %s: the trigger fails for good with a clear error", async (_what, name, ref, parameters, message) => {
    const base = await quickstart("sensor.yaml");
    const spec = structuredClone(base.spec) as { triggers: { template: { argoWorkflow: Record<string, unknown> } }[] };
    spec.triggers[0].template.argoWorkflow = {
      operation: "submit",
      source: { resource: { apiVersion: V, kind: "Workflow", metadata: { generateName: `${name}-`, namespace: "argo" }, spec: { workflowTemplateRef: ref, arguments: { parameters } } } },
    };
    await gatewayCreates({ apiVersion: V, kind: "Sensor", metadata: { name, namespace: "argo-events" }, spec });
    expect((await push()).status).toBe(200);
    const failure = await waitFor(() => logged("trigger failed", (l) => l.sensor === name)[0], 10_000, "the failure outcome");
    expect(failure.level).toBe(50); // error: not retried, dead-lettered
    expect(String((failure.err as { message?: string }).message)).toMatch(message);
    expect((failure.err as { code?: string }).code ?? (failure.err as { type?: string }).type).toMatch(/SUBMISSION_INVALID|SubmissionInvalidError/);
    expect(workflowsOf(server, "argo", name)).toEqual([]);
    server.remove(V, "Sensor", "argo-events", name);
    await waitFor(() => (logged("sensor removed", (l) => l.sensor === `argo-events/${name}`).length > 0 ? true : undefined), 10_000, "removal");
  });

  it("loses no event of an unchanged sensor while other CRs are created, edited and deleted", async () => {
    const before = workflowsOf(server, "argo", "github-ci").length;
    const base = await quickstart("sensor.yaml");
    const churn = (i: number): KubeObject => ({ ...base, metadata: { name: "churn", namespace: "argo-events" }, spec: { ...(base.spec as object), triggers: [{ template: { name: `log-${i}`, log: {} } }] } });
    const deliveries = Array.from({ length: 40 }, () => randomUUID());
    const sending = Promise.all(deliveries.map(async (d, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      return (await push(GITHUB_SECRET, d)).status;
    }));
    for (let i = 0; i < 6; i++) {
      if (i === 5) server.remove(V, "Sensor", "argo-events", "churn");
      else server.put(churn(i));
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(new Set(await sending)).toEqual(new Set([200]));
    await waitFor(() => (workflowsOf(server, "argo", "github-ci").length >= before + 40 ? true : undefined), 20_000, "40 Workflows");
    // Nothing queued or in flight on the embedded bus: no 41st firing can come.
    const bus = gateway.bus();
    expect(bus).toBeInstanceOf(MemoryEventBus);
    await (bus as MemoryEventBus).whenIdle();
    expect(workflowsOf(server, "argo", "github-ci")).toHaveLength(before + 40);
  });

  it("moves an EventSource to a new endpoint on the same port when its CR is edited", async () => {
    const oldUrl = pushUrl();
    const es = server.get(V, "EventSource", "argo-events", "github") as KubeObject;
    const spec = structuredClone(es.spec) as { github: { push: { webhook: { endpoint: string } } } };
    spec.github.push.webhook.endpoint = "/push-moved";
    server.put({ ...es, spec });
    const newUrl = await waitFor(() => (pushUrl().endsWith("/push-moved") ? pushUrl() : undefined), 10_000, "the moved endpoint");
    expect(new URL(newUrl).port).toBe(new URL(oldUrl).port);
    expect((await push(GITHUB_SECRET, randomUUID(), oldUrl)).status).toBe(404);
    expect((await push(GITHUB_SECRET, randomUUID(), newUrl)).status).toBe(200);
  });

  it("relists after its watch expired (410 Gone) and applies what changed meanwhile", async () => {
    server.closeWatches();
    const cr = sensorCr();
    const triggers = structuredClone((cr.spec as { triggers: { template: { argoWorkflow: { parameters: { src: { dataKey: string } }[] } } }[] }).triggers);
    triggers[0].template.argoWorkflow.parameters[0].src.dataKey = "body.repository.owner.login";
    server.put({ ...cr, spec: { ...(cr.spec as object), triggers } });
    server.compactHistory();
    await waitFor(() => (logged("relisting").length > 0 ? true : undefined), 10_000, "a relist");
    await waitFor(async () => {
      await push(GITHUB_SECRET, randomUUID(), pushUrl());
      await new Promise((r) => setTimeout(r, 200));
      return workflowsOf(server, "argo", "github-ci").find((w) => params(w).repo === "Codertocat");
    }, 10_000, "a Workflow from the sensor changed during the gap");
  });

  it("applies a Sensor with fields Argo ignores or folds, and says so in its status", async () => {
    server.put({
      apiVersion: V,
      kind: "Sensor",
      metadata: { name: "warned", namespace: "argo-events" },
      spec: {
        dependencies: [{ name: "d", eventSourceName: "nowhere", eventName: "never" }],
        triggers: [{ template: { name: "t", log: { intervalseconds: 5 }, atLeastOnce: true } }],
      },
    });
    const cr = await waitFor(() => {
      const o = server.get(V, "Sensor", "argo-events", "warned");
      return ready(o)?.reason === "Applied" ? o : undefined;
    }, 10_000, "the Sensor applied");
    expect(ready(cr)).toMatchObject({ status: "True" });
    expect(ready(cr)?.message).toBe(
      'warning: spec.triggers[0].template.log.intervalseconds: read as "intervalSeconds", as Argo does (Go matches field names case-insensitively); write it "intervalSeconds"; spec.triggers[0].template.atLeastOnce: unknown field, ignored as Argo ignores it (it belongs at spec.triggers[0].atLeastOnce, where Argo reads it)',
    );
    expect(logged("warned: warning:").length).toBe(1);
  });
});

async function gatewayCreates(o: KubeObject): Promise<void> {
  server.put(o);
  await waitFor(() => (logged("sensor started", (l) => l.sensor === o.metadata.name).length > 0 ? true : undefined), 10_000, `${o.metadata.name} started`);
}
