import type { FilterKind } from "./kind.js";
import type { EventContext } from "../event.js";
import { fail, PASS, show, type KindResult } from "./result.js";

// The original compares exactly these context attributes, each only when set.
const KEYS = ["type", "subject", "source", "datacontenttype"] as const;

export type ContextFilter = Partial<Record<(typeof KEYS)[number], string>>;

export function compileContextFilter(spec: Record<string, string>): ContextFilter {
  const out: ContextFilter = {};
  for (const k of KEYS) if (spec[k]) out[k] = spec[k];
  return out;
}

export function checkContext(filter: ContextFilter, context: EventContext): KindResult {
  for (const k of KEYS) {
    const want = filter[k];
    if (want !== undefined && context[k] !== want) {
      return fail(`context filter: ${k} is ${show(context[k])}, expected ${show(want)}`);
    }
  }
  return PASS;
}

export const contextFilterKind: FilterKind<ContextFilter> = {
  label: "context",
  compile: (spec) => (spec.context ? compileContextFilter(spec.context) : undefined),
  check: (c, input) => checkContext(c, input.event.context),
};
