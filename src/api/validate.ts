// Validation of loaded specs: structural (ajv over our CRDs / workflow schemas), then
// semantic and `not supported` checks, then checks across documents.
import { SpecError } from "../errors.js";
import { crossIssues } from "./cross.js";
import { loadSpecs, specError, type LoadedSpec, type LoadResult } from "./load.js";
import { schemaIssues } from "./schema.js";
import { semanticIssues } from "./semantic.js";

interface Located {
  index: number;
  error: SpecError;
}

function validateEach(loaded: readonly LoadedSpec[]): Located[] {
  const out: Located[] = [];
  loaded.forEach((spec, index) => {
    const structural = schemaIssues(spec.spec.kind, spec.spec);
    // Semantic checks rely on the types the schema guarantees, so they wait for it.
    const issues = structural.length > 0 ? structural : semanticIssues(spec.spec);
    for (const issue of issues) out.push({ index, error: specError(spec, issue.path, issue.message) });
  });
  const invalid = new Set(out.map((e) => e.index));
  const valid = loaded.map((_, i) => i).filter((i) => !invalid.has(i));
  for (const issue of crossIssues(valid.map((i) => loaded[i]))) {
    const index = valid[issue.index];
    out.push({ index, error: specError(loaded[index], issue.path, issue.message) });
  }
  return out;
}

/** All problems of the loaded documents, sorted by location. */
export function validateSpecs(loaded: readonly LoadedSpec[]): SpecError[] {
  return sortErrors(validateEach(loaded).map((e) => e.error));
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
  const located = validateEach(result.specs);
  const bad = new Set(located.map((e) => e.index));
  return {
    specs: result.specs.filter((_, i) => !bad.has(i)),
    errors: sortErrors([...result.errors, ...located.map((e) => e.error)]),
  };
}

/** Loads files/directories and validates them; invalid documents are left out of `specs`. */
export async function loadAndValidate(paths: readonly string[]): Promise<LoadResult> {
  return validateLoaded(await loadSpecs(paths));
}
