// The Workflow a matching binding submits, built as Argo Workflows' event
// dispatcher builds it, except for the name suffix (see bindingWorkflowName).
import { createHash } from "node:crypto";
import type { KubeObject, WorkflowTemplate } from "../api/index.js";
import { ExpressionError, errorMessage } from "../errors.js";
import type { CompiledExpression } from "../expr/index.js";
import { WORKFLOW_API_VERSION } from "../workflows/index.js";
import type { CompiledBinding } from "./compile.js";
import type { Identity } from "./event.js";

export const LABEL_WORKFLOW_TEMPLATE = "workflows.argoproj.io/workflow-template";
export const LABEL_CLUSTER_WORKFLOW_TEMPLATE = "workflows.argoproj.io/cluster-workflow-template";
export const LABEL_WORKFLOW_EVENT_BINDING = "workflows.argoproj.io/workflow-event-binding";
export const LABEL_CREATOR = "workflows.argoproj.io/creator";

const HASH_LENGTH = 10;
const MAX_NAME = 63;

/**
 * `<generateName><10 hex of sha256(namespace/binding, event id)>`. Argo draws a
 * random suffix; a suffix derived from the event means a redelivered event finds
 * its Workflow already there (AlreadyExists = done) instead of starting a second.
 */
export function bindingWorkflowName(generateName: string, namespace: string, binding: string, eventId: string): string {
  const hash = createHash("sha256").update(`${namespace}/${binding}\u0000${eventId}`).digest("hex").slice(0, HASH_LENGTH);
  return `${generateName.slice(0, MAX_NAME - HASH_LENGTH)}${hash}`;
}

/** Go's encoding/json text of a value: object keys sorted, as for Go maps. */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value === undefined ? null : value)).replace(/[\u2028\u2029]/g, (c) =>
    c === "\u2028" ? "\\u2028" : "\\u2029",
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
  return out;
}

/**
 * A parameter value as Argo stores it: the JSON text of the result, with the
 * quotes of a string result removed (escapes inside stay, as in Argo).
 */
export function parameterValue(result: unknown): string {
  const text = goJson(result);
  return text.startsWith('"') ? text.slice(1, -1) : text;
}

/** Argo's dnsFriendly for the creator label: label-safe characters, at most 63, alphanumeric ends. */
export function dnsFriendly(s: string): string {
  let v = s.replace(/[^-_.a-z0-9A-Z]/g, "-");
  if (v.length > 63) v = v.slice(v.length - 63);
  return v.replace(/^[^a-z0-9A-Z]*/, "").replace(/[^a-z0-9A-Z]*$/, "");
}

function evalString(expr: CompiledExpression, env: Record<string, unknown>, what: string): string {
  let result: unknown;
  try {
    result = expr.evaluate(env);
  } catch (err) {
    throw new ExpressionError(`failed to evaluate workflow ${what} expression: ${errorMessage(err)}`, { cause: err });
  }
  if (typeof result !== "string") {
    const type = result === null || result === undefined ? "nil" : Array.isArray(result) ? "array" : typeof result;
    throw new ExpressionError(`workflow ${what} expression must evaluate to a string, not a ${type}`);
  }
  return result;
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

export interface BuildWorkflowInput {
  binding: CompiledBinding;
  template: WorkflowTemplate;
  env: Record<string, unknown>;
  eventId: string;
  identity?: Identity;
}

export function buildWorkflow(input: BuildWorkflowInput): KubeObject {
  const { binding, template, env } = input;
  if (!binding.template) throw new ExpressionError(`binding ${binding.name} has no submit`);
  const ref = binding.template;
  const labels: Record<string, string> = {
    [ref.clusterScope ? LABEL_CLUSTER_WORKFLOW_TEMPLATE : LABEL_WORKFLOW_TEMPLATE]: ref.name,
  };
  const annotations: Record<string, string> = {};
  const wfMeta = (template.spec.workflowMetadata ?? {}) as Record<string, unknown>;
  Object.assign(labels, stringRecord(wfMeta.labels));
  Object.assign(annotations, stringRecord(wfMeta.annotations));

  const m = binding.metadata;
  let name = m.name ? evalString(m.name, env, "name") : "";
  const generateName = m.generateName ? evalString(m.generateName, env, "generateName") : `${ref.name}-`;
  for (const [k, e] of m.labels) labels[k] = evalString(e, env, `label "${k}"`);
  for (const [k, e] of m.annotations) annotations[k] = evalString(e, env, `annotation "${k}"`);
  if (name === "") name = bindingWorkflowName(generateName, binding.namespace, binding.name, input.eventId);

  // As Argo: the creator label from the caller's identity, then the binding label.
  if (input.identity?.username) labels[LABEL_CREATOR] = dnsFriendly(input.identity.username);
  labels[LABEL_WORKFLOW_EVENT_BINDING] = binding.name;

  const parameters: { name: string; value: string }[] = [];
  for (const p of binding.parameters) {
    if (!p.expression) throw new ExpressionError(`malformed workflow template parameter "${p.name}": valueFrom is nil`);
    let result: unknown;
    try {
      result = p.expression.evaluate(env);
    } catch (err) {
      throw new ExpressionError(`failed to evaluate workflow template parameter "${p.name}" expression: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    parameters.push({ name: p.name, value: parameterValue(result) });
  }

  const spec: Record<string, unknown> = {
    workflowTemplateRef: ref.clusterScope ? { name: ref.name, clusterScope: true } : { name: ref.name },
  };
  if (parameters.length > 0) spec.arguments = { parameters };
  const metadata: KubeObject["metadata"] = { name, generateName, namespace: binding.namespace, labels };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: WORKFLOW_API_VERSION, kind: "Workflow", metadata, spec };
}
