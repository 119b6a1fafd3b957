// filters.data beyond the case table in filters.test.ts: the exact skip reasons and
// load errors a user sees, templates, and how OR mode merges reasons and errors.
import { describe, expect, it } from "vitest";
import type { DataFilter, EventDependencyFilter } from "../../api/types.js";
import { ExpressionError, NotSupportedError, SpecError } from "../../errors.js";
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
    // An ordering comparator on a string, a value that does not parse as the type and
    // an unknown type load in Argo Events (validate.go validateEventDataFilter checks
    // none of them); filterData meets them per event: see "evaluated per event" below.
    [
      "an empty value (validateEventDataFilter: value must be not empty)",
      d("body.ref", "string", ["main", ""]),
      SpecError,
      "ns/sensor Sensor spec.dependencies[0].filters.data[0].value[1]: must not be empty",
    ],
    [
      "no type (validateEventDataFilter: type must be not empty)",
      d("body.ref", "", ["x"]),
      SpecError,
      "ns/sensor Sensor spec.dependencies[0].filters.data[0].type: is required",
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

// Argo Events' filterData (pkg/sensors/dependencies/filter.go) parses a filter's
// values per event, in order, and stops at the first it cannot parse: the values
// before it still decide, reaching it is an error (AND: the event is discarded; OR:
// the filter is skipped, a later passing filter still passes). Unknown types and
// templates Go cannot parse are per-event errors the same way.
describe("evaluated per event, as filterData does", () => {
  const or = (...filters: DataFilter[]): EventDependencyFilter => ({ data: filters, dataLogicalOperator: "or" });
  const refMain = d("body.ref", "string", ["main"]);

  it("number: a value before an unparsable one matches (strconv.ParseFloat runs when the loop reaches it)", () => {
    expect(run({ data: [d("body.size", "number", ["3", "three"])] })).toEqual({ pass: true });
    expect(run({ data: [d("body.size", "number", ["2", "three"], { comparator: ">" })] })).toEqual({ pass: true });
  });

  it("number: reaching the unparsable value is an error, even when a later value would match", () => {
    const error = 'data filter: path "body.size": value[1] "three": strconv.ParseFloat: parsing "three": invalid syntax';
    expect(run({ data: [d("body.size", "number", ["4", "three"])] })).toEqual({ pass: false, reason: error });
    expect(run({ data: [d("body.size", "number", ["three", "3"])] })).toEqual({
      pass: false,
      reason: 'data filter: path "body.size": value[0] "three": strconv.ParseFloat: parsing "three": invalid syntax',
    });
  });

  it("number: a decimal beyond float64 is ParseFloat's range error", () => {
    expect(run({ data: [d("body.size", "number", ["3", "1e400"])] })).toEqual({ pass: true });
    expect(run({ data: [d("body.size", "number", ["1e400"], { comparator: "<" })] })).toEqual({
      pass: false,
      reason: 'data filter: path "body.size": value[0] "1e400": strconv.ParseFloat: parsing "1e400": value out of range',
    });
  });

  it("OR: an erroring filter is skipped and a later passing one passes (filterData returns true at once)", () => {
    expect(run(or(d("body.size", "number", ["4", "three"]), refMain))).toEqual({ pass: true });
    expect(run(or(d("body.size", "number", ["4", "three"]), d("body.ref", "string", ["^dev$"])))).toEqual({
      pass: false,
      reason: 'data filter: path "body.size": value[1] "three": strconv.ParseFloat: parsing "three": invalid syntax',
    });
  });

  it("bool: strconv.ParseBool per value, in order", () => {
    expect(run({ data: [d("body.forced", "bool", ["false", "yes"])] })).toEqual({ pass: true });
    expect(run({ data: [d("body.private", "bool", ["false", "yes"])] })).toEqual({
      pass: false,
      reason: 'data filter: path "body.private": value[1] "yes": strconv.ParseBool: parsing "yes": invalid syntax',
    });
  });

  it("bool: the comparator plays no part (filterData compares bools for equality only)", () => {
    expect(run({ data: [d("body.forced", "bool", ["false"], { comparator: "!=" })] })).toEqual({ pass: true });
  });

  it("string: regexp.Compile per value, in order", () => {
    expect(run({ data: [d("body.ref", "string", ["main", "("])] })).toEqual({ pass: true });
    const r = run({ data: [d("body.ref", "string", ["^dev$", "(", "main"])] });
    expect(r.pass).toBe(false);
    if (!r.pass) expect(r.reason).toMatch(/^data filter: path "body\.ref": value\[1\] "\(": .*missing/);
  });

  it("string: an ordering comparator loads and never matches, without an error", () => {
    // filterData's string case compares for = (or empty) and != only: matchResult stays false.
    expect(run({ data: [d("body.ref", "string", [".*"], { comparator: ">" })] })).toEqual({
      pass: false,
      reason:
        'data filter: path "body.ref" is "refs/heads/main", expected string > ".*", ' +
        "which never matches a string (Argo Events compares strings with = and != only)",
    });
    expect(run(or(d("body.ref", "string", [".*"], { comparator: "<=" }), d("body.size", "number", ["3"])))).toEqual({ pass: true });
  });

  it("string: with an ordering comparator a bad regex is still an error (it is compiled before comparing)", () => {
    const r = run({ data: [d("body.ref", "string", ["("], { comparator: ">" })] });
    expect(r.pass).toBe(false);
    if (!r.pass) expect(r.reason).toMatch(/^data filter: path "body\.ref": value\[0\] "\(": /);
  });

  it("an unknown type is an error per event; in OR mode a later filter can pass", () => {
    expect(run({ data: [d("body.ref", "json", ["x"])] })).toEqual({ pass: false, reason: 'data filter: path "body.ref": unsupported JSON type "json"' });
    expect(run(or(d("body.ref", "json", ["x"]), refMain))).toEqual({ pass: true });
  });

  it("a template Go cannot parse loads and is an error per event", () => {
    const r = run({ data: [d("body.ref", "string", [".*"], { template: "{{ .Input" })] });
    expect(r.pass).toBe(false);
    if (!r.pass) expect(r.reason).toMatch(/^data filter: template: param:1:\d+: /);
    // An undefined function is a parse error in Go too (not in sprig's FuncMap).
    const nope = run({ data: [d("body.ref", "string", [".*"], { template: "{{ nope .Input }}" })] });
    expect(nope).toEqual({ pass: false, reason: 'data filter: template: param:1:4: function "nope" not defined' });
    expect(run(or(d("body.ref", "string", [".*"], { template: "{{ .Input" }), refMain))).toEqual({ pass: true });
  });

  it.each(["env", "expandenv", "getHostByName"])("a template calling %s stays a load error: the gateway is deliberately stricter", (fn) => {
    const err = compileError({ data: [d("body.ref", "string", [".*"], { template: `{{ ${fn} "x" }}` })] });
    expect(err).toBeInstanceOf(NotSupportedError);
    expect(err.message).toMatch(
      new RegExp(`^ns/sensor Sensor spec\\.dependencies\\[0\\]\\.filters\\.data\\[0\\]\\.template: function "${fn}" is refused: .*deliberately stricter`),
    );
  });
});

// filterData and filterExpr read the payload bytes only: no payload passes, bytes that
// are not JSON (gjson.Valid) are an error whatever datacontenttype says. A non-JSON
// media type's `data` reaches the sensor as a string whose text is the payload
// (cloudevents sdk-go consumeData).
describe("payloads by datacontenttype", () => {
  const refMain = d("body.ref", "string", ["main"]);
  const text = (payload: unknown, contentType = "text/plain") => filterEvent(payload, { datacontenttype: contentType });

  it("text that is not JSON is an error for data and expr filters", () => {
    expect(run({ data: [refMain] }, undefined, text("hello"))).toEqual({ pass: false, reason: "data filter: event data not valid JSON" });
    expect(run({ data: [refMain] }, undefined, text(""))).toEqual({ pass: false, reason: "data filter: event data not valid JSON" });
    expect(run({ exprs: [{ expr: "a == 1", fields: [{ name: "a", path: "body.size" }] }] }, undefined, text("a=1&b=2", "application/x-www-form-urlencoded"))).toEqual({
      pass: false,
      reason: "expr filter: event data not valid JSON",
    });
  });

  it("text that is JSON is filtered as JSON, whatever the content type", () => {
    expect(run({ data: [refMain] }, undefined, text(JSON.stringify(data)))).toEqual({ pass: true });
  });

  it("a JSON media type's string data is a JSON string, not a document", () => {
    expect(run({ data: [refMain] }, undefined, filterEvent(JSON.stringify(data)))).toEqual({
      pass: false,
      reason: 'data filter: path "body.ref" does not exist',
    });
  });

  it("a JSON media type with MIME parameters (application/json; charset=utf-8) keeps data as JSON", () => {
    expect(run({ data: [refMain] }, undefined, text(data, "application/json; charset=utf-8"))).toEqual({ pass: true });
  });

  it("no payload passes, as with JSON", () => {
    expect(run({ data: [d("body.ref", "string", ["^dev$"])] }, undefined, text(undefined))).toEqual({ pass: true });
  });

  it("an empty data list passes before the payload is looked at", () => {
    expect(run({ data: [] }, undefined, text("hello"))).toEqual({ pass: true });
  });
});
