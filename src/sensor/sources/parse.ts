import { isObject, type KubeObject } from "../../api/index.js";
import { parseAllDocuments } from "yaml";

/** A Kubernetes object: apiVersion and kind strings, metadata an object (copied, so callers may change it). */
export function checkResource(obj: unknown): KubeObject {
  if (!isObject(obj)) throw new Error("the resource must be an object");
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") throw new Error("the resource needs apiVersion and kind");
  if (obj.metadata !== undefined && obj.metadata !== null && !isObject(obj.metadata)) throw new Error("metadata must be an object");
  return { ...structuredClone(obj), metadata: { ...((obj.metadata as Record<string, unknown> | undefined) ?? {}) } } as KubeObject;
}

/** One YAML (or JSON, a subset) document holding one Kubernetes object. */
export function parseResource(text: string): KubeObject {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 1) throw new Error("must hold exactly one YAML document");
  const doc = docs[0];
  const bad = doc.errors[0];
  // The position and code only: the parser's message quotes the line, and a source may
  // hold what must not reach a log or a status (a file source can name any file).
  if (bad) throw new Error(`invalid YAML${bad.linePos ? ` at line ${bad.linePos[0].line}, column ${bad.linePos[0].col}` : ""} (${bad.code})`);
  return checkResource(doc.toJS() as unknown);
}
