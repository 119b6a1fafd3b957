// The argo CLI's workflow operations (submit, submit --from, resubmit, retry,
// suspend, resume, terminate, stop) as functions over any WorkflowClient, after
// argo-workflows' server code (NewWorkflowFromWorkflowTemplate,
// ConvertCronWorkflowToWorkflow, FormulateResubmitWorkflow, FormulateRetryWorkflow,
// SuspendWorkflow, ResumeWorkflow, patchShutdownStrategy), simplified where noted.
import { isObject, type KubeObject } from "../api/index.js";
import type { NodeSelector } from "./node-selector.js";
import { applySubmitOpts, type SubmitOpts } from "./submit-opts.js";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { WORKFLOW_API_VERSION, type WorkflowClient } from "./client.js";

const W = "workflows.argoproj.io";
export const LABEL_WORKFLOW_TEMPLATE = `${W}/workflow-template`;
export const LABEL_CLUSTER_WORKFLOW_TEMPLATE = `${W}/cluster-workflow-template`;
export const LABEL_CRON_WORKFLOW = `${W}/cron-workflow`;
export const LABEL_RESUBMITTED_FROM = `${W}/resubmitted-from-workflow`;
export const LABEL_COMPLETED = `${W}/completed`;
export const LABEL_PHASE = `${W}/phase`;
export const LABEL_CONTROLLER_INSTANCE_ID = `${W}/controller-instanceid`;
export const LABEL_WORKFLOW = `${W}/workflow`;
export const ANNOTATION_SCHEDULED_TIME = `${W}/scheduled-time`;
export const ANNOTATION_NODE_ID = `${W}/node-id`;

// Labels that describe a run, not the workflow: not carried over by resubmit.
const RUN_LABELS = new Set([
  `${W}/creator`,
  `${W}/creator-email`,
  `${W}/creator-preferred-username`,
  LABEL_PHASE,
  LABEL_COMPLETED,
  `${W}/workflow-archiving-status`,
]);
const FINISHED = new Set(["Succeeded", "Failed", "Error"]);
const EXECUTION_NODE_TYPES = new Set(["Pod", "Container", "HTTP", "Plugin"]);
const CONFLICT_ATTEMPTS = 5;

export type SubmitFromKind = "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow";
export const SUBMIT_FROM_KINDS: readonly SubmitFromKind[] = ["WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"];

/** How a new Workflow (submit-from, resubmit) is named. */
export interface NewWorkflowOptions {
  /** A fixed name (e.g. derived from the firing, for idempotence) instead of the server's generateName suffix. */
  name?: string;
  now?: Date;
  /** `argo submit` flags applied to the new Workflow (argoWorkflow `args`). */
  submitOpts?: SubmitOpts;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return isObject(v) ? v : {};
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function named<T extends KubeObject>(wf: T, options: NewWorkflowOptions): T {
  if (options.submitOpts) applySubmitOpts(wf, options.submitOpts);
  if (options.name) wf.metadata.name = options.name;
  return wf;
}

export function submit(client: WorkflowClient, workflow: KubeObject): Promise<KubeObject> {
  return client.create(workflow);
}

/** A Workflow that runs a (Cluster)WorkflowTemplate by reference, labelled as `argo submit --from` does. */
export function workflowFromTemplate(
  kind: "WorkflowTemplate" | "ClusterWorkflowTemplate",
  templateName: string,
  namespace: string,
  options: NewWorkflowOptions = {},
): KubeObject {
  const cluster = kind === "ClusterWorkflowTemplate";
  return named(
    {
      apiVersion: WORKFLOW_API_VERSION,
      kind: "Workflow",
      metadata: {
        generateName: `${templateName}-`,
        namespace,
        labels: { [cluster ? LABEL_CLUSTER_WORKFLOW_TEMPLATE : LABEL_WORKFLOW_TEMPLATE]: templateName },
      },
      spec: { workflowTemplateRef: cluster ? { name: templateName, clusterScope: true } : { name: templateName } },
    },
    options,
  );
}

/** A Workflow from a CronWorkflow's `workflowSpec` and `workflowMetadata`, owned by the CronWorkflow. */
export function workflowFromCronWorkflow(cron: KubeObject, options: NewWorkflowOptions = {}): KubeObject {
  const name = cron.metadata.name as string;
  const spec = obj(cron.spec);
  const meta = obj(spec.workflowMetadata);
  const labels: Record<string, string> = {};
  const instanceId = cron.metadata.labels?.[LABEL_CONTROLLER_INSTANCE_ID];
  if (instanceId !== undefined) labels[LABEL_CONTROLLER_INSTANCE_ID] = instanceId;
  labels[LABEL_CRON_WORKFLOW] = name;
  Object.assign(labels, obj(meta.labels));
  const annotations = {
    [ANNOTATION_SCHEDULED_TIME]: rfc3339(options.now ?? new Date()),
    ...(obj(meta.annotations) as Record<string, string>),
  };
  const wf: KubeObject = {
    apiVersion: cron.apiVersion,
    kind: "Workflow",
    metadata: { generateName: `${name}-`, namespace: cron.metadata.namespace, labels, annotations },
    spec: structuredClone(obj(spec.workflowSpec)),
  };
  if (Array.isArray(meta.finalizers) && meta.finalizers.length > 0) wf.metadata.finalizers = [...meta.finalizers];
  if (cron.metadata.uid) {
    wf.metadata.ownerReferences = [
      { apiVersion: cron.apiVersion, kind: "CronWorkflow", name, uid: cron.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
  }
  return named(wf, options);
}

/**
 * `argo submit --from <kind>/<name>`: the (Cluster)WorkflowTemplate must exist
 * (NotFoundError otherwise, before anything is created).
 */
export async function submitFrom(
  client: WorkflowClient,
  kind: SubmitFromKind,
  namespace: string,
  name: string,
  options: NewWorkflowOptions = {},
): Promise<KubeObject> {
  if (kind === "CronWorkflow") {
    const cron = await client.get(WORKFLOW_API_VERSION, kind, namespace, name);
    return client.create(workflowFromCronWorkflow(cron, options));
  }
  await client.get(WORKFLOW_API_VERSION, kind, kind === "ClusterWorkflowTemplate" ? "" : namespace, name);
  return client.create(workflowFromTemplate(kind, name, namespace, options));
}

/** The Workflow `argo resubmit` creates from `wf` (not memoized): same spec, run state dropped. */
export function resubmittedWorkflow(wf: KubeObject, options: NewWorkflowOptions = {}): KubeObject {
  const spec = structuredClone(obj(wf.spec));
  if (spec.activeDeadlineSeconds === 0) delete spec.activeDeadlineSeconds; // it was terminated
  delete spec.shutdown;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(wf.metadata.labels ?? {})) if (!RUN_LABELS.has(k)) labels[k] = v;
  labels[LABEL_RESUBMITTED_FROM] = wf.metadata.name as string;
  const metadata: KubeObject["metadata"] = {
    generateName: wf.metadata.generateName || `${wf.metadata.name}-`,
    namespace: wf.metadata.namespace,
    labels,
    annotations: { ...(wf.metadata.annotations ?? {}) },
  };
  if (Array.isArray(wf.metadata.ownerReferences)) metadata.ownerReferences = structuredClone(wf.metadata.ownerReferences);
  return named({ apiVersion: wf.apiVersion, kind: "Workflow", metadata, spec }, options);
}

export async function resubmit(client: WorkflowClient, namespace: string, name: string, options: NewWorkflowOptions = {}): Promise<KubeObject> {
  const wf = await client.get(WORKFLOW_API_VERSION, "Workflow", namespace, name);
  return client.create(resubmittedWorkflow(wf, options));
}

export interface RetryPlan {
  workflow: KubeObject;
  /** Nodes removed from the status: their pods must go before the controller runs them again. */
  deletedNodeIds: string[];
}

/**
 * `argo retry` without options, simplified: a Failed/Error workflow gets its
 * failed/errored execution nodes (Pod, Container, HTTP, Plugin) and their
 * descendants removed, every ancestor of those set back to Running, the onExit
 * nodes removed, the completed label dropped, and phase Running. (Upstream also
 * walks retry-node parents and keeps succeeded descendants; the controller
 * re-creates whatever is missing either way.)
 */
export interface RetryOptions {
  /** `--restart-successful` with `--node-field-selector`: these succeeded nodes run again too. */
  restart?: NodeSelector;
  /** `-p NAME=VALUE`: argument parameters overridden as `argo retry -p` does. */
  parameters?: string[];
}

export function retriedWorkflow(wf: KubeObject, now: Date = new Date(), options: RetryOptions = {}): RetryPlan {
  const status = obj(wf.status);
  const phase = typeof status.phase === "string" ? status.phase : "";
  if (phase !== "Failed" && phase !== "Error") {
    throw new BadRequestError(`Workflow ${wf.metadata.name}: cannot retry a workflow in phase ${phase || "Unknown"}`);
  }
  const out = structuredClone(wf);
  const labels = { ...(out.metadata.labels ?? {}) };
  delete labels[LABEL_COMPLETED];
  delete labels[`${W}/workflow-archiving-status`];
  out.metadata.labels = labels;
  const spec = obj(out.spec);
  delete spec.shutdown;
  if (spec.activeDeadlineSeconds === 0) delete spec.activeDeadlineSeconds;

  const nodes = obj(structuredClone(status.nodes)) as Record<string, Obj>;
  const children = (id: string): string[] => (Array.isArray(nodes[id]?.children) ? (nodes[id].children as string[]) : []);
  const onExit = `${wf.metadata.name}.onExit`;
  const toDelete = new Set<string>();
  const mark = (id: string): void => {
    if (toDelete.has(id) || !nodes[id]) return;
    toDelete.add(id);
    children(id).forEach(mark);
  };
  for (const [id, n] of Object.entries(nodes)) {
    const failed = (n.phase === "Failed" || n.phase === "Error") && EXECUTION_NODE_TYPES.has(String(n.type));
    const restarted = options.restart !== undefined && n.phase === "Succeeded" && options.restart(n);
    if (failed || restarted || String(n.name ?? "").startsWith(onExit)) mark(id);
  }
  const parents = new Map<string, string[]>();
  for (const id of Object.keys(nodes)) for (const c of children(id)) parents.set(c, [...(parents.get(c) ?? []), id]);
  const toReset = new Set<string>();
  const up = (id: string): void => {
    for (const p of parents.get(id) ?? []) {
      if (toDelete.has(p) || toReset.has(p)) continue;
      toReset.add(p);
      up(p);
    }
  };
  toDelete.forEach(up);

  const next: Record<string, Obj> = {};
  for (const [id, n] of Object.entries(nodes)) {
    if (toDelete.has(id)) continue;
    const node: Obj = { ...n };
    if (toReset.has(id) && node.phase !== "Skipped") {
      node.phase = "Running";
      delete node.message;
      node.startedAt = rfc3339(now);
      delete node.finishedAt;
    }
    for (const key of ["children", "outboundNodes"]) {
      if (Array.isArray(node[key])) node[key] = (node[key] as string[]).filter((c) => !toDelete.has(c));
    }
    next[id] = node;
  }
  const conditions = (Array.isArray(status.conditions) ? (status.conditions as Obj[]) : []).filter((c) => c.type !== "Completed");
  const newStatus: Obj = {
    ...obj(out.status),
    phase: "Running",
    nodes: next,
    startedAt: rfc3339(now),
    conditions: [...conditions, { type: "Completed", status: "False" }],
  };
  delete newStatus.message;
  delete newStatus.finishedAt;
  delete newStatus.persistentVolumeClaims;
  if (isObject(newStatus.storedWorkflowTemplateSpec)) delete newStatus.storedWorkflowTemplateSpec.shutdown;
  out.status = newStatus;
  if (options.parameters?.length) applySubmitOpts(out, { parameters: options.parameters });
  return { workflow: out, deletedNodeIds: [...toDelete] };
}

async function withConflictRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= CONFLICT_ATTEMPTS) throw err;
    }
  }
}

/** Retry: delete the pods of the removed nodes (by the node-id annotation), then update the workflow. */
export async function retry(client: WorkflowClient, namespace: string, name: string, now: Date = new Date(), options: RetryOptions = {}): Promise<KubeObject> {
  return withConflictRetry(async () => {
    const wf = await client.get(WORKFLOW_API_VERSION, "Workflow", namespace, name);
    const plan = retriedWorkflow(wf, now, options);
    if (plan.deletedNodeIds.length > 0) {
      const ids = new Set(plan.deletedNodeIds);
      const pods = await client.list("v1", "Pod", namespace, { labelSelector: `${LABEL_WORKFLOW}=${name}` });
      for (const pod of pods) {
        if (!ids.has(pod.metadata.annotations?.[ANNOTATION_NODE_ID] ?? "")) continue;
        await client.delete("v1", "Pod", namespace, pod.metadata.name as string).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
      }
    }
    return client.update(plan.workflow);
  });
}

function isCompleted(wf: KubeObject): boolean {
  return wf.metadata.labels?.[LABEL_COMPLETED] === "true";
}

/** spec.suspend = true; a completed workflow cannot be suspended; an already suspended one is left as is. */
export async function suspend(client: WorkflowClient, namespace: string, name: string): Promise<KubeObject> {
  const wf = await client.get(WORKFLOW_API_VERSION, "Workflow", namespace, name);
  if (isCompleted(wf)) throw new BadRequestError(`Workflow ${namespace}/${name}: cannot suspend a completed workflow`);
  if (obj(wf.spec).suspend === true) return wf;
  return client.patch(WORKFLOW_API_VERSION, "Workflow", namespace, name, { spec: { suspend: true } }, "merge");
}

/**
 * spec.suspend removed, and every active suspend node (type Suspend, phase
 * Running) marked Succeeded, as the argo server does; the controller then goes on.
 */
export async function resume(client: WorkflowClient, namespace: string, name: string, now: Date = new Date()): Promise<KubeObject> {
  return withConflictRetry(async () => {
    const wf = await client.get(WORKFLOW_API_VERSION, "Workflow", namespace, name);
    const spec = obj(wf.spec);
    let changed = false;
    if (spec.suspend === true) {
      delete spec.suspend;
      changed = true;
    }
    for (const node of Object.values(obj(obj(wf.status).nodes))) {
      if (isObject(node) && node.type === "Suspend" && node.phase === "Running") {
        node.phase = "Succeeded";
        node.finishedAt = rfc3339(now);
        changed = true;
      }
    }
    return changed ? client.update(wf) : wf;
  });
}

async function shutdown(client: WorkflowClient, namespace: string, name: string, strategy: "Terminate" | "Stop"): Promise<KubeObject> {
  const wf = await client.get(WORKFLOW_API_VERSION, "Workflow", namespace, name);
  if (obj(wf.spec).shutdown === strategy) return wf; // a redelivery: already done
  const phase = obj(wf.status).phase;
  if (typeof phase === "string" && FINISHED.has(phase)) {
    throw new BadRequestError(`Workflow ${namespace}/${name} has already shut down (phase ${phase})`);
  }
  return client.patch(WORKFLOW_API_VERSION, "Workflow", namespace, name, { spec: { shutdown: strategy } }, "merge");
}

/** spec.shutdown = "Terminate": stop now, without exit handlers. */
export function terminate(client: WorkflowClient, namespace: string, name: string): Promise<KubeObject> {
  return shutdown(client, namespace, name, "Terminate");
}

/** spec.shutdown = "Stop": stop, running exit handlers. */
export function stop(client: WorkflowClient, namespace: string, name: string): Promise<KubeObject> {
  return shutdown(client, namespace, name, "Stop");
}
