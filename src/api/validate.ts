// Validation of loaded specs: structural (ajv over our CRDs / workflow schemas), then
// semantic and `not supported` checks, then checks across documents.
import { SpecError, SpecWarning } from "../errors.js";
import { crossIssues } from "./cross.js";
import { schemaCheck } from "./field-names.js";
import { loadSpecs, specError, specWarning, type LoadedSpec, type LoadResult } from "./load.js";
import type { Spec } from "./types.js";
import { semanticIssues } from "./semantic.js";

interface Located {
  index: number;
  error: SpecError;
}

/**
 * Errors and warnings of every document. A document with case-folded field names gets
 * its spec replaced by the folded one (what Argo would read; see field-names.ts).
 */
function validateEach(loaded: readonly LoadedSpec[]): { errors: Located[]; warnings: SpecError[] } {
  const out: Located[] = [];
  const warnings: SpecError[] = [];
  loaded.forEach((spec, index) => {
    const structural = schemaCheck(spec.spec.kind, spec.spec);
    for (const w of structural.warnings) warnings.push(specWarning(spec, w.path, w.message));
    if (structural.spec !== spec.spec) spec.spec = structural.spec as Spec;
    // Semantic checks rely on the types the schema guarantees, so they wait for it.
    const issues = structural.errors.length > 0 ? structural.errors : semanticIssues(spec.spec);
    for (const issue of issues) out.push({ index, error: specError(spec, issue.path, issue.message) });
  });
  const invalid = new Set(out.map((e) => e.index));
  const valid = loaded.map((_, i) => i).filter((i) => !invalid.has(i));
  for (const issue of crossIssues(valid.map((i) => loaded[i]))) {
    const index = valid[issue.index];
    out.push({ index, error: specError(loaded[index], issue.path, issue.message) });
  }
  return { errors: out, warnings };
}

/** All problems of the loaded documents, sorted by location (warnings left out). */
export function validateSpecs(loaded: readonly LoadedSpec[]): SpecError[] {
  return sortErrors(validateEach(loaded).errors.map((e) => e.error));
}

/** Errors and warnings of the loaded documents, each sorted by location. */
export function checkSpecs(loaded: readonly LoadedSpec[]): { errors: SpecError[]; warnings: SpecWarning[] } {
  const { errors, warnings } = validateEach(loaded);
  return { errors: sortErrors(errors.map((e) => e.error)), warnings: sortErrors(warnings) as SpecWarning[] };
}

const LOCATION = /^(.*):(\d+):(\d+)$/;

function sortKey(err: SpecError): [string, number, number] {
  const m = LOCATION.exec(err.location);
  return m ? [m[1], Number(m[2]), Number(m[3])] : [err.location, 0, 0];
}

/** Orders errors by file, then line, then column (stable otherwise). */
export function sortErrors(errors: readonly SpecError[]): SpecError[] {
  return [...errors].sort((a, b) => {
    const [fa, la, ca] = sortKey(a);
    const [fb, lb, cb] = sortKey(b);
    if (fa !== fb) return fa < fb ? -1 : 1;
    return la - lb || ca - cb;
  });
}

/** Keeps the documents without errors; returns them with every error of loading and validation. */
export function validateLoaded(result: LoadResult): LoadResult {
  const { errors: located, warnings } = validateEach(result.specs);
  const bad = new Set(located.map((e) => e.index));
  return {
    specs: result.specs.filter((_, i) => !bad.has(i)),
    errors: sortErrors([...result.errors, ...located.map((e) => e.error)]),
    warnings: sortErrors([...(result.warnings ?? []), ...warnings]) as SpecWarning[],
  };
}

/** Loads files/directories and validates them; invalid documents are left out of `specs`. */
export async function loadAndValidate(paths: readonly string[]): Promise<LoadResult> {
  return validateLoaded(await loadSpecs(paths));
}
