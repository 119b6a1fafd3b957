// Semantic checks of a Sensor that a JSON Schema cannot express. Runs only on documents
// that already passed the structural schema, so field types are as the CRD says.
import { errorMessage } from "../errors.js";
import { compileConditions } from "../expr/index.js";
import {
  ARGO_TRIGGER_SOURCES,
  ARGO_WORKFLOW_OPERATIONS,
  K8S_OPERATIONS,
  TRIGGER_TEMPLATE_META_KEYS,
} from "./extension-points.js";
import { subjectTokenProblem } from "./bus-names.js";
import { isSet, type FieldPath } from "./fieldpath.js";
import type { EventDependency, RateLimit, Sensor, Trigger, TriggerParameter } from "./types.js";

export interface Issue {
  path: FieldPath;
  message: string;
}

/** The data filter types filterData compares; others load and error per event. */
export const DATA_FILTER_TYPES = ["string", "number", "bool"] as const;
export const COMPARATORS = ["=", "!=", "<", "<=", ">", ">=", ""] as const;
export const LOGICAL_OPERATORS = ["and", "or", ""] as const;
export const PARAMETER_OPERATIONS = ["overwrite", "append", "prepend", ""] as const;
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", ""] as const;
export const RATE_LIMIT_UNITS = ["Second", "Minute", "Hour", ""] as const;

const TEMPLATE_META_KEYS: ReadonlySet<string> = new Set(TRIGGER_TEMPLATE_META_KEYS);
// Go parses the hour of "15:04:05" with one or two digits.
const TIME_OF_DAY = /^([01]?\d|2[0-3]):[0-5]\d:[0-5]\d$/;

function oneOf(list: readonly string[]): string {
  return list.filter((v) => v !== "").map((v) => JSON.stringify(v)).join(", ");
}

function checkEnum(issues: Issue[], path: FieldPath, value: unknown, allowed: readonly string[], what: string): void {
  if (typeof value === "string" && !allowed.includes(value)) {
    issues.push({ path, message: `invalid ${what} ${JSON.stringify(value)}; must be one of ${oneOf(allowed)}` });
  }
}

function checkDependency(dep: EventDependency, at: FieldPath, issues: Issue[]): void {
  const f = dep.filters;
  checkEnum(issues, [...at, "filtersLogicalOperator"], dep.filtersLogicalOperator, LOGICAL_OPERATORS, "logical operator");
  if (!f) return;
  const fp = [...at, "filters"];
  checkEnum(issues, [...fp, "dataLogicalOperator"], f.dataLogicalOperator, LOGICAL_OPERATORS, "logical operator");
  checkEnum(issues, [...fp, "exprLogicalOperator"], f.exprLogicalOperator, LOGICAL_OPERATORS, "logical operator");
  if (f.time) {
    for (const key of ["start", "stop"] as const) {
      if (!TIME_OF_DAY.test(f.time[key])) {
        issues.push({ path: [...fp, "time", key], message: `must be a time of day HH:MM:SS, got ${JSON.stringify(f.time[key])}` });
      }
    }
  }
  // As Argo's validateEventDataFilter (pkg/reconciler/sensor/validate.go): a known
  // comparator, a type, a path and values, none of them empty. A type other than
  // string, number or bool loads there: filterData errors on it per event.
  f.data?.forEach((d, i) => {
    const p = [...fp, "data", i];
    if (d.path.trim() === "") issues.push({ path: [...p, "path"], message: "must not be empty" });
    if (d.type === "") issues.push({ path: [...p, "type"], message: "must not be empty" });
    if (!d.value || d.value.length === 0) issues.push({ path: [...p, "value"], message: "must list at least one value" });
    d.value?.forEach((v, j) => {
      if (v === "") issues.push({ path: [...p, "value", j], message: "must not be empty" });
    });
    checkEnum(issues, [...p, "comparator"], d.comparator, COMPARATORS, "comparator");
  });
  f.exprs?.forEach((e, i) => {
    const p = [...fp, "exprs", i];
    if (e.expr.trim() === "") issues.push({ path: [...p, "expr"], message: "must not be empty" });
    if (e.fields.length === 0) issues.push({ path: [...p, "fields"], message: "must list at least one field" });
    e.fields.forEach((field, j) => {
      if (field.name === "") issues.push({ path: [...p, "fields", j, "name"], message: "must not be empty" });
      if (field.path === "") issues.push({ path: [...p, "fields", j, "path"], message: "must not be empty" });
    });
  });
}

function checkParameters(
  params: TriggerParameter[] | undefined,
  at: FieldPath,
  deps: ReadonlySet<string>,
  issues: Issue[],
  emptyDest = false,
): void {
  params?.forEach((param, i) => {
    const p = [...at, i];
    if (!param.src) {
      issues.push({ path: [...p, "src"], message: "required field is missing" });
    } else if (param.src.dependencyName === "") {
      issues.push({ path: [...p, "src", "dependencyName"], message: "must not be empty" });
    } else if (!deps.has(param.src.dependencyName)) {
      issues.push({ path: [...p, "src", "dependencyName"], message: `no dependency named ${JSON.stringify(param.src.dependencyName)}` });
    }
    // An http payload parameter without dest is the whole body.
    if (!emptyDest && (param.dest === undefined || param.dest.trim() === "")) {
      issues.push({ path: [...p, "dest"], message: "must not be empty" });
    }
    checkEnum(issues, [...p, "operation"], param.operation, PARAMETER_OPERATIONS, "parameter operation");
  });
}

function checkSource(source: Record<string, unknown> | undefined, at: FieldPath, issues: Issue[]): void {
  const present = ARGO_TRIGGER_SOURCES.filter((k) => isSet(source?.[k]));
  if (present.length === 0) {
    issues.push({ path: [...at, "source"], message: `must set one of ${oneOf(ARGO_TRIGGER_SOURCES)}` });
  } else if (present.length > 1) {
    issues.push({ path: [...at, "source"], message: `sets more than one of ${present.map((k) => JSON.stringify(k)).join(", ")}` });
  }
}

/**
 * Template fields that trigger-level `parameters` overwrite before every firing (the
 * `dest` paths, relative to the template): their written value is a placeholder, so
 * they are checked after the rewrite, when the firing compiles the changed template.
 */
function rewritten(trigger: Trigger, at: FieldPath): (issue: Issue) => boolean {
  const dests = (trigger.parameters ?? []).map((p) => p.dest).filter((d): d is string => typeof d === "string" && d !== "");
  if (dests.length === 0) return () => false;
  const base = at.length + 1; // past "template"
  return (issue) => {
    if (issue.path[base - 1] !== "template") return false;
    const rel = issue.path.slice(base).join(".");
    return dests.some((d) => rel === d || rel.startsWith(`${d}.`));
  };
}

function checkTrigger(trigger: Trigger, at: FieldPath, deps: ReadonlySet<string>, all: Issue[]): void {
  const issues: Issue[] = [];
  checkTriggerFields(trigger, at, deps, issues);
  const placeholder = rewritten(trigger, at);
  all.push(...issues.filter((i) => !placeholder(i)));
}

function checkTriggerFields(trigger: Trigger, at: FieldPath, deps: ReadonlySet<string>, issues: Issue[]): void {
  const t = trigger.template;
  if (!t) {
    issues.push({ path: [...at, "template"], message: "required field is missing" });
    return;
  }
  const tp = [...at, "template"];
  const types = Object.keys(t).filter((k) => !TEMPLATE_META_KEYS.has(k) && t[k] !== undefined && t[k] !== null);
  if (types.length === 0) issues.push({ path: tp, message: "must set a trigger type (argoWorkflow, k8s, log, ...)" });
  if (types.length > 1) issues.push({ path: tp, message: `sets more than one trigger type: ${types.join(", ")}` });
  if (t.conditions !== undefined && t.conditions.trim() !== "") {
    try {
      const missing = compileConditions(t.conditions).variables.filter((n) => !deps.has(n));
      if (missing.length > 0) {
        const names = missing.map((n) => JSON.stringify(n)).join(", ");
        issues.push({ path: [...tp, "conditions"], message: `no dependency named ${names}` });
      }
    } catch (err) {
      issues.push({ path: [...tp, "conditions"], message: `syntax error: ${errorMessage(err)}` });
    }
  }
  t.conditionsReset?.forEach((r, i) => {
    if (r.byTime && (r.byTime.cron ?? "").trim() === "") {
      issues.push({ path: [...tp, "conditionsReset", i, "byTime", "cron"], message: "must not be empty" });
    }
  });
  if (t.argoWorkflow) {
    const ap = [...tp, "argoWorkflow"];
    checkEnum(issues, [...ap, "operation"], t.argoWorkflow.operation, [...ARGO_WORKFLOW_OPERATIONS, ""], "argoWorkflow operation");
    checkSource(t.argoWorkflow.source as Record<string, unknown> | undefined, ap, issues);
    checkParameters(t.argoWorkflow.parameters, [...ap, "parameters"], deps, issues);
  }
  if (t.k8s) {
    const kp = [...tp, "k8s"];
    checkEnum(issues, [...kp, "operation"], t.k8s.operation, [...K8S_OPERATIONS, ""], "k8s operation");
    checkSource(t.k8s.source as Record<string, unknown> | undefined, kp, issues);
    checkParameters(t.k8s.parameters, [...kp, "parameters"], deps, issues);
  }
  const http = t.http as
    | { url?: string; method?: string; parameters?: TriggerParameter[]; payload?: TriggerParameter[]; dynamicHeaders?: TriggerParameter[] }
    | undefined;
  if (http) {
    const hp = [...tp, "http"];
    if (typeof http.url === "string" && http.url !== "" && !/^https?:\/\//.test(http.url) && !http.parameters?.length) {
      issues.push({ path: [...hp, "url"], message: `must be an http(s) URL, got ${JSON.stringify(http.url)}` });
    }
    checkEnum(issues, [...hp, "method"], http.method?.toUpperCase(), HTTP_METHODS, "http method");
    checkParameters(http.parameters, [...hp, "parameters"], deps, issues);
    checkParameters(http.payload, [...hp, "payload"], deps, issues, true);
    checkParameters(http.dynamicHeaders, [...hp, "dynamicHeaders"], deps, issues);
  }
  checkParameters(trigger.parameters, [...at, "parameters"], deps, issues);
  const rateLimit = trigger.rateLimit as RateLimit | undefined;
  checkEnum(issues, [...at, "rateLimit", "unit"], rateLimit?.unit, RATE_LIMIT_UNITS, "rate limit unit");
  if (trigger.dlqTrigger) checkTrigger(trigger.dlqTrigger, [...at, "dlqTrigger"], deps, issues);
}

function checkUnique(names: (string | undefined)[], at: (i: number) => FieldPath, what: string, issues: Issue[]): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined) return; // reported where the missing parent is
    if (name === "") {
      issues.push({ path: at(i), message: "must not be empty" });
      return;
    }
    const prev = first.get(name);
    if (prev === undefined) first.set(name, i);
    else issues.push({ path: at(i), message: `duplicate ${what} ${JSON.stringify(name)} (first at index ${prev})` });
  });
}

export function checkSensor(sensor: Sensor): Issue[] {
  const issues: Issue[] = [];
  const { dependencies, triggers } = sensor.spec;
  if (dependencies.length === 0) issues.push({ path: ["spec", "dependencies"], message: "must list at least one dependency" });
  if (triggers.length === 0) issues.push({ path: ["spec", "triggers"], message: "must list at least one trigger" });
  checkUnique(dependencies.map((d) => d.name), (i) => ["spec", "dependencies", i, "name"], "dependency name", issues);
  checkUnique(triggers.map((t) => t.template?.name), (i) => ["spec", "triggers", i, "template", "name"], "trigger name", issues);
  dependencies.forEach((dep, i) => {
    const at = ["spec", "dependencies", i];
    if (dep.eventSourceName === "") issues.push({ path: [...at, "eventSourceName"], message: "must not be empty" });
    if (dep.eventName === "") issues.push({ path: [...at, "eventName"], message: "must not be empty" });
    for (const key of ["eventSourceName", "eventName"] as const) {
      const bad = typeof dep[key] === "string" ? subjectTokenProblem(dep[key]) : undefined;
      if (bad) issues.push({ path: [...at, key], message: bad });
    }
    checkDependency(dep, at, issues);
  });
  const deps = new Set(dependencies.map((d) => d.name));
  triggers.forEach((trigger, i) => checkTrigger(trigger, ["spec", "triggers", i], deps, issues));
  // The account the Sensor's triggers act as: a name with ':' or capitals would impersonate someone else.
  const sa = (sensor.spec.template as { serviceAccountName?: unknown } | undefined)?.serviceAccountName;
  if (typeof sa === "string" && sa !== "" && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(sa)) {
    issues.push({ path: ["spec", "template", "serviceAccountName"], message: `${JSON.stringify(sa)} is not a service account name (lower-case letters, digits, '-', '.')` });
  }
  return issues;
}
