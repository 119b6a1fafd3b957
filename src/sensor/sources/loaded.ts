// `resource`, `inline` and `file`: read once, at load (a file relative to the working
// directory; a changed file takes a reload), so a firing is planned without I/O.
import { readFileSync } from "node:fs";
import { type KubeObject, isObject } from "../../api/index.js";
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

export function compileFileSource(value: unknown, where: Where, at: string): TriggerSource | undefined {
  if (!isObject(value)) return undefined;
  const path = value.path;
  if (typeof path !== "string" || path === "") throw where.spec(`${at}.path`, "is required");
  const obj = atLoad(where, at, () => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    return parseResource(text);
  });
  return known("file", obj, { file: path });
}
