import { FILTER_KIND_NAMES, type FilterKindName, type EventDependencyFilter } from "../../api/index.js";
import type { SensorEvent } from "../event.js";
import { filterPayload, type FilterPayload } from "../parameter-source.js";
import type { Where } from "../where.js";
import { isOr, type FilterInput } from "./kind.js";
import { FILTER_KINDS, type CompiledKinds } from "./registry.js";
import type { FilterResult, KindResult } from "./result.js";

/** A dependency's filters, compiled; a kind is undefined when the spec does not set it. */
export type CompiledFilters = { readonly or: boolean } & { readonly [K in FilterKindName]?: CompiledKinds[K] };

function compileKind<K extends FilterKindName>(kind: K, spec: EventDependencyFilter, where: Where, at: string): CompiledKinds[K] | undefined {
  return FILTER_KINDS[kind].compile(spec, where, at);
}

export function compileFilters(
  spec: EventDependencyFilter,
  filtersLogicalOperator: string | undefined,
  where: Where,
  at: string,
): CompiledFilters {
  if (spec.script) throw where.notSupported(`${at}.script`, "Lua script filters are not supported");
  const out: { or: boolean } & { [K in FilterKindName]?: CompiledKinds[K] } = { or: isOr(filtersLogicalOperator) };
  for (const kind of FILTER_KIND_NAMES) {
    const compiled = compileKind(kind, spec, where, at);
    if (compiled !== undefined) Object.assign(out, { [kind]: compiled });
  }
  return out;
}

function runKind<K extends FilterKindName>(kind: K, f: CompiledFilters, input: FilterInput): KindResult | undefined {
  const compiled = f[kind] as CompiledKinds[K] | undefined;
  return compiled === undefined ? undefined : FILTER_KINDS[kind].check(compiled, input);
}

/**
 * Combine the filter kinds as Argo Events does (filterEvent in
 * pkg/sensors/dependencies/filter.go: exprs, data, context, time, in that order,
 * every kind evaluated). AND: a kind's error fails the event, otherwise every kind
 * must pass. OR: some kind that is set must pass, and no kind may error: filterEvent
 * returns the errors alongside the OR result and Filter() turns any error into
 * "discard", even when another kind passed.
 */
export function checkFilters(f: CompiledFilters, event: SensorEvent): FilterResult {
  let parsed: FilterPayload | undefined;
  // The payload bytes as filterExpr and filterData read them (not datacontenttype), parsed on first use.
  const input: FilterInput = { event, payload: () => (parsed ??= filterPayload(event)) };
  if (!f.or) {
    // Every kind runs: an error of a later kind is what the original reports even
    // when an earlier kind simply did not pass.
    let reason: string | undefined;
    for (const kind of FILTER_KIND_NAMES) {
      const r = runKind(kind, f, input);
      if (r === undefined) continue;
      if (r.errors.length > 0) return { pass: false, reason: r.errors.join("; ") };
      if (!r.pass && reason === undefined) reason = r.reason ?? "filtered out";
    }
    return reason === undefined ? { pass: true } : { pass: false, reason };
  }
  const errors: string[] = [];
  const reasons: string[] = [];
  const passed: string[] = [];
  for (const kind of FILTER_KIND_NAMES) {
    const r = runKind(kind, f, input);
    if (r === undefined) continue;
    errors.push(...r.errors);
    if (r.pass) passed.push(FILTER_KINDS[kind].label);
    else if (r.reason) reasons.push(r.reason);
  }
  if (errors.length > 0 && passed.length > 0) {
    const kindsPassed = passed.map((k) => `the ${k} filter`).join(" and ");
    return {
      pass: false,
      reason: `${errors.join("; ")} (a filter error discards the event with filtersLogicalOperator "or" too, although ${kindsPassed} passed)`,
    };
  }
  if (passed.length > 0) return { pass: true };
  const all = [...reasons, ...errors];
  return { pass: false, reason: all.length > 0 ? `no filter passed: ${all.join("; ")}` : "no filter is set in OR mode" };
}
