// filters.exprs beyond the case table in filters.test.ts: expressions without
// fields, evaluation errors, events without data, and the exact reasons in OR mode.
import { describe, expect, it } from "vitest";
import type { EventDependencyFilter, ExprFilter } from "../../api/types.js";
import { ExpressionError, SpecError } from "../../errors.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { compileFilters } from "./filters.js";
import { FILTERS_AT, filterEvent, runFilters } from "../../../test/support/filter-harness.js";

const data = { body: { ref: "refs/heads/main", size: 3 } };

const event = (payload: unknown): SensorEvent => filterEvent(payload);

const where = new Where("ns", "sensor");
const AT = FILTERS_AT;

function run(filters: EventDependencyFilter, op?: "and" | "or", ev: SensorEvent = event(data)) {
  return runFilters(filters, op, ev);
}

const expr = (e: string, fields: Record<string, string> = {}): ExprFilter => ({
  expr: e,
  fields: Object.entries(fields).map(([name, path]) => ({ name, path })),
});
const or = (...exprs: ExprFilter[]): EventDependencyFilter => ({ exprs, exprLogicalOperator: "or" });

// govaluate refuses to order a string against a number at evaluation time. The
// reason shows the expression, then the evaluator's message (which may repeat it).
const BAD = expr("ref > 1", { ref: "body.ref" });
const BAD_TEXT = `"ref > 1": [^;]*Value 'refs/heads/main' cannot be used with the comparator '>', it is not a number`;

/** The event is skipped and the whole reason matches `pattern` (a regex source). */
function expectSkipped(r: ReturnType<typeof run>, pattern: string): void {
  expect(r.pass).toBe(false);
  if (!r.pass) expect(r.reason).toMatch(new RegExp(`^${pattern}$`));
}
const q = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("expr filter load errors", () => {
  it("a field needs a name", () => {
    let caught: unknown;
    try {
      compileFilters({ exprs: [{ expr: "x == 1", fields: [{ path: "body.size" } as { name: string; path: string }] }] }, undefined, where, AT);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect((caught as Error).message).toBe("ns/sensor Sensor spec.dependencies[0].filters.exprs[0].fields[0].name: a field needs a name");
  });

  it("a field path that cannot parse names the field", () => {
    let caught: unknown;
    try {
      compileFilters({ exprs: [expr("x == 1", { x: "body.[" })] }, undefined, where, AT);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    expect((caught as Error).message).toBe(
      'ns/sensor Sensor spec.dependencies[0].filters.exprs[0].fields[0].path: gjson path "body.[": unbalanced [',
    );
  });
});

// filterExpr (pkg/sensors/dependencies/filter.go) calls NewEvaluableExpression per
// event, after binding the fields: a syntax error loads and is met per event.
describe("an expression govaluate cannot parse", () => {
  it("loads, and is an error for each event (AND: the event is discarded)", () => {
    expect(run({ exprs: [expr("size ==", { size: "body.size" })] })).toEqual({
      pass: false,
      reason: 'expr filter: "size ==": Unexpected end of expression',
    });
  });

  it("OR: skipped with its error, a later expression that is true passes", () => {
    expect(run(or(expr("size ==", { size: "body.size" }), expr("size == 3", { size: "body.size" })))).toEqual({ pass: true });
  });

  it("a missing field path is reported first: the fields are bound before parsing", () => {
    expect(run({ exprs: [expr("x ==", { x: "body.nope" })] })).toEqual({ pass: false, reason: 'expr filter: path "body.nope" does not exist' });
  });

  it("without fields it is skipped before it is parsed", () => {
    expect(run({ exprs: [{ expr: "((" }] })).toEqual({ pass: true });
  });
});

describe("expressions without fields are skipped, as in the original", () => {
  it("AND: a false expression without fields does not fail the event", () => {
    expect(run({ exprs: [{ expr: "false" }] })).toEqual({ pass: true });
    expect(run({ exprs: [expr("false"), expr("size == 3", { size: "body.size" })] })).toEqual({ pass: true });
  });

  it("OR: a true expression without fields does not pass the event", () => {
    expect(run(or(expr("true")))).toEqual({ pass: false, reason: "expr filter: no expression passed" });
  });
});

describe("evaluation errors", () => {
  it("AND: an evaluation error skips the event and shows the expression and the error", () => {
    expectSkipped(run({ exprs: [BAD] }), `expr filter: ${BAD_TEXT}`);
  });

  it("AND: an evaluation error stops at once, later expressions are not reported", () => {
    expectSkipped(run({ exprs: [BAD, expr("size == 4", { size: "body.size" })] }), `expr filter: ${BAD_TEXT}`);
  });

  it("OR: an evaluation error does not stop a later expression from passing", () => {
    expect(run(or(BAD, expr("size == 3", { size: "body.size" })))).toEqual({ pass: true });
  });

  it("OR: when nothing passes, every error is listed after the mismatches", () => {
    // filtersLogicalOperator or: the kind's reasons come first, then its errors.
    const r = run({ ...or(expr("size == 4", { size: "body.size" }), BAD, expr("x == 1", { x: "body.nope" })), context: { type: "gitlab" } }, "or");
    expectSkipped(
      r,
      q('no filter passed: expr filter: "size == 4" is false with {"size":3}; context filter: type is "github", expected "gitlab"; ') +
        `expr filter: ${BAD_TEXT}; ` +
        q('expr filter: path "body.nope" does not exist'),
    );
  });

  it("OR: two mismatches and an error keep the mismatches joined as one reason", () => {
    const r = run(
      { ...or(expr("size == 4", { size: "body.size" }), expr("size == 5", { size: "body.size" }), BAD), context: { type: "gitlab" } },
      "or",
    );
    expectSkipped(
      r,
      q('no filter passed: expr filter: "size == 4" is false with {"size":3}; expr filter: "size == 5" is false with {"size":3}; ') +
        q('context filter: type is "github", expected "gitlab"; ') +
        `expr filter: ${BAD_TEXT}`,
    );
  });

  it("OR with only errors: with filtersLogicalOperator and the errors are the reason", () => {
    expectSkipped(run(or(BAD, expr("x == 1", { x: "body.nope" }))), `expr filter: ${BAD_TEXT}; ${q('expr filter: path "body.nope" does not exist')}`);
  });

  it("OR: when every expression is plainly false, the reasons are joined", () => {
    expect(run(or(expr("size == 4", { size: "body.size" }), expr("size == 5", { size: "body.size" })))).toEqual({
      pass: false,
      reason: 'expr filter: "size == 4" is false with {"size":3}; expr filter: "size == 5" is false with {"size":3}',
    });
  });
});

describe("events without data", () => {
  it("pass every expr filter, as in the original (nil payload)", () => {
    expect(run({ exprs: [expr("size == 4", { size: "body.size" })] }, undefined, event(undefined))).toEqual({ pass: true });
    expect(run(or(expr("size == 4", { size: "body.size" })), undefined, event(undefined))).toEqual({ pass: true });
  });
});

describe("an empty exprs list", () => {
  // Argo returns true only for a nil list; an empty one runs its loop: AND ends true,
  // OR ends false ("no expression passed"), so such a dependency never fires.
  it("passes with exprLogicalOperator and", () => {
    expect(run({ exprs: [] })).toEqual({ pass: true });
  });

  it("does not pass with exprLogicalOperator or", () => {
    expect(run(or())).toEqual({ pass: false, reason: "expr filter: no expression passed" });
  });
});

describe("field values are gjson's Value(), as filterExpr binds them", () => {
  // Argo Events, filterExpr in pkg/sensors/dependencies/filter.go: parameters[name] =
  // gjson.GetBytes(payload, path).Value(), i.e. string, float64, bool, nil,
  // []interface{} or map[string]interface{}. govaluate's accessor (makeAccessorStage)
  // works on structs only, so `o.Type` on an object is an evaluation error.
  const payload = { body: { repository: { Type: "git", name: "app" }, created: "2024-06-01", ts: 1717200000 } };

  it("an accessor on a JSON object is an error, not a key lookup", () => {
    expectSkipped(
      run({ exprs: [expr('o.Type == "git"', { o: "body.repository" })] }, undefined, event(payload)),
      q(`expr filter: "o.Type == \\"git\\"": `) + ".*" + q("Unable to access 'Type', 'o' is not a struct"),
    );
  });

  it("with exprLogicalOperator or, another expression can still pass", () => {
    expect(
      run(or(expr('o.Type == "git"', { o: "body.repository" }), expr('n == "app"', { n: "body.repository.name" })), undefined, event(payload)),
    ).toEqual({ pass: true });
  });

  it("the object's key is read through a gjson path in fields instead", () => {
    expect(run({ exprs: [expr('t == "git"', { t: "body.repository.Type" })] }, undefined, event(payload))).toEqual({ pass: true });
  });

  it("a date literal is Unix seconds: a date string field cannot be ordered against it", () => {
    // govaluate's lexer (tryParseTime) turns "2024-01-01" into 1704067200 (UTC).
    expectSkipped(
      run({ exprs: [expr('c > "2024-01-01"', { c: "body.created" })] }, undefined, event(payload)),
      q(`expr filter: "c > \\"2024-01-01\\"": `) + ".*" + q("Value '2024-06-01' cannot be used with the comparator '>', it is not a number"),
    );
    expect(run({ exprs: [expr('ts > "2024-01-01"', { ts: "body.ts" })] }, undefined, event(payload))).toEqual({ pass: true });
  });

  it("a date string field is not equal to the same date written as a literal", () => {
    const r = run({ exprs: [expr('c == "2024-06-01"', { c: "body.created" })] }, undefined, event(payload));
    expect(r).toEqual({ pass: false, reason: 'expr filter: "c == \\"2024-06-01\\"" is false with {"c":"2024-06-01"}' });
  });
});
