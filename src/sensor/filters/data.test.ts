// filters.data beyond the case table in filters.test.ts: the exact skip reasons and
// load errors a user sees, templates, and how OR mode merges reasons and errors.
import { describe, expect, it } from "vitest";
import type { DataFilter, EventDependencyFilter } from "../../api/types.js";
import { ExpressionError, SpecError } from "../../errors.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { compileFilters } from "./filters.js";
import { FILTERS_AT, filterEvent, runFilters } from "../../../test/support/filter-harness.js";

const data = {
  body: { ref: "refs/heads/main", size: 3, forced: false, private: true },
};

const event = (payload: unknown): SensorEvent => filterEvent(payload);

const where = new Where("ns", "sensor");
const AT = FILTERS_AT;

function run(filters: EventDependencyFilter, op?: "and" | "or", ev: SensorEvent = event(data)) {
  return runFilters(filters, op, ev);
}

function compileError(filters: EventDependencyFilter): Error {
  try {
    compileFilters(filters, undefined, where, AT);
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a load error");
}

const d = (path: string, type: string, value: string[] | undefined, extra: Partial<DataFilter> = {}): DataFilter =>
  ({ path, type, value, ...extra }) as DataFilter;

describe("data filter load errors name the field and the problem", () => {
  it.each<[string, DataFilter, typeof SpecError | typeof ExpressionError, string]>([
    [
      "unknown comparator",
      d("body.size", "number", ["1"], { comparator: "=>" }),
      SpecError,
      'ns/sensor Sensor spec.dependencies[0].filters.data[0].comparator: unknown comparator "=>"',
    ],
    [
      "ordering comparator on a string",
      d("body.ref", "string", ["a"], { comparator: "<=" }),
      SpecError,
      'ns/sensor Sensor spec.dependencies[0].filters.data[0].comparator: comparator "<=" does not apply to strings (use = or !=)',
    ],
    [
      "no value list at all",
      d("body.ref", "string", undefined),
      SpecError,
      "ns/sensor Sensor spec.dependencies[0].filters.data[0].value: no values specified",
    ],
    [
      "a value that is not a Go bool",
      d("body.forced", "bool", ["true", "yes"]),
      SpecError,
      'ns/sensor Sensor spec.dependencies[0].filters.data[0].value[1]: "yes" is not a bool',
    ],
    [
      "an unknown type",
      d("body.ref", "json", ["x"]),
      SpecError,
      'ns/sensor Sensor spec.dependencies[0].filters.data[0].type: unsupported type "json" (string, number or bool)',
    ],
    [
      "a path gjson cannot parse",
      d("body.#(ref==", "string", ["x"]),
      ExpressionError,
      'ns/sensor Sensor spec.dependencies[0].filters.data[0].path: gjson path "body.#(ref==": unbalanced (',
    ],
  ])("%s", (_name, filter, type, message) => {
    const err = compileError({ data: [filter] });
    expect(err).toBeInstanceOf(type);
    expect(err.message).toBe(message);
  });

  it("names the index of the failing entry", () => {
    const err = compileError({ data: [d("body.ref", "string", ["main"]), d("body.size", "number", ["1"], { comparator: "~" })] });
    expect(err.message).toBe('ns/sensor Sensor spec.dependencies[0].filters.data[1].comparator: unknown comparator "~"');
  });
});

describe("data filter values", () => {
  it("bool: any one value passes, so true and false together accept every value", () => {
    // Argo loops over the values and passes on the first equal one.
    expect(run({ data: [d("body.forced", "bool", ["true", "false"])] })).toEqual({ pass: true });
    expect(run({ data: [d("body.private", "bool", ["false", "true"])] })).toEqual({ pass: true });
  });

  it("a template that renders <no value> is an error, not a value", () => {
    const r = run({ data: [d("body.ref", "string", [".*"], { template: "{{ .Missing }}" })] });
    expect(r).toEqual({
      pass: false,
      reason: 'data filter: template "{{ .Missing }}" evaluated to empty string or no value',
    });
  });

  it("a template that fails to execute skips the event with the template's error", () => {
    const r = run({ data: [d("body.ref", "string", [".*"], { template: "{{ .Input.foo }}" })] });
    expect(r.pass).toBe(false);
    if (!r.pass) expect(r.reason).toMatch(/^data filter: .*can't evaluate field foo/);
  });

  it("the reason says the value was templated and shows the templated text", () => {
    const r = run({ data: [d("body.ref", "string", ["^main$"], { template: "{{ .Input | upper }}" })] });
    expect(r).toEqual({
      pass: false,
      reason: 'data filter: path "body.ref" (templated) is "REFS/HEADS/MAIN", expected string to match "^main$"',
    });
  });

  it("a number beyond float64 reads as +Inf, as gjson's Float() reads it", () => {
    // JSON.parse, like Go's ParseFloat under gjson, turns 1e400 into +Inf.
    const huge = event(JSON.parse('{"body":{"n":1e400}}') as unknown);
    expect(run({ data: [d("body.n", "number", ["1e308"], { comparator: ">" })] }, undefined, huge)).toEqual({ pass: true });
    expect(run({ data: [d("body.n", "number", ["1e308"], { comparator: "<=" })] }, undefined, huge)).toEqual({
      pass: false,
      reason: 'data filter: path "body.n" is "+Inf" (Infinity), expected number <= "1e308"',
    });
  });

  it("without data every data filter passes, as in the original (nil payload)", () => {
    expect(run({ data: [d("body.ref", "string", ["^dev$"])], dataLogicalOperator: "or" }, undefined, event(undefined))).toEqual({
      pass: true,
    });
  });
});

describe("dataLogicalOperator: or", () => {
  const or = (...filters: DataFilter[]): EventDependencyFilter => ({ data: filters, dataLogicalOperator: "or" });

  it("an empty data list passes (the original returns true for no data filters)", () => {
    expect(run(or())).toEqual({ pass: true });
  });

  it("when none passes, the reason lists every entry's reason in order", () => {
    expect(run(or(d("body.ref", "string", ["dev"]), d("body.size", "number", ["4", "5"])))).toEqual({
      pass: false,
      reason:
        'data filter: path "body.ref" is "refs/heads/main", expected string to match "dev"; ' +
        'data filter: path "body.size" is "3" (3), expected number = one of ["4","5"]',
    });
  });

  it("missing paths are errors: with filtersLogicalOperator and they are the reason, joined", () => {
    expect(run(or(d("body.nope", "string", ["x"]), d("body.nada", "number", ["3"])))).toEqual({
      pass: false,
      reason: 'data filter: path "body.nope" does not exist; data filter: path "body.nada" does not exist',
    });
  });

  it("a template error in OR mode is an error too, not a plain mismatch", () => {
    expect(run(or(d("body.ref", "string", [".*"], { template: "{{ .Missing }}" }), d("body.size", "number", ["4"])))).toEqual({
      pass: false,
      reason: 'data filter: template "{{ .Missing }}" evaluated to empty string or no value',
    });
  });

  it("an erroring data kind does not pass in filtersLogicalOperator or; its mismatches and errors are both listed", () => {
    const r = run(
      {
        ...or(d("body.ref", "string", ["dev"]), d("body.nope", "string", ["x"]), d("body.private", "bool", ["false"])),
        context: { type: "gitlab" },
      },
      "or",
    );
    expect(r).toEqual({
      pass: false,
      reason:
        'no filter passed: data filter: path "body.ref" is "refs/heads/main", expected string to match "dev"; ' +
        'data filter: path "body.private" is "true", expected bool to be "false"; ' +
        'context filter: type is "github", expected "gitlab"; data filter: path "body.nope" does not exist',
    });
  });

  it("with only errors and filtersLogicalOperator or, nothing but the errors is listed", () => {
    const r = run({ ...or(d("body.nope", "string", ["x"])), context: { type: "gitlab" } }, "or");
    expect(r).toEqual({
      pass: false,
      reason: 'no filter passed: context filter: type is "github", expected "gitlab"; data filter: path "body.nope" does not exist',
    });
  });
});
