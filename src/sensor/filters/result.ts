/**
 * The outcome of one check: pass, or the reason the event was skipped. The filters
 * never set `warning` (Argo Events discards an event on any filter error, so there
 * is no "passed with errors"); it stays for callers that forward one.
 */
export type FilterResult = { pass: true; warning?: string } | { pass: false; reason: string };

/**
 * The outcome of one filter kind (data, exprs, context, time) before the kinds are
 * combined: `errors` are conditions the original reports as filter errors (a
 * missing path, a failing expression). They discard the event whatever
 * filtersLogicalOperator says; inside one kind, an `or` entry that passes still
 * wins over an erroring one (the kind then returns no errors).
 */
export interface KindResult {
  pass: boolean;
  errors: string[];
  /** Why it did not pass, when it did not and nothing errored. */
  reason?: string;
}

export const PASS: KindResult = { pass: true, errors: [] };

export function fail(reason: string): KindResult {
  return { pass: false, errors: [], reason };
}

export function failed(kind: string, errors: string[]): KindResult {
  return { pass: false, errors: errors.map((e) => `${kind} filter: ${e}`) };
}

/** Shown in reasons: short, and a string stays visibly a string. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
