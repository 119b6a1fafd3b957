import { isOr, type FilterKind, type FilterList } from "./kind.js";
import type { DataFilter } from "../../api/index.js";
import { errorMessage } from "../../errors.js";
import { compilePath, type CompiledPath, type GjsonResult, type CompiledGoTemplate, compileRegex, type CompiledRegex } from "../../expr/index.js";
import type { FilterPayload } from "../parameter-source.js";
import { compileSensorTemplate } from "../parameters.js";
import type { Where } from "../where.js";
import { gjsonBool, gjsonFloat, goParseBool, goParseFloat } from "./gjson-values.js";
import { fail, failed, PASS, show, type KindResult } from "./result.js";

export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=";
const COMPARATORS = new Set<string>(["=", "!=", "<", "<=", ">", ">="]);

/** The first value the original cannot parse (it stops there), with its error. */
export interface BadValue {
  readonly index: number;
  readonly value: string;
  readonly error: string;
}

/**
 * The values the original compares, in order, up to the first one it cannot parse
 * (`bad`): it parses each value when it reaches it, per event, so the values before
 * a bad one still decide, and reaching the bad one is an error.
 */
type ValueCheck =
  | { type: "string"; regexes: CompiledRegex[]; bad?: BadValue }
  | { type: "number"; numbers: number[]; bad?: BadValue }
  | { type: "bool"; bools: boolean[]; bad?: BadValue }
  /** A type the original does not know: an error for every event that reaches it. */
  | { type: "unsupported"; name: string };

export interface CompiledDataFilter {
  readonly path: CompiledPath;
  readonly comparator: Comparator;
  readonly values: string[];
  readonly check: ValueCheck;
  /** Rewrites the value (as text, `.Input`) before it is compared. */
  readonly template?: CompiledGoTemplate;
}

/** The values parsed in order until the first that fails. */
function parseInOrder<T>(values: string[], parse: (v: string) => T | { error: string }): { parsed: T[]; bad?: BadValue } {
  const parsed: T[] = [];
  for (const [index, value] of values.entries()) {
    const r = parse(value);
    if (typeof r === "object" && r !== null && "error" in r) return { parsed, bad: { index, value, error: r.error } };
    parsed.push(r as T);
  }
  return { parsed };
}

function regexOrError(v: string): CompiledRegex | { error: string } {
  try {
    return compileRegex(v);
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/**
 * Compile `filters.data` once. Load errors are what Argo Events' ValidateSensor
 * refuses (pkg/reconciler/sensor/validate.go validateEventDataFilter: an unknown
 * comparator, no type, no values) and what cannot be evaluated at all (a path or a
 * template function, see compileSensorTemplate). What the original only finds out
 * per event in filterData (pkg/sensors/dependencies/filter.go) stays per event: a
 * value that does not parse as the type (Go parses the values lazily, in order), a
 * bad regex, an unknown type, a template Go cannot parse, a comparator that does
 * not apply to strings (it never matches there).
 */
export function compileDataFilters(filters: DataFilter[], where: Where, at: string): CompiledDataFilter[] {
  return filters.map((f, i) => {
    const field = `${at}[${i}]`;
    const template = f.template ? compileSensorTemplate(f.template, where, `${field}.template`) : undefined;
    const comparator = (f.comparator || "=") as Comparator;
    if (!COMPARATORS.has(comparator)) throw where.spec(`${field}.comparator`, `unknown comparator "${f.comparator}"`);
    const values = f.value ?? [];
    if (values.length === 0) throw where.spec(`${field}.value`, "no values specified");
    const empty = values.indexOf("");
    if (empty >= 0) throw where.spec(`${field}.value[${empty}]`, "must not be empty");
    if (!f.type) throw where.spec(`${field}.type`, "is required");
    const path = where.compile(`${field}.path`, () => compilePath(f.path));
    let check: ValueCheck;
    switch (f.type) {
      case "string": {
        const { parsed, bad } = parseInOrder(values, regexOrError);
        check = { type: "string", regexes: parsed, bad };
        break;
      }
      case "number": {
        const { parsed, bad } = parseInOrder(values, goParseFloat);
        check = { type: "number", numbers: parsed, bad };
        break;
      }
      case "bool": {
        const { parsed, bad } = parseInOrder(values, goParseBool);
        check = { type: "bool", bools: parsed, bad };
        break;
      }
      default:
        check = { type: "unsupported", name: f.type };
    }
    return { path, comparator, values, check, template };
  });
}

function compareNumbers(actual: number, c: Comparator, expected: number): boolean {
  switch (c) {
    case "=":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
      return actual < expected;
    case "<=":
      return actual <= expected;
    case ">":
      return actual > expected;
    case ">=":
      return actual >= expected;
  }
}

/**
 * Does one of the filter's values accept the value at its path, in the original's
 * order? A string compares with `=` (the regex matches) or `!=` (it does not); any
 * other comparator never matches a string (filterData's switch has no case for it).
 * Reaching a value that does not parse is an error.
 */
function anyValuePasses(f: CompiledDataFilter, r: GjsonResult): boolean | { error: string } {
  let ok: boolean;
  switch (f.check.type) {
    case "string": {
      const text = r.str;
      const c = f.comparator;
      ok = (c === "=" || c === "!=") && f.check.regexes.some((re) => re.test(text) === (c === "="));
      break;
    }
    case "number": {
      const n = gjsonFloat(r);
      ok = f.check.numbers.some((v) => compareNumbers(n, f.comparator, v));
      break;
    }
    case "bool": {
      // The comparator plays no part for bools: a value passes when it is equal.
      const b = gjsonBool(r);
      ok = f.check.bools.some((v) => v === b);
      break;
    }
    case "unsupported":
      return { error: `unsupported JSON type ${show(f.check.name)}` };
  }
  if (ok || !f.check.bad) return ok;
  const { index, value, error } = f.check.bad;
  return { error: `value[${index}] ${show(value)}: ${error}` };
}

function expectation(f: CompiledDataFilter): string {
  const values = f.values.length === 1 ? show(f.values[0]) : `one of ${show(f.values)}`;
  if (f.check.type === "string") {
    if (f.comparator === "=") return `to match ${values}`;
    if (f.comparator === "!=") return `not to match ${values}`;
    return `${f.comparator} ${values}, which never matches a string (Argo Events compares strings with = and != only)`;
  }
  if (f.check.type === "number") return `${f.comparator} ${values}`;
  return `to be ${values}`;
}

function actual(f: CompiledDataFilter, r: GjsonResult): string {
  if (f.check.type === "number") return `${show(r.str)} (${gjsonFloat(r)})`;
  return show(r.str);
}

/**
 * The original renders the template with `.Input` = the value's text (gjson's
 * String()) and compares the output as a JSON string; output "" or `<no value>`
 * is an error. Returns the new value, or the error text.
 */
function applyTemplate(t: CompiledGoTemplate, r: GjsonResult): GjsonResult | string {
  let out: string;
  try {
    out = t.render({ Input: r.str });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (out === "" || out === "<no value>") return `template ${show(t.source)} evaluated to empty string or no value`;
  return { exists: true, type: "String", value: out, str: out, raw: JSON.stringify(out) };
}

/**
 * filters.data as the original evaluates it (filterData): no payload passes, a
 * payload that is not JSON is an error; a missing path is an error; in AND mode
 * every filter must pass, in OR mode the first passing one wins (errors of earlier
 * ones notwithstanding).
 */
export function checkData(filters: CompiledDataFilter[], or: boolean, payload: FilterPayload): KindResult {
  if (filters.length === 0 || payload.kind === "none") return PASS;
  if (payload.kind === "invalid") return failed("data", ["event data not valid JSON"]);
  const data = payload.value;
  const errors: string[] = [];
  const reasons: string[] = [];
  for (const f of filters) {
    const r = f.path.get(data, payload.raw);
    if (!r.exists) {
      const e = `path ${show(f.path.path)} does not exist`;
      if (!or) return failed("data", [e]);
      errors.push(e);
      continue;
    }
    let value = r;
    if (f.template) {
      const t = applyTemplate(f.template, r);
      if (typeof t === "string") {
        if (!or) return failed("data", [t]);
        errors.push(t);
        continue;
      }
      value = t;
    }
    const ok = anyValuePasses(f, value);
    if (typeof ok === "object") {
      const e = `path ${show(f.path.path)}: ${ok.error}`;
      if (!or) return failed("data", [e]);
      errors.push(e);
      continue;
    }
    if (ok && or) return PASS;
    if (!ok) {
      const reason = `data filter: path ${show(f.path.path)}${f.template ? " (templated)" : ""} is ${actual(f, value)}, expected ${f.check.type} ${expectation(f)}`;
      if (!or) return fail(reason);
      reasons.push(reason);
    }
  }
  if (!or) return PASS;
  if (errors.length > 0) return { pass: false, errors: errors.map((e) => `data filter: ${e}`), reason: reasons.join("; ") || undefined };
  return fail(reasons.join("; "));
}

export const dataFilterKind: FilterKind<FilterList<CompiledDataFilter>> = {
  label: "data",
  compile: (spec, where, at) =>
    spec.data ? { or: isOr(spec.dataLogicalOperator), filters: compileDataFilters(spec.data, where, `${at}.data`) } : undefined,
  check: (c, input) => checkData(c.filters, c.or, input.payload()),
};
