// The Secrets a spec references: every required `{name, key}` selector under a field
// that names a credential. `validate --secrets-dir` and serve's start-up warnings read
// the same list, and look for it in the same place (`<dir>/<name>/<key>`, as serve reads).
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { FieldPath, LoadedSpec } from "../api/index.js";

export interface SecretReference {
  path: FieldPath;
  name: string;
  key: string;
}

const SECRET_FIELD = /secret|token|password|auth|credential|uuid|key$/i;
const KINDS = new Set(["EventSource", "Sensor", "EventBus"]);

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function walk(value: unknown, path: FieldPath, out: SecretReference[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, i], out));
    return;
  }
  const rec = record(value);
  if (!rec) return;
  const keys = Object.keys(rec).filter((k) => k !== "optional");
  const field = [...path].reverse().find((p): p is string => typeof p === "string") ?? "";
  if (keys.length === 2 && typeof rec.name === "string" && typeof rec.key === "string" && SECRET_FIELD.test(field)) {
    if (rec.optional !== true) out.push({ path, name: rec.name, key: rec.key });
    return;
  }
  for (const [k, v] of Object.entries(rec)) walk(v, [...path, k], out);
}

/** Every required Secret selector of an EventSource, Sensor or EventBus, with its path. */
export function secretReferences(doc: LoadedSpec): SecretReference[] {
  const out: SecretReference[] = [];
  if (KINDS.has(doc.spec.kind)) walk((doc.spec as { spec?: unknown }).spec, ["spec"], out);
  return out;
}

/** The file serve reads a reference from. */
export function secretFile(dir: string, ref: { name: string; key: string }): string {
  return join(dir, ref.name, ref.key);
}

/** The references with no file in `dir`. */
export async function missingIn(dir: string, refs: readonly SecretReference[]): Promise<SecretReference[]> {
  const missing: SecretReference[] = [];
  for (const ref of refs) {
    try {
      await access(secretFile(dir, ref));
    } catch {
      missing.push(ref);
    }
  }
  return missing;
}
