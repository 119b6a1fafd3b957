// Loading `--config` files for a reload, and merging the result with the last
// valid specs: a document that became invalid keeps its previous version.
import { CLUSTER_SCOPED_KINDS, listSpecFiles, loadSpecsFromText, readFilesInOrder, resourceName, validateLoaded, withoutSyntaxTree, type LoadedSpec, type Spec } from "../api/index.js";
import { sep } from "node:path";
import { errorMessage, SpecError, type SpecWarning } from "../errors.js";

/** One read of every `--config` path, validated as `validate` does. */
export interface ConfigLoad {
  /** Every document that parsed, in the order read (file, then position). */
  parsed: LoadedSpec[];
  /** Valid documents, in file order. */
  valid: LoadedSpec[];
  /** Documents that parsed but failed validation. */
  invalid: LoadedSpec[];
  /** Every error, sorted by location (FILE:LINE:COL first). */
  errors: SpecError[];
  /** Fields Argo ignores or reads case-insensitively: the documents load, the user is told. */
  warnings: SpecWarning[];
  /**
   * Files and paths whose documents are unknown this time (unreadable, or a YAML
   * syntax error): what they held before is kept rather than taken as deleted.
   */
  unknown: string[];
}

/** Identity of a spec across reloads: kind, namespace (default "default") and name. */
export function specKey(spec: Spec): string {
  const ns = CLUSTER_SCOPED_KINDS.has(spec.kind) ? "" : spec.metadata.namespace || "default";
  return `${spec.kind}/${ns}/${spec.metadata.name ?? ""}`;
}

/** Reads and validates every path (files, directories recursively). */
export async function loadConfig(paths: readonly string[]): Promise<ConfigLoad> {
  const parsed: LoadedSpec[] = [];
  const loadErrors: SpecError[] = [];
  const loadWarnings: SpecWarning[] = [];
  const unknown: string[] = [];
  for (const path of paths) {
    let files: string[];
    try {
      files = await listSpecFiles(path);
    } catch (err) {
      loadErrors.push(new SpecError(path, "", "", errorMessage(err)));
      unknown.push(path);
      continue;
    }
    for await (const { file, text, err } of readFilesInOrder(files)) {
      if (text === undefined) {
        // Deleted between listing and reading: gone, like a file not listed.
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
        loadErrors.push(new SpecError(file, "", "", errorMessage(err)));
        unknown.push(file);
        continue;
      }
      const one = loadSpecsFromText(text, file);
      parsed.push(...one.specs);
      loadErrors.push(...one.errors);
      loadWarnings.push(...(one.warnings ?? []));
      if (one.errors.length > 0) unknown.push(file);
    }
  }
  const checked = validateLoaded({ specs: parsed, errors: loadErrors, warnings: loadWarnings });
  const valid = new Set(checked.specs);
  // Validation was the last use of the positions: the YAML syntax trees (most of the
  // memory of thousands of kept specs) are dropped here, the documents stay the same.
  const light = new Map(parsed.map((s) => [s, withoutSyntaxTree(s)]));
  const of = (s: LoadedSpec): LoadedSpec => light.get(s) ?? s;
  return {
    parsed: parsed.map(of),
    valid: checked.specs.map(of),
    invalid: parsed.filter((s) => !valid.has(s)).map(of),
    errors: checked.errors,
    warnings: checked.warnings ?? [],
    unknown,
  };
}

/** The errors reported on one invalid document. */
export function errorsOf(doc: LoadedSpec, errors: readonly SpecError[]): SpecError[] {
  const resource = resourceName(doc.spec);
  return errors.filter((e) => e.location.startsWith(`${doc.file}:`) && e.resource === resource);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * errorsOf for every document, and the reverse (the first document an error is
 * reported on), both grouped by resource first: thousands of invalid documents
 * cost a pass each, not one pass per pair.
 */
export function errorIndex(docs: readonly LoadedSpec[], errors: readonly SpecError[]): {
  errorsOf(doc: LoadedSpec): SpecError[];
  docOf(error: SpecError): LoadedSpec | undefined;
} {
  const errorsByResource = groupBy(errors, (e) => e.resource);
  const docsByResource = groupBy(docs, (d) => resourceName(d.spec));
  return {
    errorsOf: (doc) => errorsOf(doc, errorsByResource.get(resourceName(doc.spec)) ?? []),
    docOf: (error) => docsByResource.get(error.resource)?.find((d) => errorsOf(d, [error]).length > 0),
  };
}

function under(file: string, path: string): boolean {
  return file === path || file.startsWith(path.endsWith(sep) ? path : path + sep);
}

export interface MergeResult {
  /** The specs to run, by specKey, in file order (kept ones where they were). */
  specs: Map<string, LoadedSpec>;
  /** Invalid documents whose previous version keeps running. */
  kept: LoadedSpec[];
}

/**
 * For every (kind, namespace, name): the new document when it is valid, else the
 * last valid one (an invalid new document is only reported). A spec that is no
 * longer in any file is dropped, unless its file could not be read this time.
 */
export function mergeSpecs(previous: ReadonlyMap<string, LoadedSpec>, load: ConfigLoad): MergeResult {
  const specs = new Map<string, LoadedSpec>();
  const valid = new Set(load.valid);
  const kept: LoadedSpec[] = [];
  const validKeys = new Set(load.valid.map((d) => specKey(d.spec)));
  for (const doc of load.parsed) {
    const key = specKey(doc.spec);
    if (specs.has(key)) continue;
    if (valid.has(doc)) {
      specs.set(key, doc);
      continue;
    }
    const before = previous.get(key);
    if (before && !validKeys.has(key)) {
      specs.set(key, before);
      kept.push(doc);
    }
  }
  for (const [key, before] of previous) {
    if (!specs.has(key) && load.unknown.some((p) => under(before.file, p))) specs.set(key, before);
  }
  return { specs, kept };
}
