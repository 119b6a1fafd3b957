import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject, TriggerTemplate } from "../../api/types.js";
import { NotFoundError, SpecError, TriggerError } from "../../errors.js";
import { silentLogger } from "../../logger.js";
import { MapSecretStore } from "../../config/secrets.js";
import { LocalWorkflowStore } from "../../workflows/local.js";
import { LABEL_RESUBMITTED_FROM, LABEL_WORKFLOW_TEMPLATE } from "../../workflows/operations.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { compileTriggerAction } from "./registry.js";
import { newTriggerMemory } from "./memory.js";
import type { Firing, TriggerResult, TriggerRuntime } from "./types.js";

const AV = "argoproj.io/v1alpha1";
const NOW = new Date("2024-05-01T10:00:00Z");
const where = new Where("argo", "s");
const AT = "spec.triggers[0].template";

function event(data: unknown, id = "e1"): SensorEvent {
  return {
    context: { id, source: "es", subject: "hook", specversion: "1.0", type: "webhook", datacontenttype: "application/json", time: "2024-05-01T09:59:00Z" },
    data,
  };
}

function firing(data: unknown = { body: { name: "wf-1" } }, id = "e1"): Firing {
  return { sensorNamespace: "argo", sensorName: "s", triggerName: "t", events: { dep: event(data, id) }, now: NOW };
}

const NAME_PARAM = [{ src: { dependencyName: "dep", dataKey: "body.name" }, dest: "metadata.name" }];

describe("argoWorkflow and k8s triggers against the local store", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  let runtime: TriggerRuntime;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-trig-"));
    store = new LocalWorkflowStore({ dir });
    runtime = { workflows: store, secrets: new MapSecretStore({}), logger: silentLogger(), memory: newTriggerMemory() };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fire(template: Omit<TriggerTemplate, "name">, f: Firing = firing()): Promise<TriggerResult> {
    const action = compileTriggerAction({ name: "t", ...template }, where, AT);
    return action.execute(action.plan(f), runtime);
  }

  function seedWorkflow(name: string, status: Record<string, unknown>, spec: Record<string, unknown> = { entrypoint: "main" }): Promise<KubeObject> {
    return store.create({ apiVersion: AV, kind: "Workflow", metadata: { name, namespace: "argo" }, spec, status });
  }

  const named = (op: string) => ({
    argoWorkflow: { operation: op, source: { resource: { apiVersion: AV, kind: "Workflow", metadata: { name: "placeholder" } } }, parameters: NAME_PARAM },
  });

  it("submit-from a WorkflowTemplate: derived name, a redelivery finds it", async () => {
    await store.create({ apiVersion: AV, kind: "WorkflowTemplate", metadata: { name: "build", namespace: "argo" }, spec: {} });
    const template = { argoWorkflow: { operation: "submit-from", source: { resource: { apiVersion: AV, kind: "WorkflowTemplate", metadata: { name: "build" } } } } };
    const first = await fire(template);
    expect(first.object?.name).toMatch(/^build-[0-9a-f]{10}$/);
    const wf = await store.get(AV, "Workflow", "argo", first.object?.name as string);
    expect(wf.metadata.labels).toEqual({ [LABEL_WORKFLOW_TEMPLATE]: "build" });
    expect(wf.spec).toEqual({ workflowTemplateRef: { name: "build" } });
    expect(await fire(template)).toEqual({ object: first.object, alreadyExisted: true });
    expect(await store.list(AV, "Workflow", "argo")).toHaveLength(1);
  });

  it("resubmit: the name comes from the resource after parameters", async () => {
    await seedWorkflow("wf-1", { phase: "Failed" });
    const r = await fire(named("resubmit"));
    const wf = await store.get(AV, "Workflow", "argo", r.object?.name as string);
    expect(wf.metadata.labels?.[LABEL_RESUBMITTED_FROM]).toBe("wf-1");
    expect((await fire(named("resubmit"))).alreadyExisted).toBe(true);
  });

  it.each([
    ["suspend", { phase: "Running" }, (w: KubeObject) => (w.spec as { suspend?: boolean }).suspend === true],
    ["terminate", { phase: "Running" }, (w: KubeObject) => (w.spec as { shutdown?: string }).shutdown === "Terminate"],
    ["stop", { phase: "Running" }, (w: KubeObject) => (w.spec as { shutdown?: string }).shutdown === "Stop"],
    ["retry", { phase: "Failed", nodes: {} }, (w: KubeObject) => (w.status as { phase: string }).phase === "Running"],
  ])("%s acts on the named Workflow", async (op, status, check) => {
    await seedWorkflow("wf-1", status);
    const r = await fire(named(op));
    expect(r.object).toEqual({ apiVersion: AV, kind: "Workflow", namespace: "argo", name: "wf-1" });
    expect(check(await store.get(AV, "Workflow", "argo", "wf-1"))).toBe(true);
  });

  it("resume clears spec.suspend", async () => {
    await seedWorkflow("wf-1", { phase: "Running" }, { suspend: true });
    await fire(named("resume"));
    expect((await store.get(AV, "Workflow", "argo", "wf-1")).spec).toEqual({});
  });

  it("an operation on a missing workflow fails with NotFoundError", async () => {
    await expect(fire(named("suspend"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an operation without metadata.name fails at load", () => {
    const t = { name: "t", k8s: { operation: "delete", source: { resource: { apiVersion: "v1", kind: "ConfigMap", metadata: {} } } } };
    expect(() => compileTriggerAction(t, where, AT)).toThrow(SpecError);
  });

  it("argoWorkflow rejects unknown operations, and args it cannot honour, at load", () => {
    const source = { resource: { apiVersion: AV, kind: "Workflow", metadata: { name: "x" } } };
    expect(() => compileTriggerAction({ name: "t", argoWorkflow: { operation: "launch", source } }, where, AT)).toThrow(SpecError);
    expect(() => compileTriggerAction({ name: "t", argoWorkflow: { source, args: ["--watch"] } }, where, AT)).not.toThrow();
    expect(() => compileTriggerAction({ name: "t", argoWorkflow: { source, args: ["--parameter-file", "f"] } }, where, AT)).toThrow(
      /not supported: argo flag --parameter-file/,
    );
    expect(() => compileTriggerAction({ name: "t", argoWorkflow: { operation: "stop", source, args: ["--message", "m"] } }, where, AT)).toThrow(
      /operation stop/,
    );
  });

  const cm = (data: Record<string, string>, name = "cfg"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
  const k8s = (operation: string, resource: KubeObject, extra: Record<string, unknown> = {}) => ({ k8s: { operation, source: { resource }, ...extra } });

  it("k8s create labels the object like the original", async () => {
    const r = await fire(k8s("create", cm({ a: "1" })));
    expect(r.object).toEqual({ apiVersion: "v1", kind: "ConfigMap", namespace: "argo", name: "cfg" });
    const got = await store.get("v1", "ConfigMap", "argo", "cfg");
    expect(got.metadata.labels).toEqual({
      "events.argoproj.io/sensor": "s",
      "events.argoproj.io/trigger": "t",
      "events.argoproj.io/action-timestamp": String(NOW.getTime()),
    });
  });

  it("k8s update merges over the live object; a missing one is created", async () => {
    await fire(k8s("update", cm({ a: "1" })));
    expect((await store.get("v1", "ConfigMap", "argo", "cfg")).data).toEqual({ a: "1" });
    await store.patch("v1", "ConfigMap", "argo", "cfg", { data: { keep: "k" } }, "merge");
    await fire(k8s("update", cm({ a: "2" })));
    expect((await store.get("v1", "ConfigMap", "argo", "cfg")).data).toEqual({ a: "2", keep: "k" });
  });

  it("k8s update with liveObject applies the parameters to the live object", async () => {
    await store.create({ ...cm({ a: "1", b: "live" }), metadata: { name: "cfg", namespace: "argo" } });
    const params = [{ src: { dependencyName: "dep", dataKey: "body.name" }, dest: "data.a" }];
    await fire({ k8s: { operation: "update", liveObject: true, source: { resource: cm({ b: "from-source" }) }, parameters: params } });
    expect((await store.get("v1", "ConfigMap", "argo", "cfg")).data).toEqual({ a: "wf-1", b: "live" });
  });

  it.each([
    ["application/merge-patch+json", cm({ b: "2" }), { a: "1", b: "2" }],
    ["application/strategic-merge-patch+json", cm({ a: "3" }), { a: "3" }],
    ["application/json-patch+json", { ...cm({}), patch: [{ op: "add", path: "/data/c", value: "4" }, { op: "remove", path: "/data/a" }] }, { c: "4" }],
  ])("k8s patch with %s", async (patchStrategy, resource, data) => {
    await store.create({ ...cm({ a: "1" }), metadata: { name: "cfg", namespace: "argo" } });
    const r = await fire(k8s("patch", resource, { patchStrategy }));
    expect(r.object?.name).toBe("cfg");
    expect((await store.get("v1", "ConfigMap", "argo", "cfg")).data).toEqual(data);
  });

  it("k8s patch: json patch needs a patch list; a missing object is created for merge", async () => {
    expect(() => compileTriggerAction({ name: "t", ...k8s("patch", cm({}), { patchStrategy: "application/json-patch+json" }) }, where, AT)).toThrow(SpecError);
    await fire(k8s("patch", cm({ z: "1" })));
    expect((await store.get("v1", "ConfigMap", "argo", "cfg")).data).toEqual({ z: "1" });
    expect(() => compileTriggerAction({ name: "t", ...k8s("patch", cm({}), { patchStrategy: "application/apply-patch+yaml" }) }, where, AT)).toThrow(
      /not supported|patch strategy/,
    );
  });

  it("k8s delete removes the object; already gone is fine", async () => {
    await store.create({ ...cm({ a: "1" }), metadata: { name: "cfg", namespace: "argo" } });
    expect(await fire(k8s("delete", cm({})))).toEqual({});
    await expect(store.get("v1", "ConfigMap", "argo", "cfg")).rejects.toBeInstanceOf(NotFoundError);
    expect(await fire(k8s("delete", cm({})))).toEqual({});
  });

  it("a parameter that empties the name fails the firing with a TriggerError", async () => {
    await expect(fire(named("suspend"), firing({ body: { name: "" } }))).rejects.toBeInstanceOf(TriggerError);
  });
});
