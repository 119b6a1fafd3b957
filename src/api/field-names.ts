// Fields the schema does not know, read as Argo reads them. Argo decodes specs with Go's
// encoding/json: a key matching no field exactly matches one case-insensitively
// (`verifycert` is `verifyCert`), and a key matching none is ignored. So such a spec
// loads here too, with a warning that says what Argo does with the field.
import { formatFieldPath, type FieldPath } from "./fieldpath.js";
import { closest, schemaIssues, type SchemaIssue } from "./schema.js";

export interface SchemaCheck {
  /** The spec with case-folded keys renamed (the input itself when nothing was renamed). */
  spec: unknown;
  errors: SchemaIssue[];
  warnings: SchemaIssue[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function at(root: unknown, path: FieldPath): unknown {
  let cur = root;
  for (const seg of path) cur = isRecord(cur) || Array.isArray(cur) ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** The known field Go's decoder would put `field` in, if any. */
function foldTarget(field: string, known: readonly string[]): string | undefined {
  const lower = field.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower);
}

/**
 * Renames one folded key in `parent`, in place. Go assigns keys in document order,
 * so with both spellings present the later one wins.
 */
function fold(parent: Record<string, unknown>, field: string, target: string): string {
  const keys = Object.keys(parent);
  const hadTarget = Object.prototype.hasOwnProperty.call(parent, target);
  const laterWins = !hadTarget || keys.indexOf(field) > keys.indexOf(target);
  const value = parent[field];
  delete parent[field];
  if (laterWins) parent[target] = value;
  if (!hadTarget) return `read as "${target}", as Argo does (Go matches field names case-insensitively); write it "${target}"`;
  return `"${target}" given twice in different cases: Argo uses the later one ("${laterWins ? field : target}"); remove the other`;
}

/**
 * Where an unknown field would be known: its parent's parent or the one above (Argo's
 * own examples put a trigger's `atLeastOnce` and `policy` under its template). Probed by
 * the schema itself, so the hint never names a place that would not take the field.
 */
function belongsAt(kind: string, spec: unknown, path: FieldPath, field: string): FieldPath | undefined {
  for (let up = 2; up <= 3 && path.length - up >= 0; up++) {
    const ancestor = path.slice(0, path.length - up);
    const probe = structuredClone(spec);
    const target = at(probe, ancestor);
    if (!isRecord(target) || Object.prototype.hasOwnProperty.call(target, field)) continue;
    target[field] = at(spec, path);
    const key = JSON.stringify([...ancestor, field]);
    if (!schemaIssues(kind, probe).some((i) => i.unknown && JSON.stringify(i.path) === key)) return [...ancestor, field];
  }
  return undefined;
}

/**
 * The schema check of one document, as Argo would load it: unknown fields are
 * warnings (folded into their field when only the case differs, ignored otherwise),
 * everything else the schema finds is an error.
 */
export function schemaCheck(kind: string, spec: unknown): SchemaCheck {
  const first = schemaIssues(kind, spec);
  const foldable = first.filter((i) => i.unknown && foldTarget(i.unknown.field, i.unknown.known) !== undefined);
  const warnings: SchemaIssue[] = [];
  let checked = spec;
  let issues = first;
  if (foldable.length > 0) {
    checked = structuredClone(spec);
    for (const issue of foldable) {
      const { field, known } = issue.unknown as { field: string; known: readonly string[] };
      const parent = at(checked, issue.path.slice(0, -1));
      if (!isRecord(parent) || !Object.prototype.hasOwnProperty.call(parent, field)) continue;
      warnings.push({ path: issue.path, message: fold(parent, field, foldTarget(field, known) as string) });
    }
    // The renamed fields are checked like any other (a folded `verifycert: "yes"` is still a type error).
    issues = schemaIssues(kind, checked);
  }
  const errors: SchemaIssue[] = [];
  for (const issue of issues) {
    if (!issue.unknown) {
      errors.push(issue);
      continue;
    }
    const guess = closest(issue.unknown.field, issue.unknown.known);
    const elsewhere = guess ? undefined : belongsAt(kind, spec, issue.path, issue.unknown.field);
    const hint = guess ? ` (did you mean "${guess}"?)` : elsewhere ? ` (it belongs at ${formatFieldPath(elsewhere)}, where Argo reads it)` : "";
    warnings.push({ path: issue.path, message: `unknown field, ignored as Argo ignores it${hint}` });
    // Dropped, as Go's decoder drops it: nothing after this (semantic checks, the runtime) sees it.
    if (checked === spec) checked = structuredClone(spec);
    const parent = at(checked, issue.path.slice(0, -1));
    if (isRecord(parent)) delete parent[issue.unknown.field];
  }
  return { spec: checked, errors, warnings };
}
