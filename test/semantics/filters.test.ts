// Dependency filters, case by case against the payload in harness.ts. Each case
// is the sensor fragment and whether the trigger fires (or why it is skipped).
import { describe, expect, it } from "vitest";
import type { DataFilter, EventDependencyFilter } from "../../src/api/types.js";
import { runCase, type SemCase } from "./harness.js";

const YES = { fired: true } as const;
const no = (reason: RegExp) => ({ fired: false, reason }) as const;
const d = (path: string, type: string, value: string[], extra: Partial<DataFilter> = {}): DataFilter => ({
  path,
  type,
  value,
  ...extra,
});
const data = (...filters: DataFilter[]): EventDependencyFilter => ({ data: filters });
const expr = (e: string, fields: Record<string, string>) => ({
  expr: e,
  fields: Object.entries(fields).map(([name, path]) => ({ name, path })),
});
const time = (start: string, stop: string, timezone?: string) =>
  ({ time: { start, stop, ...(timezone ? { timezone } : {}) } }) as EventDependencyFilter;

const strings: SemCase[] = [
  { name: "string: unanchored regex matches inside", filters: data(d("body.ref", "string", ["main"])), expect: YES },
  { name: "string: anchored regex must match whole", filters: data(d("body.ref", "string", ["^main$"])), expect: no(/path "body\.ref" is "refs\/heads\/main", expected string to match "\^main\$"/) },
  { name: "string: alternation", filters: data(d("body.ref", "string", ["refs/heads/(main|master)$"])), expect: YES },
  { name: "string: any one value passes", filters: data(d("body.ref", "string", ["^dev$", "^refs/heads/main$"])), expect: YES },
  { name: "string: != passes when no match", filters: data(d("body.ref", "string", ["dev"], { comparator: "!=" })), expect: YES },
  { name: "string: != fails on a match", filters: data(d("body.ref", "string", ["main"], { comparator: "!=" })), expect: no(/expected string not to match "main"/) },
  { name: "string: regex on boolean true", filters: data(d("body.private", "string", ["^true$"])), expect: YES },
  { name: "string: regex on boolean false", filters: data(d("body.forced", "string", ["^false$"])), expect: YES },
  { name: "string: regex on integer", filters: data(d("body.size", "string", ["^3$"])), expect: YES },
  { name: "string: regex on float", filters: data(d("body.ratio", "string", ["^0\\.25$"])), expect: YES },
  { name: "string: big integer printed as written", filters: data(d("body.big", "string", ["^1234567$"])), expect: YES },
  { name: "string: 1e3 printed as 1000", filters: data(d("body.thousand", "string", ["^1000$"])), expect: YES },
  { name: "string: object matched as raw JSON", filters: data(d("body.pusher", "string", ['"name":"ann"'])), expect: YES },
  { name: "string: array matched as raw JSON", filters: data(d("body.repository.topics", "string", ['^\\["ci","go"\\]$'])), expect: YES },
  { name: "string: null reads as empty text", filters: data(d("body.nothing", "string", ["^$"])), expect: YES },
  { name: "string: empty string value", filters: data(d("body.empty", "string", ["^$"])), expect: YES },
  { name: "string: missing path is an error in AND", filters: data(d("body.nope", "string", [".*"])), expect: no(/data filter: path "body\.nope" does not exist/) },
  { name: "string: header array as raw JSON", filters: data(d("header.X-Github-Event", "string", ['\\["push"\\]'])), expect: YES },
  { name: "string: header element by index", filters: data(d("header.X-Github-Event.0", "string", ["^push$"])), expect: YES },
  { name: "string: case-sensitive", filters: data(d("body.ref", "string", ["MAIN"])), expect: no(/expected string to match "MAIN"/) },
  { name: "string: RE2 (?i) flag", filters: data(d("body.ref", "string", ["(?i)MAIN"])), expect: YES },
  { name: "string: RE2 Unicode class", filters: data(d("body.pusher.name", "string", ["^\\p{L}+$"])), expect: YES },
  { name: "path: query on an array", filters: data(d('body.commits.#(id=="c2").author.name', "string", ["^bob$"])), expect: YES },
  { name: "path: query without a match is a missing path", filters: data(d('body.commits.#(id=="c9").id', "string", [".*"])), expect: no(/does not exist/) },
  { name: "path: #.key maps to an array", filters: data(d("body.commits.#.id", "string", ['^\\["c1","c2"\\]$'])), expect: YES },
  { name: "path: # is the length", filters: data(d("body.commits.#", "number", ["2"])), expect: YES },
  { name: "path: multipath [a,b]", filters: data(d("[body.size,body.zero]", "string", ["^\\[3,0\\]$"])), expect: YES },
  { name: "path: escaped dot in a key", filters: data(d("body.dotted\\.key", "string", ["^dk$"])), expect: YES },
  { name: "path: hyphen inside a key", filters: data(d("body.repository.default-branch", "string", ["^main$"])), expect: YES },
  { name: "path: query returning an object", filters: data(d('body.labels.#(name=="deploy")', "string", ['"deploy"'])), expect: YES },
  { name: "path: wildcard key", filters: data(d("body.repo*.name", "string", ["^app$"])), expect: YES },
  { name: "path: JSONPath with $", filters: data(d("$.body.repository.name", "string", ["^app$"])), expect: YES },
];

const numbers: SemCase[] = [
  { name: "number: = integer", filters: data(d("body.size", "number", ["3"])), expect: YES },
  { name: "number: = written as 3.0", filters: data(d("body.size", "number", ["3.0"])), expect: YES },
  { name: "number: > below", filters: data(d("body.size", "number", ["2"], { comparator: ">" })), expect: YES },
  { name: "number: > equal fails", filters: data(d("body.size", "number", ["3"], { comparator: ">" })), expect: no(/path "body\.size" is "3" \(3\), expected number > "3"/) },
  { name: "number: >= equal", filters: data(d("body.size", "number", ["3"], { comparator: ">=" })), expect: YES },
  { name: "number: < equal fails", filters: data(d("body.size", "number", ["3"], { comparator: "<" })), expect: no(/expected number < "3"/) },
  { name: "number: <= equal", filters: data(d("body.size", "number", ["3"], { comparator: "<=" })), expect: YES },
  { name: "number: != equal fails", filters: data(d("body.size", "number", ["3"], { comparator: "!=" })), expect: no(/expected number != "3"/) },
  { name: "number: != other", filters: data(d("body.size", "number", ["4"], { comparator: "!=" })), expect: YES },
  { name: "number: numeric string is parsed", filters: data(d("body.num_str", "number", ["42"])), expect: YES },
  { name: "number: non-numeric string is 0", filters: data(d("body.ref", "number", ["0"])), expect: YES },
  { name: "number: true is 1", filters: data(d("body.private", "number", ["1"])), expect: YES },
  { name: "number: null is 0", filters: data(d("body.nothing", "number", ["0"])), expect: YES },
  { name: "number: float <", filters: data(d("body.ratio", "number", ["0.5"], { comparator: "<" })), expect: YES },
  { name: "number: negative", filters: data(d("body.neg", "number", ["0"], { comparator: "<" })), expect: YES },
  { name: "number: any of several values", filters: data(d("body.size", "number", ["1", "2", "3"])), expect: YES },
  { name: "number: comparator applies to each value", filters: data(d("body.size", "number", ["5", "1"], { comparator: ">" })), expect: YES },
  { name: "number: exponent in the filter value", filters: data(d("body.size", "number", ["1e1"], { comparator: "<" })), expect: YES },
  { name: "number: missing path", filters: data(d("body.count", "number", ["1"])), expect: no(/path "body\.count" does not exist/) },
];

const bools: SemCase[] = [
  { name: "bool: true", filters: data(d("body.private", "bool", ["true"])), expect: YES },
  { name: "bool: false", filters: data(d("body.forced", "bool", ["false"])), expect: YES },
  { name: "bool: mismatch", filters: data(d("body.forced", "bool", ["true"])), expect: no(/path "body\.forced" is "false", expected bool to be "true"/) },
  { name: "bool: string TRUE reads as true", filters: data(d("body.bool_str", "bool", ["true"])), expect: YES },
  { name: "bool: non-zero number is true", filters: data(d("body.size", "bool", ["true"])), expect: YES },
  { name: "bool: zero is false", filters: data(d("body.zero", "bool", ["false"])), expect: YES },
  { name: "bool: Go spelling T", filters: data(d("body.private", "bool", ["T"])), expect: YES },
  { name: "bool: other text is false", filters: data(d("body.ref", "bool", ["false"])), expect: YES },
];

const templates: SemCase[] = [
  { name: "template: upper before regex", filters: data(d("body.ref", "string", ["^REFS/HEADS/MAIN$"], { template: "{{ .Input | upper }}" })), expect: YES },
  { name: "template: trimPrefix", filters: data(d("body.ref", "string", ["^main$"], { template: '{{ trimPrefix "refs/heads/" .Input }}' })), expect: YES },
  { name: "template: output compared as a number", filters: data(d("body.size", "number", ["30"], { template: "{{ .Input }}0" })), expect: YES },
  { name: "template: .Input of an object is its JSON text", filters: data(d("body.pusher", "string", ['^\\{"name":"ann","email"'], { template: "{{ .Input }}" })), expect: YES },
  { name: "template: output read as bool", filters: data(d("body.ref", "bool", ["true"], { template: '{{ hasSuffix "/main" .Input }}' })), expect: YES },
  { name: "template: empty output is an error", filters: data(d("body.ref", "string", [".*"], { template: '{{ if eq .Input "x" }}y{{ end }}' })), expect: no(/evaluated to empty string or no value/) },
  { name: "template: execution error skips", filters: data(d("body.ref", "string", [".*"], { template: "{{ .Input.foo }}" })), expect: no(/can't evaluate field foo/) },
  { name: "template: missing path errors before templating", filters: data(d("body.nope", "string", [".*"], { template: "x" })), expect: no(/path "body\.nope" does not exist/) },
  {
    name: "template: an error is only a warning when another OR entry passes",
    filters: { data: [d("body.ref", "string", [".*"], { template: "{{ .Input.foo }}" }), d("body.size", "number", ["3"])], dataLogicalOperator: "or" },
    expect: YES,
  },
];

const logic: SemCase[] = [
  { name: "data AND: both pass", filters: data(d("body.ref", "string", ["main"]), d("body.size", "number", ["3"])), expect: YES },
  { name: "data AND: second fails", filters: data(d("body.ref", "string", ["main"]), d("body.size", "number", ["4"])), expect: no(/body\.size/) },
  { name: "data OR: one passes", filters: { data: [d("body.ref", "string", ["dev"]), d("body.size", "number", ["3"])], dataLogicalOperator: "or" }, expect: YES },
  { name: "data OR: none passes", filters: { data: [d("body.ref", "string", ["dev"]), d("body.size", "number", ["4"])], dataLogicalOperator: "or" }, expect: no(/body\.ref.*; .*body\.size/) },
  { name: "data OR: missing path, another passes", filters: { data: [d("body.nope", "string", ["x"]), d("body.size", "number", ["3"])], dataLogicalOperator: "or" }, expect: YES },
  { name: "data OR: every path missing", filters: { data: [d("body.nope", "string", ["x"]), d("body.nada", "number", ["3"])], dataLogicalOperator: "or" }, expect: no(/body\.nope.*body\.nada/) },
  { name: "data AND: missing path after a passing one", filters: data(d("body.size", "number", ["3"]), d("body.nope", "string", ["x"])), expect: no(/body\.nope" does not exist/) },
];

const exprs: SemCase[] = [
  { name: "exprs: equality", filters: { exprs: [expr('ref == "refs/heads/main"', { ref: "body.ref" })] }, expect: YES },
  { name: "exprs: numbers and bools keep their type", filters: { exprs: [expr("size > 2 && forced == false", { size: "body.size", forced: "body.forced" })] }, expect: YES },
  { name: "exprs: arithmetic", filters: { exprs: [expr("size + 1 == 4", { size: "body.size" })] }, expect: YES },
  { name: "exprs: =~ regex", filters: { exprs: [expr('ref =~ "main$"', { ref: "body.ref" })] }, expect: YES },
  { name: "exprs: !~ regex", filters: { exprs: [expr('ref !~ "main$"', { ref: "body.ref" })] }, expect: no(/expr filter: "ref !~ \\"main\$\\"" is false/) },
  { name: "exprs: missing path names the path", filters: { exprs: [expr("x == 1", { x: "body.nope" })] }, expect: no(/expr filter: path "body\.nope" does not exist/) },
  { name: "exprs: AND, second false", filters: { exprs: [expr("size == 3", { size: "body.size" }), expr("size == 4", { size: "body.size" })] }, expect: no(/size == 4/) },
  { name: "exprs: OR, second true", filters: { exprs: [expr("size == 4", { size: "body.size" }), expr("size == 3", { size: "body.size" })], exprLogicalOperator: "or" }, expect: YES },
  { name: "exprs: OR, missing path then true", filters: { exprs: [expr("x == 1", { x: "body.nope" }), expr("size == 3", { size: "body.size" })], exprLogicalOperator: "or" }, expect: YES },
  { name: "exprs: OR, all false", filters: { exprs: [expr("size == 4", { size: "body.size" }), expr("size == 5", { size: "body.size" })], exprLogicalOperator: "or" }, expect: no(/size == 4.*size == 5/) },
  { name: "exprs: number is not equal to its text", filters: { exprs: [expr('size == "3"', { size: "body.size" })] }, expect: no(/is false/) },
  { name: "exprs: nested path", filters: { exprs: [expr('n == "ann"', { n: "body.commits.0.author.name" })] }, expect: YES },
  { name: "exprs: negation of a bool", filters: { exprs: [expr("!forced", { forced: "body.forced" })] }, expect: YES },
  { name: "exprs: string concatenation", filters: { exprs: [expr('ref + "x" == "refs/heads/mainx"', { ref: "body.ref" })] }, expect: YES },
  { name: "exprs: field from a query path", filters: { exprs: [expr('a == "bob"', { a: 'body.commits.#(id=="c2").author.name' })] }, expect: YES },
];

const context: SemCase[] = [
  { name: "context: type", filters: { context: { type: "webhook" } }, expect: YES },
  { name: "context: subject mismatch", filters: { context: { subject: "other" } }, expect: no(/context filter: subject is "ev", expected "other"/) },
  { name: "context: source and type", filters: { context: { source: "src", type: "webhook" } }, expect: YES },
  { name: "context: datacontenttype", filters: { context: { datacontenttype: "application/json" } }, expect: YES },
  { name: "context: exact, not a regex", filters: { context: { type: "web.*" } }, expect: no(/type is "webhook"/) },
];

// Events are at 12:00:00.250Z.
const times: SemCase[] = [
  { name: "time: inside", filters: time("11:00:00", "13:00:00"), expect: YES },
  { name: "time: outside", filters: time("13:00:00", "14:00:00"), expect: no(/outside \[13:00:00, 14:00:00\) UTC/) },
  { name: "time: start inclusive", filters: time("12:00:00", "12:00:01"), expect: YES },
  { name: "time: stop exclusive", filters: time("11:00:00", "12:00:00"), expect: no(/outside/) },
  { name: "time: wraps midnight, event late", filters: time("22:00:00", "02:00:00"), events: [{ context: { time: "2024-05-01T23:00:00Z" } }], expect: YES },
  { name: "time: wraps midnight, event early", filters: time("22:00:00", "02:00:00"), events: [{ context: { time: "2024-05-02T01:00:00Z" } }], expect: YES },
  { name: "time: wraps midnight, midday outside", filters: time("22:00:00", "02:00:00"), expect: no(/outside/) },
  { name: "time: timezone", filters: time("14:00:00", "15:00:00", "Europe/Berlin"), expect: YES },
  { name: "time: timezone outside", filters: time("12:00:00", "13:00:00", "Europe/Berlin"), expect: no(/Europe\/Berlin/) },
  { name: "time: one-digit hour", filters: time("9:00:00", "13:00:00"), expect: YES },
  { name: "time: start equal to stop is the whole day", filters: time("05:00:00", "05:00:00"), expect: YES },
];

const kinds: SemCase[] = [
  { name: "kinds AND: exprs pass, data fails", filters: { exprs: [expr("size == 3", { size: "body.size" })], data: [d("body.ref", "string", ["dev"])] }, expect: no(/data filter/) },
  { name: "kinds AND: all pass", filters: { exprs: [expr("size == 3", { size: "body.size" })], data: [d("body.ref", "string", ["main"])], context: { type: "webhook" } }, expect: YES },
  { name: "kinds AND: a data error wins over an earlier plain failure", filters: { exprs: [expr("size == 4", { size: "body.size" })], data: [d("body.nope", "string", ["x"])] }, expect: no(/data filter: path "body\.nope" does not exist/) },
  { name: "kinds OR: data fails, context passes", filtersLogicalOperator: "or", filters: { data: [d("body.ref", "string", ["dev"])], context: { type: "webhook" } }, expect: YES },
  {
    // filter.go Filter(): any filterEvent error is false, in "or" mode too.
    name: "kinds OR: an error discards the event although another kind passed",
    filtersLogicalOperator: "or",
    filters: { data: [d("body.nope", "string", ["x"])], context: { type: "webhook" } },
    expect: no(/data filter: path "body\.nope" does not exist/),
  },
  { name: "kinds OR: nothing passes", filtersLogicalOperator: "or", filters: { data: [d("body.ref", "string", ["dev"])], context: { type: "gitlab" } }, expect: no(/no filter passed: .*data filter.*context filter/) },
  { name: "kinds OR: time passes, exprs fail", filtersLogicalOperator: "or", filters: { exprs: [expr("size == 4", { size: "body.size" })], ...time("11:00:00", "13:00:00") }, expect: YES },
  { name: "no data: data filters pass", filters: data(d("body.ref", "string", ["main"])), events: [{ data: undefined }], expect: YES },
];

export const FILTER_CASES: SemCase[] = [...strings, ...numbers, ...bools, ...templates, ...logic, ...exprs, ...context, ...times, ...kinds];

describe("filters", () => {
  it.each(FILTER_CASES)("$name", (c) => runCase(c));
  it("covers every filter kind", () => {
    expect(FILTER_CASES.length).toBeGreaterThanOrEqual(100);
  });
});
