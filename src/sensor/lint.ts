// What Argo Events loads and then fails on at every event or firing: an invalid regex,
// a filter value that does not parse, a template Go cannot parse, a trigger's source
// file not there yet (Argo reads it when the trigger fires). The gateway loads
// them too (as Argo does); `validate` says so, so that nobody finds out from traffic.
import { isObject, type FieldPath, type DataFilter, type Sensor, type Trigger, type TriggerParameter } from "../api/index.js";
import { errorMessage } from "../errors.js";
import { compileGoTemplate, compileGovaluate, compileRegex } from "../expr/index.js";
import { goParseFloat, parseGoBool } from "./filters/gjson-values.js";
import { resourceWarnings } from "./lint-resource.js";
import { fileSourceWarning } from "./sources/index.js";

export interface LintWarning {
  path: FieldPath;
  message: string;
}

function template(source: string | undefined, path: FieldPath, then: string, out: LintWarning[]): void {
  if (!source) return;
  try {
    compileGoTemplate(source);
  } catch (err) {
    const message = errorMessage(err);
    // Refused functions are load errors already, reported by the compiler.
    if (/refused|not supported|function "(env|expandenv|getHostByName)" not defined/.test(message)) return;
    out.push({ path, message: `this template does not parse (${message}): ${then}` });
  }
}

function dataFilter(f: DataFilter, path: FieldPath, out: LintWarning[]): void {
  const values = f.value ?? [];
  values.forEach((v, i) => {
    const at = [...path, "value", i];
    if (f.type === "string") {
      try {
        compileRegex(v);
      } catch (err) {
        out.push({ path: at, message: `${errorMessage(err)}: every event this filter meets before a value matches fails it (Argo Events compiles it per event too)` });
      }
    } else if (f.type === "number") {
      const n = goParseFloat(v);
      if (typeof n !== "number") out.push({ path: at, message: `${JSON.stringify(v)} is not a number: an event that no earlier value matches fails this filter` });
    } else if (f.type === "bool" && parseGoBool(v) === undefined) {
      out.push({ path: at, message: `${JSON.stringify(v)} is not a bool: an event that no earlier value matches fails this filter` });
    }
  });
  if (f.type === "string" && f.comparator && !["=", "!="].includes(f.comparator)) {
    out.push({ path: [...path, "comparator"], message: `a string filter with comparator ${JSON.stringify(f.comparator)} never matches (Argo Events compares strings with = and != only)` });
  }
  if (!["string", "number", "bool"].includes(f.type)) {
    out.push({ path: [...path, "type"], message: `type ${JSON.stringify(f.type)} is not string, number or bool: every event fails this filter` });
  }
  template(f.template, [...path, "template"], "every event fails this filter", out);
}

function parameters(params: TriggerParameter[] | undefined, path: FieldPath, out: LintWarning[]): void {
  params?.forEach((p, i) => {
    const then = "the parameter falls back to its key, then its value";
    template(p.src?.dataTemplate, [...path, i, "src", "dataTemplate"], then, out);
    template(p.src?.contextTemplate, [...path, i, "src", "contextTemplate"], then, out);
  });
}

/** A `file` source is read at firing (as Argo reads it): absent or unparsable now is a warning, not an error. */
function fileSources(t: Trigger, at: FieldPath, out: LintWarning[]): void {
  for (const [type, section] of Object.entries((t.template ?? {}) as Record<string, unknown>)) {
    if (!isObject(section) || !isObject(section.source)) continue;
    const message = fileSourceWarning(section.source);
    if (message) out.push({ path: [...at, "template", type, "source", "file", "path"], message });
  }
  if (t.dlqTrigger) fileSources(t.dlqTrigger, [...at, "dlqTrigger"], out);
}

export function sensorWarnings(sensor: Sensor): LintWarning[] {
  const out: LintWarning[] = [];
  sensor.spec.dependencies.forEach((d, i) => {
    const at: FieldPath = ["spec", "dependencies", i, "filters"];
    d.filters?.data?.forEach((f, j) => dataFilter(f, [...at, "data", j], out));
    d.filters?.exprs?.forEach((e, j) => {
      try {
        compileGovaluate(e.expr);
      } catch (err) {
        out.push({ path: [...at, "exprs", j, "expr"], message: `${errorMessage(err)}: every event fails this filter` });
      }
    });
  });
  sensor.spec.triggers.forEach((t, i) => {
    const at: FieldPath = ["spec", "triggers", i];
    parameters(t.parameters, [...at, "parameters"], out);
    fileSources(t, at, out);
    resourceWarnings(t, at, out);
    const tpl = t.template as Record<string, { parameters?: TriggerParameter[]; payload?: TriggerParameter[] } | undefined> | undefined;
    for (const [type, section] of Object.entries(tpl ?? {})) {
      if (section === null || typeof section !== "object") continue;
      parameters(section.parameters, [...at, "template", type, "parameters"], out);
      parameters(section.payload, [...at, "template", type, "payload"], out);
    }
  });
  return out;
}
