import type { KubeObject, WorkflowTemplate } from "../api/index.js";
import { NotFoundError, SubmissionInvalidError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ListOptions, PatchStrategy, WorkflowClient } from "./client.js";
import { WORKFLOW_API_VERSION } from "./client.js";

/** A `spec.workflowTemplateRef`, resolved: `namespace` is "" for a ClusterWorkflowTemplate. */
export interface TemplateRef {
  namespace: string;
  name: string;
  clusterScope: boolean;
}

/** Finds a (Cluster)WorkflowTemplate; undefined when it does not exist. */
export type TemplateLookup = (ref: TemplateRef) => Promise<WorkflowTemplate | undefined>;

interface DeclaredParameter {
  name: string;
  value?: unknown;
  default?: unknown;
  valueFrom?: unknown;
  enum?: unknown[];
}

interface SuppliedParameter {
  name: string;
  value?: unknown;
  valueFrom?: unknown;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function parametersOf(spec: unknown): Record<string, unknown>[] {
  const params = record(record(spec)?.arguments)?.parameters;
  return Array.isArray(params) ? params.filter((p): p is Record<string, unknown> => record(p) !== undefined) : [];
}

export function templateLabel(ref: TemplateRef): string {
  return ref.clusterScope ? `ClusterWorkflowTemplate ${ref.name}` : `WorkflowTemplate ${ref.namespace}/${ref.name}`;
}

/** The template a Workflow references, or undefined when it references none. */
export function templateRefOf(workflow: KubeObject): TemplateRef | undefined {
  if (workflow.kind !== "Workflow" || !workflow.apiVersion.startsWith("argoproj.io/")) return undefined;
  const ref = record(record(workflow.spec)?.workflowTemplateRef);
  if (!ref || typeof ref.name !== "string" || ref.name === "") return undefined;
  const clusterScope = ref.clusterScope === true;
  return { name: ref.name, clusterScope, namespace: clusterScope ? "" : workflow.metadata.namespace || "default" };
}

/** The problems of `supplied` against `declared`, one sentence each. */
export function parameterViolations(declared: DeclaredParameter[], supplied: SuppliedParameter[]): string[] {
  const problems: string[] = [];
  const byName = new Map(declared.map((p) => [p.name, p]));
  const names = declared.map((p) => p.name).join(", ") || "none";
  for (const p of supplied) {
    const d = byName.get(p.name);
    if (!d) {
      problems.push(`parameter "${p.name}" is not declared (declared: ${names})`);
      continue;
    }
    if (Array.isArray(d.enum) && d.enum.length > 0 && p.value !== undefined) {
      const allowed = d.enum.map(String);
      if (!allowed.includes(String(p.value))) {
        problems.push(`parameter "${p.name}" value ${JSON.stringify(String(p.value))} is not one of ${allowed.join(", ")}`);
      }
    }
  }
  const given = new Set(supplied.filter((p) => p.value !== undefined || p.valueFrom !== undefined).map((p) => p.name));
  for (const d of declared) {
    const hasOwn = d.value !== undefined || d.default !== undefined || d.valueFrom !== undefined;
    if (!hasOwn && !given.has(d.name)) problems.push(`parameter "${d.name}" is required (no value or default) but not supplied`);
  }
  return problems;
}

function asDeclared(p: Record<string, unknown>): DeclaredParameter {
  return { name: String(p.name ?? ""), value: p.value, default: p.default, valueFrom: p.valueFrom, enum: Array.isArray(p.enum) ? p.enum : undefined };
}

/**
 * Checks a Workflow that submits from a (Cluster)WorkflowTemplate before it is
 * created: the template exists, every supplied parameter is declared, enum
 * parameters get an allowed value, required ones are supplied. Violations are
 * one SubmissionInvalidError (422: the runner dead-letters it, no retry).
 * Workflows without a `workflowTemplateRef` and other kinds pass untouched.
 */
export async function validateSubmission(templates: TemplateLookup, workflow: KubeObject): Promise<void> {
  const ref = templateRefOf(workflow);
  if (!ref) return;
  const template = await templates(ref);
  if (!template) throw new SubmissionInvalidError(`${templateLabel(ref)} not found`);
  const declared = parametersOf(template.spec).map(asDeclared);
  const supplied = parametersOf(workflow.spec).map((p) => ({ name: String(p.name ?? ""), value: p.value, valueFrom: p.valueFrom }));
  const problems = parameterViolations(declared, supplied);
  if (problems.length > 0) {
    const who = workflow.metadata.name ?? `${workflow.metadata.generateName ?? ""}*`;
    throw new SubmissionInvalidError(`Workflow ${who} does not match ${templateLabel(ref)}: ${problems.join("; ")}`);
  }
}

/** A lookup over a fixed or changing list of templates (the loaded specs). */
export function templateLookupFromList(list: () => readonly WorkflowTemplate[]): TemplateLookup {
  return async (ref) =>
    list().find(
      (t) =>
        t.metadata.name === ref.name &&
        (ref.clusterScope
          ? t.kind === "ClusterWorkflowTemplate"
          : t.kind === "WorkflowTemplate" && (t.metadata.namespace || "default") === ref.namespace),
    );
}

/** A lookup through the API (GET), each answer kept `ttlMs` so a burst of events costs one GET. */
export function templateLookupFromClient(client: WorkflowClient, ttlMs = 10_000, now = () => Date.now()): TemplateLookup {
  const cache = new Map<string, { at: number; value: Promise<WorkflowTemplate | undefined> }>();
  return (ref) => {
    const key = `${ref.clusterScope}/${ref.namespace}/${ref.name}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const kind = ref.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
    const value = client.get(WORKFLOW_API_VERSION, kind, ref.namespace, ref.name).then(
      (o) => o as WorkflowTemplate,
      (err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        cache.delete(key); // a transient failure is not remembered
        throw err;
      },
    );
    cache.set(key, { at: now(), value });
    return value;
  };
}

/** Tries `first`, then `fallback` on a miss (a watch cache, then the API for what it has not seen yet). */
export function firstFound(first: TemplateLookup, fallback: TemplateLookup): TemplateLookup {
  return async (ref) => (await first(ref)) ?? fallback(ref);
}

export interface ValidatingOptions {
  /** Where templates come from. */
  templates: TemplateLookup;
  /**
   * What a reference to an unknown template does: "reject" (SubmissionInvalidError, the
   * default) or "allow" (submit unvalidated with a warning: the local store holds no templates).
   */
  missingTemplate?: "reject" | "allow";
  logger?: Logger;
}

/**
 * A WorkflowClient that validates every Workflow create against its template
 * (validateSubmission) before handing it to the wrapped client; all other calls
 * pass through. Triggers stay unaware of it.
 */
export class ValidatingWorkflowClient implements WorkflowClient {
  constructor(
    private readonly inner: WorkflowClient,
    private readonly options: ValidatingOptions,
  ) {}

  async create(obj: KubeObject): Promise<KubeObject> {
    const { templates, missingTemplate = "reject", logger } = this.options;
    const ref = templateRefOf(obj);
    if (ref && missingTemplate === "allow" && !(await templates(ref))) {
      logger?.warn({ template: templateLabel(ref) }, "template not loaded: submitting without validation");
      return this.inner.create(obj);
    }
    await validateSubmission(templates, obj);
    return this.inner.create(obj);
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeObject> {
    return this.inner.get(apiVersion, kind, namespace, name);
  }

  list(apiVersion: string, kind: string, namespace: string, options?: ListOptions): Promise<KubeObject[]> {
    return this.inner.list(apiVersion, kind, namespace, options);
  }

  update(obj: KubeObject): Promise<KubeObject> {
    return this.inner.update(obj);
  }

  patch(apiVersion: string, kind: string, namespace: string, name: string, patch: unknown, strategy: PatchStrategy): Promise<KubeObject> {
    return this.inner.patch(apiVersion, kind, namespace, name, patch, strategy);
  }

  delete(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    return this.inner.delete(apiVersion, kind, namespace, name);
  }
}
