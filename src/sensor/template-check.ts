// The WorkflowTemplate an argoWorkflow submit trigger names, checked against the Workflow
// it would create as serve creates it (the resource, then `args` as `argo submit` applies
// them): an error when the template is among the inputs, a warning when it is not (it may
// be in the cluster). Values a trigger parameter writes are only known at firing, so a
// missing or out-of-enum argument value is not held against such a trigger.
import { specError, specWarning, type FieldPath, type KubeObject, type LoadedSpec, type Sensor, type Trigger, type WorkflowTemplate } from "../api/index.js";
import type { SpecError, SpecWarning } from "../errors.js";
import { applySubmitOpts, parameterViolations, templateLabel, templateLookupFromList, templateRefOf } from "../workflows/index.js";
import { parseSubmitArgs } from "./triggers/argo-args.js";

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function triggersOf(sensor: Sensor): [Trigger, FieldPath][] {
  const out: [Trigger, FieldPath][] = [];
  sensor.spec.triggers.forEach((t, i) => {
    out.push([t, ["spec", "triggers", i]]);
    if (t.dlqTrigger) out.push([t.dlqTrigger, ["spec", "triggers", i, "dlqTrigger"]]);
  });
  return out;
}

/** Trigger parameters that write argument parameters make the static values incomplete. */
function writesArguments(trigger: Trigger): boolean {
  const dests = [...(trigger.template?.argoWorkflow?.parameters ?? []), ...(trigger.parameters ?? [])].map((p) => p.dest ?? "");
  return dests.some((d) => d.includes("arguments.parameters") || d === "spec" || d === "spec.arguments" || d.startsWith("argoWorkflow.source") || d.startsWith("argoWorkflow.args"));
}

/** The Workflow as the trigger would create it, before parameters; undefined when args do not parse (compileErrors says why). */
function createdWorkflow(resource: KubeObject, namespace: string, args: unknown): KubeObject | undefined {
  const workflow: KubeObject = structuredClone({ ...resource, metadata: { ...resource.metadata, namespace: resource.metadata?.namespace || namespace } });
  if (!Array.isArray(args) || args.length === 0) return workflow;
  try {
    return applySubmitOpts(workflow, parseSubmitArgs(args.map(String)));
  } catch {
    return undefined;
  }
}

export interface TemplateCheckReport {
  errors: SpecError[];
  warnings: SpecWarning[];
}

export async function templateChecks(specs: readonly LoadedSpec[]): Promise<TemplateCheckReport> {
  const report: TemplateCheckReport = { errors: [], warnings: [] };
  const templates = specs.map((s) => s.spec).filter((s): s is WorkflowTemplate => s.kind === "WorkflowTemplate" || s.kind === "ClusterWorkflowTemplate");
  const lookup = templateLookupFromList(() => templates);
  for (const doc of specs) {
    if (doc.spec.kind !== "Sensor") continue;
    const sensor = doc.spec as Sensor;
    for (const [trigger, at] of triggersOf(sensor)) {
      const aw = trigger.template?.argoWorkflow;
      const resource = record(record(aw?.source)?.resource) as KubeObject | undefined;
      if (!aw || !resource || (aw.operation ?? "submit") !== "submit" || !resource.metadata) continue;
      const workflow = createdWorkflow(resource, sensor.metadata.namespace || "default", aw.args);
      const ref = workflow ? templateRefOf(workflow) : undefined;
      if (!workflow || !ref) continue;
      const path: FieldPath = [...at, "template", "argoWorkflow", "source", "resource", "spec", "workflowTemplateRef", "name"];
      const template = await lookup(ref);
      if (!template) {
        report.warnings.push(specWarning(doc, path, `${templateLabel(ref)} is not among the specs given: not checked (serve --config refuses every firing without it)`));
        continue;
      }
      const declared = (record(record(template.spec)?.arguments)?.parameters ?? []) as { name: string }[];
      const supplied = (record(record(workflow.spec)?.arguments)?.parameters ?? []) as { name: string }[];
      let problems = parameterViolations(declared, supplied);
      if (writesArguments(trigger)) problems = problems.filter((p) => !p.includes("is required") && !p.includes("is not one of"));
      for (const p of problems) report.errors.push(specError(doc, path, `does not match ${templateLabel(ref)}: ${p}`));
    }
  }
  return report;
}
