// Checks that need more than one document, or a provider's list: the WorkflowTemplate
// a binding submits from (a Sensor's: sensor/template-check.ts), the bus serve takes,
// Secret references, and the event names an EventSource subscribes to. What would fail every firing is an error when the
// referenced spec is among the inputs, a warning when it is not (it may be in the cluster).
import { closest, specError, specWarning, type FieldPath, type LoadedSpec, type EventSource, type KubeObject, type Sensor, type WorkflowTemplate, type WorkflowEventBinding, type EventBus } from "../api/index.js";
import type { SpecError, SpecWarning } from "../errors.js";
import { streamConfigProblem } from "../eventbus/index.js";
import { SOURCE_TYPE_NAMES, SOURCE_TYPES } from "../eventsource/index.js";
import { chooseEventBus } from "./bus.js";
import { missingIn, secretFile, secretReferences } from "./secret-references.js";
import { secretReferenceProblem } from "./secrets.js";
import { parameterViolations, templateLabel, templateLookupFromList, templateRefOf } from "../workflows/index.js";

export interface ReferenceReport {
  errors: SpecError[];
  warnings: SpecWarning[];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The closest known name by case-insensitive compare or prefix, for a hint. */
function hint(name: string, known: Iterable<string>): string {
  const simple = name.toLowerCase().replace(/[^a-z]/g, "");
  for (const k of known) {
    const ks = k.toLowerCase().replace(/[^a-z]/g, "");
    if (ks === simple || simple === `${ks}event` || simple === `${ks}events` || ks === `${simple}events`) return ` (did you mean "${k}"?)`;
  }
  const near = closest(name, [...known]);
  return near ? ` (did you mean "${near}"?)` : "";
}

async function eventNameWarnings(doc: LoadedSpec, out: SpecWarning[]): Promise<void> {
  const spec = (doc.spec as EventSource).spec as Record<string, unknown>;
  for (const type of SOURCE_TYPE_NAMES) {
    const subscribable = SOURCE_TYPES[type].subscribable;
    const entries = Object.entries(record(spec[type]) ?? {});
    if (!subscribable || entries.length === 0) continue;
    const known = await subscribable.names();
    for (const [eventName, entry] of entries) {
      const events = record(entry)?.events;
      if (!Array.isArray(events)) continue;
      events.forEach((e, i) => {
        if (typeof e !== "string" || e === "*" || known.has(e)) return;
        const path: FieldPath = ["spec", type, eventName, "events", i];
        out.push(specWarning(doc, path, `${subscribable.provider} sends no event ${JSON.stringify(e)}: deliveries of it never arrive${hint(e, known)}`));
      });
    }
  }
}

/** A binding's template, as its Workflow would name it (the binding's namespace; clusterScope a ClusterWorkflowTemplate). */
async function bindingIssues(doc: LoadedSpec, templates: readonly WorkflowTemplate[], report: ReferenceReport): Promise<void> {
  const binding = doc.spec as WorkflowEventBinding;
  const submit = binding.spec.submit;
  if (!submit?.workflowTemplateRef) return;
  const workflow: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { namespace: binding.metadata.namespace || "default" },
    spec: { workflowTemplateRef: submit.workflowTemplateRef, arguments: { parameters: (submit.arguments?.parameters ?? []).map((p) => ({ name: p.name })) } },
  };
  const ref = templateRefOf(workflow);
  if (!ref) return;
  const path: FieldPath = ["spec", "submit", "workflowTemplateRef", "name"];
  const template = await templateLookupFromList(() => templates)(ref);
  if (!template) {
    report.warnings.push(specWarning(doc, path, `${templateLabel(ref)} is not among the specs given: not checked (serve --config fails every event this binding takes without it)`));
    return;
  }
  const declared = (record(record(template.spec)?.arguments)?.parameters ?? []) as { name: string }[];
  const supplied = (submit.arguments?.parameters ?? []) as { name: string }[];
  for (const p of parameterViolations(declared, supplied)) report.errors.push(specError(doc, path, `does not match ${templateLabel(ref)}: ${p}`));
}

/**
 * serve takes the EventBus named `default`, or the only one (chooseEventBus), and makes
 * its stream from streamConfig. Every EventSource and Sensor is served on that one bus,
 * so an `eventBusName` naming another is said (in Argo Events they would not meet).
 */
function busChoice(specs: readonly LoadedSpec[], report: ReferenceReport): void {
  const buses = specs.filter((d) => d.spec.kind === "EventBus");
  for (const doc of buses) {
    const bad = streamConfigProblem(doc.spec as EventBus);
    if (bad) report.errors.push(specError(doc, bad.path, bad.message));
  }
  let served = "default";
  try {
    served = chooseEventBus(buses.map((d) => d.spec as EventBus))?.metadata.name ?? "default";
  } catch (err) {
    const last = buses[buses.length - 1] as LoadedSpec;
    report.errors.push(specError(last, ["metadata", "name"], err instanceof Error ? err.message : String(err)));
    return;
  }
  for (const doc of specs) {
    if (doc.spec.kind !== "EventSource" && doc.spec.kind !== "Sensor") continue;
    const name = (doc.spec.spec as { eventBusName?: unknown }).eventBusName;
    if (typeof name === "string" && name !== "" && name !== served) {
      report.warnings.push(specWarning(doc, ["spec", "eventBusName"], `the gateway serves one bus ("${served}"), and this ${doc.spec.kind} is served on it: where Argo Events keeps bus ${JSON.stringify(name)} apart, here its events meet every other spec's`));
    }
  }
}

/** Every event an EventSource defines, by `namespace/name`. */
function eventsBySource(specs: readonly LoadedSpec[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const doc of specs) {
    if (doc.spec.kind !== "EventSource") continue;
    const es = doc.spec as EventSource;
    const names = SOURCE_TYPE_NAMES.flatMap((t) => Object.keys(record((es.spec as Record<string, unknown>)[t]) ?? {}));
    out.set(`${es.metadata.namespace || "default"}/${es.metadata.name ?? ""}`, new Set(names));
  }
  return out;
}

/**
 * A dependency on an EventSource or event the given EventSources do not define never
 * receives an event (checked only when some EventSource is among the inputs, so a
 * Sensor can be validated alone).
 */
function dependencyWarnings(doc: LoadedSpec, sources: Map<string, Set<string>>, out: SpecWarning[]): void {
  if (sources.size === 0) return;
  const sensor = doc.spec as Sensor;
  const namespace = sensor.metadata.namespace || "default";
  sensor.spec.dependencies.forEach((d, i) => {
    const events = sources.get(`${namespace}/${d.eventSourceName}`);
    const at: FieldPath = ["spec", "dependencies", i];
    if (!events) {
      const elsewhere = [...sources.keys()].filter((k) => k.endsWith(`/${d.eventSourceName}`));
      const why = elsewhere.length > 0 ? ` (given in ${elsewhere.map((k) => k.split("/")[0]).join(", ")}: a Sensor gets events of its own namespace only)` : hint(d.eventSourceName, [...sources.keys()].filter((k) => k.startsWith(`${namespace}/`)).map((k) => k.slice(namespace.length + 1)));
      out.push(specWarning(doc, [...at, "eventSourceName"], `no EventSource ${namespace}/${d.eventSourceName} among the specs given: this dependency gets no event unless it runs elsewhere${why}`));
    } else if (!events.has(d.eventName)) {
      out.push(specWarning(doc, [...at, "eventName"], `EventSource ${namespace}/${d.eventSourceName} has no event ${JSON.stringify(d.eventName)} (it has ${[...events].join(", ") || "none"}): this dependency never gets an event${hint(d.eventName, events)}`));
    }
  });
}

export async function referenceChecks(specs: readonly LoadedSpec[]): Promise<ReferenceReport> {
  const report: ReferenceReport = { errors: [], warnings: [] };
  const templates = specs.map((s) => s.spec).filter((s): s is WorkflowTemplate => s.kind === "WorkflowTemplate" || s.kind === "ClusterWorkflowTemplate");
  busChoice(specs, report);
  const sources = eventsBySource(specs);
  for (const doc of specs) {
    if (doc.spec.kind === "Sensor") dependencyWarnings(doc, sources, report.warnings);
    if (doc.spec.kind === "WorkflowEventBinding") await bindingIssues(doc, templates, report);
    for (const ref of secretReferences(doc)) {
      const bad = secretReferenceProblem(ref);
      if (bad) report.errors.push(specError(doc, ref.path, `secret reference ${bad}: no Secret can be read for it`));
    }
    if (doc.spec.kind === "EventSource") await eventNameWarnings(doc, report.warnings);
  }
  return report;
}

/**
 * Secrets the specs reference, checked against `--secrets-dir` (`<dir>/<name>/<key>`,
 * as serve reads them): a missing one would fail every delivery or firing that needs it.
 */
export async function secretChecks(specs: readonly LoadedSpec[], dir: string): Promise<SpecError[]> {
  const errors: SpecError[] = [];
  for (const doc of specs) {
    // A reference that can name no Secret is reported by referenceChecks.
    const refs = secretReferences(doc).filter((r) => !secretReferenceProblem(r));
    for (const ref of await missingIn(dir, refs)) {
      errors.push(specError(doc, ref.path, `secret ${ref.name}/${ref.key} is not in --secrets-dir ${dir} (expected the file ${secretFile(dir, ref)})`));
    }
  }
  return errors;
}
