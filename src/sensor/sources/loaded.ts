// `resource` and `inline`: known at load, so a firing is planned without I/O.
// (`file` is read when the trigger fires: see file.ts.)
import type { KubeObject } from "../../api/index.js";
import type { Where } from "../where.js";
import { checkResource, parseResource } from "./parse.js";
import type { TriggerSource } from "./types.js";

function known(kind: TriggerSource["kind"], obj: KubeObject, describe: Record<string, unknown>): TriggerSource {
  return { kind, loaded: obj, describe: () => describe, load: async () => structuredClone(obj) };
}

function atLoad<T>(where: Where, at: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw where.spec(at, err instanceof Error ? err.message : String(err));
  }
}

export function compileResourceSource(value: unknown, where: Where, at: string): TriggerSource | undefined {
  if (value === undefined || value === null) return undefined;
  return known("resource", atLoad(where, at, () => checkResource(value)), { resource: true });
}

export function compileInlineSource(value: unknown, where: Where, at: string): TriggerSource | undefined {
  if (typeof value !== "string") return undefined;
  return known("inline", atLoad(where, at, () => parseResource(value)), { inline: true });
}
