import { type KubeObject, type Spec, checkSpecs, type LoadedSpec } from "../../api/index.js";
import type { SpecError } from "../../errors.js";

/** Namespace "" for cluster-scoped kinds. */
export function objectKey(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

/** `Kind ns/name` (or `Kind name` when cluster-scoped), for messages and logs. */
export function objectLabel(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ""}${o.metadata.name ?? ""}`;
}

/**
 * The spec the validators see: only what a user writes. Server fields (uid,
 * resourceVersion, managedFields, status) are dropped, as the YAML would not have them.
 */
export function specOf(o: KubeObject): Spec {
  const { name, namespace, labels, annotations } = o.metadata;
  const metadata: KubeObject["metadata"] = { name };
  if (namespace) metadata.namespace = namespace;
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata, spec: o.spec ?? {} } as Spec;
}

/** What changing it means for the gateway: the fields specOf keeps. */
export function fingerprint(o: KubeObject): string {
  return JSON.stringify(specOf(o));
}

/** A LoadedSpec for an API object: its "file" is the resource itself, positions are 1:1. */
export function loadedFromObject(o: KubeObject): LoadedSpec {
  return { spec: specOf(o), file: objectLabel(o), line: 1, col: 1, locate: () => ({ line: 1, col: 1 }) };
}

/** The validation problems of one object, each `field: detail` (empty = valid). */
export function objectProblems(o: KubeObject): string[] {
  return checkObject(o).problems;
}

export interface CheckedObject {
  /** The spec as Argo reads it: case-folded field names renamed, ignored fields dropped. */
  spec: Spec;
  /** Errors, each `field: detail` (empty = valid). */
  problems: string[];
  /** Warnings (fields Argo ignores or folds), each `field: detail`. */
  warnings: string[];
}

const line = (e: SpecError): string => (e.fieldPath ? `${e.fieldPath}: ${e.detail}` : e.detail);

export function checkObject(o: KubeObject): CheckedObject {
  const loaded = loadedFromObject(o);
  const { errors, warnings } = checkSpecs([loaded]);
  return { spec: loaded.spec, problems: errors.map(line), warnings: warnings.map(line) };
}
