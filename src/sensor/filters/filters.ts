import type { EventDependencyFilter } from "../../api/types.js";
import type { SensorEvent } from "../event.js";
import { filterPayload } from "../parameter-source.js";
import type { Where } from "../where.js";
import { checkContext, compileContextFilter, type ContextFilter } from "./context.js";
import { checkData, compileDataFilters, type CompiledDataFilter } from "./data.js";
import { checkExprs, compileExprFilters, type CompiledExprFilter } from "./expr.js";
import type { FilterResult, KindResult } from "./result.js";
import { checkTime, compileTimeFilter, type CompiledTimeFilter } from "./time.js";

/** A dependency's filters, compiled; a kind is undefined when the spec does not set it. */
export interface CompiledFilters {
  readonly or: boolean;
  readonly exprs?: { or: boolean; filters: CompiledExprFilter[] };
  readonly data?: { or: boolean; filters: CompiledDataFilter[] };
  readonly context?: ContextFilter;
  readonly time?: CompiledTimeFilter;
}

const isOr = (op: string | undefined): boolean => op === "or";

export function compileFilters(
  spec: EventDependencyFilter,
  filtersLogicalOperator: string | undefined,
  where: Where,
  at: string,
): CompiledFilters {
  if (spec.script) throw where.notSupported(`${at}.script`, "Lua script filters are not supported");
  const time = spec.time as { start: string; stop: string; timezone?: string } | undefined;
  return {
    or: isOr(filtersLogicalOperator),
    exprs: spec.exprs
      ? { or: isOr(spec.exprLogicalOperator), filters: compileExprFilters(spec.exprs, where, `${at}.exprs`) }
      : undefined,
    data: spec.data
      ? { or: isOr(spec.dataLogicalOperator), filters: compileDataFilters(spec.data, where, `${at}.data`) }
      : undefined,
    context: spec.context ? compileContextFilter(spec.context) : undefined,
    time: time ? compileTimeFilter(time, where, `${at}.time`) : undefined,
  };
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
  // The payload bytes as filterExpr and filterData read them (not datacontenttype).
  const payload = f.exprs !== undefined || f.data !== undefined ? filterPayload(event) : { kind: "none" as const };
  const kinds: [name: string, set: boolean, run: () => KindResult][] = [
    ["expr", f.exprs !== undefined, () => checkExprs(f.exprs?.filters ?? [], f.exprs?.or ?? false, payload)],
    ["data", f.data !== undefined, () => checkData(f.data?.filters ?? [], f.data?.or ?? false, payload)],
    ["context", f.context !== undefined, () => checkContext(f.context ?? {}, event.context)],
    ["time", f.time !== undefined, () => checkTime(f.time as CompiledTimeFilter, event.context.time)],
  ];
  if (!f.or) {
    // Every kind runs: an error of a later kind is what the original reports even
    // when an earlier kind simply did not pass.
    let reason: string | undefined;
    for (const [, set, run] of kinds) {
      if (!set) continue;
      const r = run();
      if (r.errors.length > 0) return { pass: false, reason: r.errors.join("; ") };
      if (!r.pass && reason === undefined) reason = r.reason ?? "filtered out";
    }
    return reason === undefined ? { pass: true } : { pass: false, reason };
  }
  const errors: string[] = [];
  const reasons: string[] = [];
  const passed: string[] = [];
  for (const [name, set, run] of kinds) {
    if (!set) continue;
    const r = run();
    errors.push(...r.errors);
    if (r.pass) passed.push(name);
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
