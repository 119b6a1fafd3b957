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
  // The original's Filter() discards the event whenever a kind errors in OR mode;
  // here the erroring kind at least never counts as passing.
  it("a kind that errors does not pass, its error is listed after the reasons", () => {
    expect(run({ data: [{ path: "body.nope", type: "string", value: ["x"] }], context: { type: "gitlab" } }, "or")).toEqual({
      pass: false,
      reason: 'no filter passed: context filter: type is "github", expected "gitlab"; data filter: path "body.nope" does not exist',
    });
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
