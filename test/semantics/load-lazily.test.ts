// What Argo Events loads and only meets per event (or per firing), end to end through
// compileSensor and the dry run. Each group names the Go function that decides it.
import { describe, expect, it } from "vitest";
import type { DataFilter, EventDependencyFilter } from "../../src/api/types.js";
import { NotSupportedError } from "../../src/errors.js";
import { compileSensor } from "../../src/sensor/compile.js";
import { DATA, param, runCase, sensorOf, type SemCase } from "./harness.js";

const YES = { fired: true } as const;
const fired = (data: Record<string, unknown>) => ({ fired: true, data }) as const;
const no = (reason: RegExp) => ({ fired: false, reason }) as const;
const d = (path: string, type: string, value: string[], extra: Partial<DataFilter> = {}): DataFilter => ({ path, type, value, ...extra });
const data = (...filters: DataFilter[]): EventDependencyFilter => ({ data: filters });
const anyOf = (...filters: DataFilter[]): EventDependencyFilter => ({ data: filters, dataLogicalOperator: "or" });

// pkg/sensors/dependencies/filter.go filterData: strconv.ParseFloat / ParseBool /
// regexp.Compile run per value, in order, when the loop reaches the value.
const lazyValues: SemCase[] = [
  { name: "number [3, three]: 3 matches before three is parsed", filters: data(d("body.size", "number", ["3", "three"])), expect: YES },
  {
    name: "number [4, three]: reaching three is an error, the event is discarded",
    filters: data(d("body.size", "number", ["4", "three"])),
    expect: no(/data filter: path "body\.size": value\[1\] "three": strconv\.ParseFloat: parsing "three": invalid syntax/),
  },
  {
    name: "number [three, 3]: the error comes first, 3 is never compared",
    filters: data(d("body.size", "number", ["three", "3"])),
    expect: no(/value\[0\] "three": strconv\.ParseFloat/),
  },
  { name: "number >= [9, 1, x]: 1 passes before x", filters: data(d("body.size", "number", ["9", "1", "x"], { comparator: ">=" })), expect: YES },
  {
    name: "dataLogicalOperator or: the erroring filter is skipped, a later one passes",
    filters: anyOf(d("body.size", "number", ["4", "three"]), d("body.ref", "string", ["main"])),
    expect: YES,
  },
  {
    name: "dataLogicalOperator or: nothing passes, the error discards",
    filters: anyOf(d("body.size", "number", ["4", "three"]), d("body.ref", "string", ["^dev$"])),
    expect: no(/strconv\.ParseFloat: parsing "three"/),
  },
  { name: "bool [false, maybe] on false", filters: data(d("body.forced", "bool", ["false", "maybe"])), expect: YES },
  { name: "bool [false, maybe] on true", filters: data(d("body.private", "bool", ["false", "maybe"])), expect: no(/strconv\.ParseBool: parsing "maybe"/) },
  { name: "string [main, (]: main matches before ( is compiled", filters: data(d("body.ref", "string", ["main", "("])), expect: YES },
  { name: "string [^dev$, (]: ( is an error", filters: data(d("body.ref", "string", ["^dev$", "("])), expect: no(/path "body\.ref": value\[1\] "\("/) },
  { name: "an unknown type is an error per event", filters: data(d("body.ref", "integer", ["1"])), expect: no(/unsupported JSON type "integer"/) },
  {
    name: "an unknown type in or mode: a later filter passes",
    filters: anyOf(d("body.ref", "integer", ["1"]), d("body.size", "number", ["3"])),
    expect: YES,
  },
];

// filterExpr: govaluate.NewEvaluableExpression runs per event, after the fields bind.
const expressions: SemCase[] = [
  {
    name: "an expression that does not parse discards the event",
    filters: { exprs: [{ expr: "size >", fields: [{ name: "size", path: "body.size" }] }] },
    expect: no(/expr filter: "size >": /),
  },
  {
    name: "exprLogicalOperator or: a later true expression passes",
    filters: {
      exprs: [
        { expr: "size >", fields: [{ name: "size", path: "body.size" }] },
        { expr: "size == 3", fields: [{ name: "size", path: "body.size" }] },
      ],
      exprLogicalOperator: "or",
    },
    expect: YES,
  },
];

// filterData's string case: = (or empty) matches, != does not match, any other
// comparator leaves the result false. No error.
const stringComparators: SemCase[] = [
  {
    name: "string >: loads, never matches",
    filters: data(d("body.ref", "string", [".*"], { comparator: ">" })),
    expect: no(/expected string > "\.\*", which never matches a string/),
  },
  { name: "string <= never matches, even an empty pattern", filters: data(d("body.empty", "string", ["^$"], { comparator: "<=" })), expect: no(/never matches a string/) },
  {
    name: "string > in or mode is no error: another filter passes",
    filters: anyOf(d("body.ref", "string", [".*"], { comparator: ">" }), d("body.size", "number", ["3"])),
    expect: YES,
  },
  {
    name: "string > in or mode, alone: skipped without error",
    filters: anyOf(d("body.ref", "string", [".*"], { comparator: ">" })),
    expect: no(/never matches a string/),
  },
];

// pkg/sensors/triggers/params.go ResolveParamValue: getValueWithTemplate parses the
// template per firing; a parse error (like an execution error) falls back to the
// key, then the value.
const unparsableTemplates: SemCase[] = [
  { name: "dataTemplate unclosed: falls back to dataKey", params: [param({ dataTemplate: "{{ .Input.body.ref", dataKey: "body.size" })], expect: fired({ out: "3" }) },
  { name: "dataTemplate unclosed: then to value", params: [param({ dataTemplate: "{{ .Input.body.ref", dataKey: "body.nope", value: "dflt" })], expect: fired({ out: "dflt" }) },
  { name: "dataTemplate with an undefined function: falls back", params: [param({ dataTemplate: "{{ .Input.body.ref | nope }}", value: "dflt" })], expect: fired({ out: "dflt" }) },
  { name: "contextTemplate unparsable: falls back to contextKey", params: [param({ contextTemplate: "{{ end }}", contextKey: "subject" })], expect: fired({ out: "ev" }) },
  {
    name: "dataTemplate unparsable, nothing else: the firing fails with the parse error",
    params: [param({ dataTemplate: "{{ .Input.body.ref" })],
    expect: no(/dataTemplate "\{\{ \.Input\.body\.ref" failed \(template: param:1:\d+: /),
  },
  {
    name: "a data filter template Go cannot parse is a filter error per event",
    filters: data(d("body.ref", "string", [".*"], { template: "{{ .Input" })),
    expect: no(/data filter: template: param:1:\d+: /),
  },
];

// renderEventDataAsJSON (params.go) reads data for application/json and
// application/yaml only; filterData / filterExpr (filter.go) look at the bytes only.
const contentTypes: SemCase[] = [
  {
    name: "text/plain: dataKey falls back to value",
    params: [param({ dataKey: "body.ref", value: "dflt" })],
    events: [{ context: { datacontenttype: "text/plain" }, data: "hello" }],
    expect: fired({ out: "dflt" }),
  },
  {
    name: "form-urlencoded: dataTemplate falls back to value",
    params: [param({ dataTemplate: "{{ .Input.body.ref }}", value: "dflt" })],
    events: [{ context: { datacontenttype: "application/x-www-form-urlencoded" }, data: "ref=main" }],
    expect: fired({ out: "dflt" }),
  },
  {
    name: "application/json with parameters: not application/json to renderEventDataAsJSON",
    params: [param({ dataKey: "body.ref", value: "dflt" })],
    events: [{ context: { datacontenttype: "application/json; charset=utf-8" } }],
    expect: fired({ out: "dflt" }),
  },
  {
    name: "text/plain without a value: the firing fails",
    params: [param({ dataKey: "body.ref" })],
    events: [{ context: { datacontenttype: "text/plain" }, data: "hello" }],
    expect: no(/unsupported event content type: text\/plain/),
  },
  {
    name: "text/plain: contextKey still reads the context",
    params: [param({ contextKey: "datacontenttype" })],
    events: [{ context: { datacontenttype: "text/plain" }, data: "hello" }],
    expect: fired({ out: "text/plain" }),
  },
  {
    name: "application/yaml: the payload is read as YAML",
    params: [param({ dataKey: "body.ref" })],
    events: [{ context: { datacontenttype: "application/yaml" }, data: "body:\n  ref: refs/heads/main\n" }],
    expect: fired({ out: "refs/heads/main" }),
  },
  {
    name: "text/plain text that is not JSON: a data filter discards the event",
    filters: data(d("body.ref", "string", ["main"])),
    events: [{ context: { datacontenttype: "text/plain" }, data: "hello" }],
    expect: no(/data filter: event data not valid JSON/),
  },
  {
    name: "text/plain text that is not JSON: an expr filter too",
    filters: { exprs: [{ expr: "n == 3", fields: [{ name: "n", path: "body.size" }] }] },
    events: [{ context: { datacontenttype: "text/plain" }, data: "hello" }],
    expect: no(/expr filter: event data not valid JSON/),
  },
  {
    name: "text/plain text that is JSON: filters read it, parameters do not",
    filters: data(d("body.ref", "string", ["main"])),
    params: [param({ dataKey: "body.ref", value: "dflt" })],
    events: [{ context: { datacontenttype: "text/plain" }, data: JSON.stringify(DATA) }],
    expect: fired({ out: "dflt" }),
  },
];

describe.each([
  ["values parse lazily (filterData)", lazyValues],
  ["string comparators (filterData)", stringComparators],
  ["expressions parse lazily (filterExpr)", expressions],
  ["unparsable templates (ResolveParamValue, filterData)", unparsableTemplates],
  ["datacontenttype (renderEventDataAsJSON, filterData)", contentTypes],
])("%s", (_group, cases) => {
  it.each(cases)("$name", (c) => runCase(c));
});

describe("refused template functions stay load errors (the gateway is deliberately stricter)", () => {
  it.each([
    ["dataTemplate", { params: [param({ dataTemplate: '{{ env "HOME" }}' })] }, /parameters\[0\]\.src\.dataTemplate: function "env" is refused/],
    ["contextTemplate", { params: [param({ contextTemplate: "{{ expandenv .Input.subject }}" })] }, /src\.contextTemplate: function "expandenv" is refused/],
    ["a data filter template", { filters: data(d("body.ref", "string", [".*"], { template: '{{ getHostByName "example.com" }}' })) }, /data\[0\]\.template: function "getHostByName" is refused/],
  ] as [string, Partial<SemCase>, RegExp][])("%s", (_where, fragment, message) => {
    const sensor = sensorOf({ name: "refused", expect: YES, ...fragment });
    expect(() => compileSensor(sensor)).toThrow(NotSupportedError);
    expect(() => compileSensor(sensor)).toThrow(message);
    expect(() => compileSensor(sensor)).toThrow(/Argo Events' sprig would run it; the gateway is deliberately stricter here/);
  });

  it("a refused function in a template Go cannot parse anyway loads: it never runs in either", () => {
    const sensor = sensorOf({ name: "x", params: [param({ dataTemplate: '{{ env "HOME" }}{{ end }}', value: "dflt" })], expect: YES });
    expect(() => compileSensor(sensor)).not.toThrow();
    runCase({ name: "x", params: [param({ dataTemplate: '{{ env "HOME" }}{{ end }}', value: "dflt" })], expect: fired({ out: "dflt" }) });
  });
});
