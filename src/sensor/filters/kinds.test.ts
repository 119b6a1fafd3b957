// How the filter kinds (exprs, data, context, time) combine under
// filtersLogicalOperator, and the reason a skipped event carries.
import { describe, expect, it } from "vitest";
import type { EventDependencyFilter } from "../../api/types.js";
import { NotSupportedError } from "../../errors.js";
import type { SensorEvent } from "../event.js";
import { Where } from "../where.js";
import { compileFilters } from "./filters.js";
import { FILTERS_AT, filterEvent, runFilters } from "../../../test/support/filter-harness.js";

const event: SensorEvent = filterEvent({ body: { ref: "refs/heads/main", size: 3 } });

const where = new Where("ns", "sensor");
const AT = FILTERS_AT;

function run(filters: EventDependencyFilter, op?: "and" | "or") {
  return runFilters(filters, op, event);
}

const sizeIs = (n: number) => ({ expr: `size == ${n}`, fields: [{ name: "size", path: "body.size" }] });
const refMatches = (re: string) => ({ path: "body.ref", type: "string", value: [re] });

describe("filtersLogicalOperator: or", () => {
  it("a kind that is not set never passes for the others", () => {
    // Only exprs is set and it fails: data, context and time are absent, not passing.
    expect(run({ exprs: [sizeIs(4)] }, "or")).toEqual({
      pass: false,
      reason: 'no filter passed: expr filter: "size == 4" is false with {"size":3}',
    });
  });

  it("one passing kind is enough, and without errors there is no warning", () => {
    expect(run({ exprs: [sizeIs(4)], data: [refMatches("main")] }, "or")).toEqual({ pass: true });
  });

  it("with no kind set nothing can pass (the original ORs over the set kinds only)", () => {
    expect(run({}, "or")).toEqual({ pass: false, reason: "no filter is set in OR mode" });
  });

  it("every failing kind's reason is listed, in the original's order", () => {
    expect(
      run({ exprs: [sizeIs(4)], data: [refMatches("^dev$")], context: { subject: "tag" }, time: { start: "13:00:00", stop: "14:00:00" } }, "or"),
    ).toEqual({
      pass: false,
      reason:
        'no filter passed: expr filter: "size == 4" is false with {"size":3}; ' +
        'data filter: path "body.ref" is "refs/heads/main", expected string to match "^dev$"; ' +
        'context filter: subject is "push", expected "tag"; ' +
        "time filter: event time 2024-05-01T12:00:00.000Z is outside [13:00:00, 14:00:00) UTC",
    });
  });
});

describe("filtersLogicalOperator: or with errors", () => {
  // Argo Events, pkg/sensors/dependencies/filter.go: filterEvent collects the errors of
  // exprs (filterExpr), data (filterData) and time (filterTime) in OR mode and returns
  // them with the OR of the kinds; Filter() then returns false on any error, so the
  // event is discarded even when another kind passed. (filterContext cannot error;
  // filterScript errors discard in both modes, and scripts are refused at load here.)
  const missing = { path: "body.nope", type: "string", value: ["x"] };

  it("a data error discards the event although context passed, and the reason says so", () => {
    expect(run({ data: [missing], context: { type: "github" } }, "or")).toEqual({
      pass: false,
      reason:
        'data filter: path "body.nope" does not exist ' +
        '(a filter error discards the event with filtersLogicalOperator "or" too, although the context filter passed)',
    });
  });

  it("an exprs evaluation error discards the event although data and time passed", () => {
    const bad = { expr: "ref > 1", fields: [{ name: "ref", path: "body.ref" }] };
    const r = run({ exprs: [bad], data: [refMatches("main")], time: { start: "11:00:00", stop: "13:00:00" } }, "or");
    expect(r.pass).toBe(false);
    if (!r.pass) {
      expect(r.reason).toMatch(/^expr filter: "ref > 1": .*Value 'refs\/heads\/main' cannot be used with the comparator '>', it is not a number/);
      expect(r.reason).toMatch(/although the data filter and the time filter passed\)$/);
    }
  });

  it("an exprs path error discards the event although data passed", () => {
    const r = run({ exprs: [{ expr: "x == 1", fields: [{ name: "x", path: "body.nope" }] }], data: [refMatches("main")] }, "or");
    expect(r).toEqual({
      pass: false,
      reason:
        'expr filter: path "body.nope" does not exist ' +
        '(a filter error discards the event with filtersLogicalOperator "or" too, although the data filter passed)',
    });
  });

  it("when no kind passes either, the errors follow the reasons", () => {
    expect(run({ data: [missing], context: { type: "gitlab" } }, "or")).toEqual({
      pass: false,
      reason: 'no filter passed: context filter: type is "github", expected "gitlab"; data filter: path "body.nope" does not exist',
    });
  });

  it("an erroring entry inside an OR kind is no error once another entry of that kind passes", () => {
    // filterData / filterExpr with the `or` operator return (true, nil) at the first
    // passing entry, whatever errors came before it.
    expect(run({ dataLogicalOperator: "or", data: [missing, refMatches("main")], context: { type: "gitlab" } }, "or")).toEqual({ pass: true });
    expect(
      run({ exprLogicalOperator: "or", exprs: [{ expr: "x == 1", fields: [{ name: "x", path: "body.nope" }] }, sizeIs(3)], context: { type: "gitlab" } }, "or"),
    ).toEqual({ pass: true });
  });
});

describe("filtersLogicalOperator: and (the default)", () => {
  it("with no kind set the event passes", () => {
    expect(run({})).toEqual({ pass: true });
  });

  it("the first failing kind is the reason, when no kind errors", () => {
    expect(run({ exprs: [sizeIs(4)], data: [refMatches("^dev$")], context: { subject: "tag" } })).toEqual({
      pass: false,
      reason: 'expr filter: "size == 4" is false with {"size":3}',
    });
  });
});

describe("script filters", () => {
  it("are refused at load with the field named", () => {
    let caught: unknown;
    try {
      compileFilters({ script: "return true" }, undefined, where, AT);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NotSupportedError);
    expect((caught as Error).message).toBe("ns/sensor Sensor spec.dependencies[0].filters.script: Lua script filters are not supported");
  });
});
