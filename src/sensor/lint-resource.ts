// What a trigger's static resource or a parameter's `dest` makes fail at every firing,
// found at load: a name or namespace the API server refuses, a create with no name at
// all, a `dest` sjson cannot set. Argo Events loads these and fails each firing too.
import { isObject, type FieldPath, type Trigger, type TriggerParameter } from "../api/index.js";
import type { LintWarning } from "./lint.js";
import { staticResource } from "./sources/index.js";

// The API server's rules: a name is a DNS-1123 subdomain, a namespace a DNS-1123 label.
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const GENERATE_NAME = /^[a-z0-9][-a-z0-9.]*$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const EVERY_FIRING = "every firing fails (the API server refuses it)";

/** Does any parameter (the section's or the trigger's) write into the resource's metadata? */
function writesMetadata(params: readonly TriggerParameter[]): boolean {
  return params.some((p) => {
    const dest = p.dest ?? "";
    return dest === "" || dest.startsWith("metadata") || /\.source(\.|$)/.test(dest);
  });
}

function creates(type: string, section: Record<string, unknown>): boolean {
  if (type === "argoWorkflow") return (section.operation ?? "submit") === "submit";
  if (type === "k8s") return (section.operation ?? "create") === "create";
  return false;
}

function metadataWarnings(t: Trigger, at: FieldPath, out: LintWarning[]): void {
  for (const [type, raw] of Object.entries((t.template ?? {}) as Record<string, unknown>)) {
    if (!isObject(raw) || !isObject(raw.source) || !creates(type, raw)) continue;
    const params = [...((raw.parameters as TriggerParameter[] | undefined) ?? []), ...(t.parameters ?? [])];
    const resource = staticResource(raw.source);
    if (!resource || writesMetadata(params)) continue;
    const path: FieldPath = [...at, "template", type, "source"];
    const { name, generateName, namespace } = resource.metadata ?? {};
    if (!name && !generateName) out.push({ path, message: `the resource has neither metadata.name nor metadata.generateName, and no parameter sets one: ${EVERY_FIRING}` });
    if (typeof name === "string" && name !== "" && (name.length > 253 || !NAME.test(name))) {
      out.push({ path, message: `metadata.name ${JSON.stringify(name)} is not a lowercase RFC 1123 subdomain: ${EVERY_FIRING}` });
    } else if (!name && typeof generateName === "string" && generateName !== "" && !GENERATE_NAME.test(generateName)) {
      out.push({ path, message: `metadata.generateName ${JSON.stringify(generateName)} makes names that are not lowercase RFC 1123 subdomains: ${EVERY_FIRING}` });
    }
    if (typeof namespace === "string" && namespace !== "" && (namespace.length > 63 || !NAMESPACE.test(namespace))) {
      out.push({ path, message: `metadata.namespace ${JSON.stringify(namespace)} is not a lowercase RFC 1123 label: ${EVERY_FIRING}` });
    }
  }
}

/** sjson sets plain paths only: a wildcard or a `#` (other than reading) cannot be written. */
function destWarnings(params: readonly TriggerParameter[] | undefined, path: FieldPath, out: LintWarning[]): void {
  params?.forEach((p, i) => {
    if (typeof p.dest === "string" && /(^|[^\\])[*?#]/.test(p.dest)) {
      out.push({ path: [...path, i, "dest"], message: `${JSON.stringify(p.dest)}: sjson cannot set a path with '*', '?' or '#' (use an index, or -1 to append): every firing fails` });
    }
  });
}

/** The resource and dest checks of one trigger (and its dlqTrigger). */
export function resourceWarnings(t: Trigger, at: FieldPath, out: LintWarning[]): void {
  metadataWarnings(t, at, out);
  destWarnings(t.parameters, [...at, "parameters"], out);
  for (const [type, raw] of Object.entries((t.template ?? {}) as Record<string, unknown>)) {
    if (isObject(raw)) destWarnings(raw.parameters as TriggerParameter[] | undefined, [...at, "template", type, "parameters"], out);
  }
  if (t.dlqTrigger) resourceWarnings(t.dlqTrigger, [...at, "dlqTrigger"], out);
}
