import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../api/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { LocalWorkflowStore } from "./local.js";
import {
  ANNOTATION_NODE_ID,
  LABEL_CLUSTER_WORKFLOW_TEMPLATE,
  LABEL_COMPLETED,
  LABEL_CRON_WORKFLOW,
  LABEL_RESUBMITTED_FROM,
  LABEL_WORKFLOW,
  LABEL_WORKFLOW_TEMPLATE,
  resubmit,
  resume,
  retriedWorkflow,
  retry,
  stop,
  submit,
  submitFrom,
  suspend,
  terminate,
} from "./operations.js";
import { parseNodeFieldSelector } from "./node-selector.js";

const AV = "argoproj.io/v1alpha1";
const NOW = new Date("2024-05-01T10:00:00.123Z");

function failedWorkflow(): KubeObject {
  return {
    apiVersion: AV,
    kind: "Workflow",
    metadata: { name: "wf", namespace: "argo", labels: { [LABEL_COMPLETED]: "true", team: "a", "workflows.argoproj.io/phase": "Failed" } },
    spec: { entrypoint: "main", shutdown: "Terminate", activeDeadlineSeconds: 0 },
    status: {
      phase: "Failed",
      message: "child failed",
      finishedAt: "2024-05-01T09:00:00Z",
      nodes: {
        wf: { id: "wf", name: "wf", type: "Steps", phase: "Failed", children: ["g1"], outboundNodes: ["p2"] },
        g1: { id: "g1", name: "wf[0]", type: "StepGroup", phase: "Failed", children: ["p1", "p2"] },
        p1: { id: "p1", name: "wf[0].ok", type: "Pod", phase: "Succeeded" },
        p2: { id: "p2", name: "wf[0].bad", type: "Pod", phase: "Failed", message: "exit 1" },
        x1: { id: "x1", name: "wf.onExit", type: "Pod", phase: "Succeeded" },
      },
    },
  };
}

describe("workflow operations over the local store", () => {
  let dir: string;
  let store: LocalWorkflowStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-ops-"));
    store = new LocalWorkflowStore({ dir });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("submit creates the workflow", async () => {
    const created = await submit(store, { apiVersion: AV, kind: "Workflow", metadata: { generateName: "x-", namespace: "argo" }, spec: {} });
    expect(await store.get(AV, "Workflow", "argo", created.metadata.name as string)).toEqual(created);
  });

  it.each([
    ["WorkflowTemplate", "argo", LABEL_WORKFLOW_TEMPLATE, { name: "build" }],
    ["ClusterWorkflowTemplate", "", LABEL_CLUSTER_WORKFLOW_TEMPLATE, { name: "build", clusterScope: true }],
  ] as const)("submitFrom %s: a Workflow referencing it, labelled", async (kind, ns, label, ref) => {
    await store.create({ apiVersion: AV, kind, metadata: { name: "build", namespace: ns || undefined }, spec: {} });
    const wf = await submitFrom(store, kind, "argo", "build", { name: "build-fixed" });
    expect(wf.metadata).toMatchObject({ name: "build-fixed", generateName: "build-", namespace: "argo", labels: { [label]: "build" } });
    expect(wf.spec).toEqual({ workflowTemplateRef: ref });
  });

  it("submitFrom a missing template is NotFoundError and creates nothing", async () => {
    await expect(submitFrom(store, "WorkflowTemplate", "argo", "nope")).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.list(AV, "Workflow", "argo")).toEqual([]);
  });

  it("submitFrom a CronWorkflow: its workflowSpec and workflowMetadata, owned by it", async () => {
    const cron = await store.create({
      apiVersion: AV,
      kind: "CronWorkflow",
      metadata: { name: "nightly", namespace: "argo" },
      spec: { schedule: "0 0 * * *", workflowSpec: { entrypoint: "main" }, workflowMetadata: { labels: { team: "a" }, annotations: { n: "1" } } },
    });
    const wf = await submitFrom(store, "CronWorkflow", "argo", "nightly", { now: NOW });
    expect(wf.metadata.name).toMatch(/^nightly-[a-z0-9]{5}$/);
    expect(wf.metadata.labels).toEqual({ [LABEL_CRON_WORKFLOW]: "nightly", team: "a" });
    expect(wf.metadata.annotations).toEqual({ "workflows.argoproj.io/scheduled-time": "2024-05-01T10:00:00Z", n: "1" });
    expect(wf.metadata.ownerReferences).toEqual([
      { apiVersion: AV, kind: "CronWorkflow", name: "nightly", uid: cron.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(wf.spec).toEqual({ entrypoint: "main" });
  });

  it("resubmit: same spec without shutdown, run labels dropped, resubmitted-from label", async () => {
    await store.create(failedWorkflow());
    const wf = await resubmit(store, "argo", "wf", { name: "wf-again" });
    expect(wf.metadata.generateName).toBe("wf-");
    expect(wf.metadata.labels).toEqual({ team: "a", [LABEL_RESUBMITTED_FROM]: "wf" });
    expect(wf.spec).toEqual({ entrypoint: "main" });
    expect(wf.status).toBeUndefined();
  });

  it("retry resets the failed path, drops onExit nodes and the completed label, deletes the failed pods", async () => {
    await store.create(failedWorkflow());
    const pod = (name: string, node: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "argo", labels: { [LABEL_WORKFLOW]: "wf" }, annotations: { [ANNOTATION_NODE_ID]: node } },
    });
    await store.create(pod("wf-bad", "p2"));
    await store.create(pod("wf-ok", "p1"));
    const wf = await retry(store, "argo", "wf", NOW);
    const status = wf.status as { phase: string; message?: string; nodes: Record<string, { phase: string; children?: string[]; outboundNodes?: string[] }> };
    expect(status.phase).toBe("Running");
    expect(status.message).toBeUndefined();
    expect(Object.keys(status.nodes).sort()).toEqual(["g1", "p1", "wf"]);
    expect(status.nodes.wf.phase).toBe("Running");
    expect(status.nodes.wf.outboundNodes).toEqual([]);
    expect(status.nodes.g1).toMatchObject({ phase: "Running", children: ["p1"] });
    expect(status.nodes.p1.phase).toBe("Succeeded");
    expect(wf.metadata.labels?.[LABEL_COMPLETED]).toBeUndefined();
    expect(wf.spec).toEqual({ entrypoint: "main" });
    expect((await store.list("v1", "Pod", "argo")).map((p) => p.metadata.name)).toEqual(["wf-ok"]);
  });

  it("retry --restart-successful --node-field-selector also reruns the succeeded nodes it selects; -p overrides parameters", () => {
    const wf = failedWorkflow();
    (wf.status as { nodes: Record<string, Record<string, unknown>> }).nodes.p1!.templateName = "ok-step";
    (wf.spec as Record<string, unknown>).arguments = { parameters: [{ name: "m", value: "1" }, { name: "k", value: "2" }] };
    const plan = retriedWorkflow(wf, NOW, { restart: parseNodeFieldSelector("templateName=ok-step,phase!=Failed"), parameters: ["m=9"] });
    expect(plan.deletedNodeIds.sort()).toEqual(["p1", "p2", "x1"]);
    expect((plan.workflow.spec as { arguments: unknown }).arguments).toEqual({ parameters: [{ name: "m", value: "9" }, { name: "k", value: "2" }] });
    // A selector that matches nothing changes nothing beyond the plain retry.
    expect(retriedWorkflow(failedWorkflow(), NOW, { restart: parseNodeFieldSelector("templateName=other") }).deletedNodeIds.sort()).toEqual(["p2", "x1"]);
    expect(() => parseNodeFieldSelector("templateName")).toThrow(BadRequestError);
  });

  it.each(["Running", "Succeeded", ""])("retry of a workflow in phase %j is a BadRequestError", (phase) => {
    const wf = failedWorkflow();
    (wf.status as { phase: string }).phase = phase;
    expect(() => retriedWorkflow(wf)).toThrow(BadRequestError);
  });

  it("suspend sets spec.suspend; resume clears it and completes active suspend nodes", async () => {
    await store.create({
      apiVersion: AV,
      kind: "Workflow",
      metadata: { name: "s", namespace: "argo" },
      spec: { entrypoint: "main" },
      status: { phase: "Running", nodes: { n1: { type: "Suspend", phase: "Running" }, n2: { type: "Pod", phase: "Running" } } },
    });
    const suspended = await suspend(store, "argo", "s");
    expect((suspended.spec as { suspend?: boolean }).suspend).toBe(true);
    const resumed = await resume(store, "argo", "s", NOW);
    expect((resumed.spec as { suspend?: boolean }).suspend).toBeUndefined();
    const nodes = (resumed.status as { nodes: Record<string, { phase: string; finishedAt?: string }> }).nodes;
    expect(nodes.n1).toEqual({ type: "Suspend", phase: "Succeeded", finishedAt: "2024-05-01T10:00:00Z" });
    expect(nodes.n2.phase).toBe("Running");
  });

  it("suspend of a completed workflow is a BadRequestError", async () => {
    await store.create(failedWorkflow());
    await expect(suspend(store, "argo", "wf")).rejects.toBeInstanceOf(BadRequestError);
  });

  it.each([
    ["terminate", terminate, "Terminate"],
    ["stop", stop, "Stop"],
  ] as const)("%s sets spec.shutdown, is idempotent, refuses a finished workflow", async (_n, op, value) => {
    await store.create({ apiVersion: AV, kind: "Workflow", metadata: { name: "r", namespace: "argo" }, spec: {}, status: { phase: "Running" } });
    expect(((await op(store, "argo", "r")).spec as { shutdown: string }).shutdown).toBe(value);
    const again = await op(store, "argo", "r");
    expect((again.spec as { shutdown: string }).shutdown).toBe(value);
    await store.create({ apiVersion: AV, kind: "Workflow", metadata: { name: "done", namespace: "argo" }, spec: {}, status: { phase: "Succeeded" } });
    await expect(op(store, "argo", "done")).rejects.toBeInstanceOf(BadRequestError);
    await expect(op(store, "argo", "missing")).rejects.toBeInstanceOf(NotFoundError);
  });
});
