import { TRIGGER_SOURCE_KINDS, isObject, type ArtifactLocation, type KubeObject } from "../../api/index.js";
import { Where } from "../where.js";
import { fileSourceProblem } from "./file.js";
import { TRIGGER_SOURCES } from "./registry.js";
import type { TriggerSource } from "./types.js";

export type { SourceContext, TriggerSource } from "./types.js";
export { URL_SOURCE_TTL_MS } from "./url.js";
export { SourceFileNotFoundError, type FileSourcePolicy } from "./file.js";

const KINDS = TRIGGER_SOURCE_KINDS.join(", ");

/**
 * The source of a trigger's resource: the first kind, in TRIGGER_SOURCE_KINDS order,
 * that is set. `git` and `s3` are not supported.
 */
export function compileSource(
  source: ArtifactLocation | undefined,
  where: Where,
  at: string,
  now: () => number = Date.now,
): TriggerSource {
  if (!isObject(source)) throw where.spec(at, `a source (${KINDS}) is required`);
  for (const kind of TRIGGER_SOURCE_KINDS) {
    const compiled = TRIGGER_SOURCES[kind](source[kind], where, `${at}.${kind}`, now);
    if (compiled) return compiled;
  }
  const kind = Object.keys(source).find((k) => source[k] !== undefined && source[k] !== null);
  if (kind === undefined) throw where.spec(at, `a source (${KINDS}) is required`);
  throw where.notSupported(`${at}.${kind}`, `trigger source "${kind}" is not supported (use ${KINDS})`);
}

/**
 * For `validate`: when `source` compiles to a `file` source, what a firing would meet
 * in the file as it is now (absent, unreadable, not one object); else undefined.
 * Errors in the source itself are left to the compiler's report.
 */
export function fileSourceWarning(source: unknown): string | undefined {
  let kind: string;
  try {
    kind = compileSource(source as ArtifactLocation, new Where("", ""), "source").kind;
  } catch {
    return undefined;
  }
  return kind === "file" ? fileSourceProblem((source as { file: { path: string } }).file.path) : undefined;
}

/** For `validate`: the resource a static source (resource, inline) holds, when it compiles; else undefined. */
export function staticResource(source: unknown): KubeObject | undefined {
  try {
    return compileSource(source as ArtifactLocation, new Where("", ""), "source").loaded;
  } catch {
    return undefined;
  }
}
