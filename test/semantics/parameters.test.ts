// Parameters and conditions, case by case: the exact values the created resource
// gets (ConfigMap `data`), or why the trigger did not fire.
import { describe, expect, it } from "vitest";
import type { EventDependency, KubeObject } from "../../src/api/types.js";
import { CONTEXT, DATA, param, runCase, type SemCase } from "./harness.js";

const fired = (data: Record<string, unknown>) => ({ fired: true, data }) as const;
const no = (reason: RegExp) => ({ fired: false, reason }) as const;

const keys: SemCase[] = [
  { name: "dataKey: string", params: [param({ dataKey: "body.ref" })], expect: fired({ out: "refs/heads/main" }) },
  { name: "dataKey: number as text", params: [param({ dataKey: "body.size" })], expect: fired({ out: "3" }) },
  { name: "dataKey: float as gjson prints it", params: [param({ dataKey: "body.ratio" })], expect: fired({ out: "0.25" }) },
  { name: "dataKey: big integer as written", params: [param({ dataKey: "body.big" })], expect: fired({ out: "1234567" }) },
  { name: "dataKey: 1e3 as 1000", params: [param({ dataKey: "body.thousand" })], expect: fired({ out: "1000" }) },
  { name: "dataKey: bool as text", params: [param({ dataKey: "body.forced" })], expect: fired({ out: "false" }) },
  { name: "dataKey: object as JSON text", params: [param({ dataKey: "body.pusher" })], expect: fired({ out: '{"name":"ann","email":"ann@example.com"}' }) },
  { name: "dataKey: array as JSON text", params: [param({ dataKey: "body.repository.topics" })], expect: fired({ out: '["ci","go"]' }) },
  { name: "dataKey: null as the text null", params: [param({ dataKey: "body.nothing" })], expect: fired({ out: "null" }) },
  { name: "dataKey: empty string", params: [param({ dataKey: "body.empty" })], expect: fired({ out: "" }) },
  { name: "dataKey: query path", params: [param({ dataKey: 'body.commits.#(id=="c2").author.name' })], expect: fired({ out: "bob" }) },
  { name: "dataKey: #.key", params: [param({ dataKey: "body.commits.#.id" })], expect: fired({ out: '["c1","c2"]' }) },
  { name: "dataKey: multipath", params: [param({ dataKey: "[body.size,body.ref]" })], expect: fired({ out: '[3,"refs/heads/main"]' }) },
  { name: "dataKey: header value", params: [param({ dataKey: "header.X-Github-Event.0" })], expect: fired({ out: "push" }) },
  { name: "useRawData: number stays a number", params: [param({ dataKey: "body.size", useRawData: true })], expect: fired({ out: 3 }) },
  { name: "useRawData: bool stays a bool", params: [param({ dataKey: "body.private", useRawData: true })], expect: fired({ out: true }) },
  { name: "useRawData: object", params: [param({ dataKey: "body.pusher", useRawData: true })], expect: fired({ out: { name: "ann", email: "ann@example.com" } }) },
  { name: "useRawData: raw array", params: [param({ dataKey: "body.repository.topics", useRawData: true })], expect: fired({ out: ["ci", "go"] }) },
  { name: "useRawData: null", params: [param({ dataKey: "body.nothing", useRawData: true })], expect: fired({ out: null }) },
  { name: "useRawData: a string stays a string", params: [param({ dataKey: "body.num_str", useRawData: true })], expect: fired({ out: "42" }) },
  { name: "contextKey: subject", params: [param({ contextKey: "subject" })], expect: fired({ out: "ev" }) },
  { name: "contextKey: time without fractions", params: [param({ contextKey: "time" })], expect: fired({ out: "2024-05-01T12:00:00Z" }) },
  { name: "contextKey: id", params: [param({ contextKey: "id" })], expect: fired({ out: "0123456789abcdef0123456789abcde0" }) },
  { name: "contextKey: datacontenttype", params: [param({ contextKey: "datacontenttype" })], expect: fired({ out: "application/json" }) },
  { name: "dataKey wins over contextKey", params: [param({ dataKey: "body.ref", contextKey: "subject" })], expect: fired({ out: "refs/heads/main" }) },
  { name: "missing key falls back to value", params: [param({ dataKey: "body.nope", value: "dflt" })], expect: fired({ out: "dflt" }) },
  { name: "missing key falls back to an empty value", params: [param({ dataKey: "body.nope", value: "" })], expect: fired({ out: "" }) },
  { name: "missing key without value fails the firing", params: [param({ dataKey: "body.nope" })], expect: no(/failed: .*dataKey "body\.nope" does not exist/) },
  { name: "missing context key without value", params: [param({ contextKey: "nope" })], expect: no(/contextKey "nope" does not exist/) },
  { name: "value only", params: [param({ value: "fixed" })], expect: fired({ out: "fixed" }) },
  { name: "value is a string even with useRawData", params: [param({ value: "7", useRawData: true })], expect: fired({ out: "7" }) },
];

const templates: SemCase[] = [
  { name: "dataTemplate: field", params: [param({ dataTemplate: "{{ .Input.body.ref }}" })], expect: fired({ out: "refs/heads/main" }) },
  { name: "dataTemplate: sprig pipeline", params: [param({ dataTemplate: "{{ .Input.body.after | trunc 7 }}" })], expect: fired({ out: "6113728" }) },
  { name: "dataTemplate: numbers print as Go float64", params: [param({ dataTemplate: "{{ .Input.body.big }}" })], expect: fired({ out: "1.234567e+06" }) },
  { name: "dataTemplate: small number", params: [param({ dataTemplate: "{{ .Input.body.size }}" })], expect: fired({ out: "3" }) },
  { name: "dataTemplate: header via index", params: [param({ dataTemplate: '{{ index .Input.header "X-Github-Event" 0 }}' })], expect: fired({ out: "push" }) },
  { name: "dataTemplate: several fields", params: [param({ dataTemplate: "{{ .Input.body.repository.name }}@{{ .Input.body.after | trunc 4 }}" })], expect: fired({ out: "app@6113" }) },
  { name: "dataTemplate: toJson is still a string with useRawData", params: [param({ dataTemplate: "{{ toJson .Input.body.pusher }}", useRawData: true })], expect: fired({ out: '{"email":"ann@example.com","name":"ann"}' }) },
  { name: "dataTemplate: <no value> falls back to dataKey", params: [param({ dataTemplate: "{{ .Input.body.nope }}", dataKey: "body.ref" })], expect: fired({ out: "refs/heads/main" }) },
  { name: "dataTemplate: empty output falls back to dataKey", params: [param({ dataTemplate: '{{ if false }}x{{ end }}', dataKey: "body.size" })], expect: fired({ out: "3" }) },
  { name: "dataTemplate: null prints <no value> and falls back", params: [param({ dataTemplate: "{{ .Input.body.nothing }}", value: "none" })], expect: fired({ out: "none" }) },
  { name: "dataTemplate: execution error falls back to value", params: [param({ dataTemplate: "{{ .Input.body.ref.x }}", value: "dflt" })], expect: fired({ out: "dflt" }) },
  { name: "dataTemplate: falls back to key, then value", params: [param({ dataTemplate: "{{ .Input.nope }}", dataKey: "body.nope", value: "last" })], expect: fired({ out: "last" }) },
  { name: "dataTemplate: nothing resolves and no value", params: [param({ dataTemplate: "{{ .Input.nope }}" })], expect: no(/dataTemplate "\{\{ \.Input\.nope \}\}" rendered nothing/) },
  { name: "dataTemplate: result is a string, not raw", params: [param({ dataTemplate: "{{ .Input.body.size }}", useRawData: true })], expect: fired({ out: "3" }) },
  { name: "contextTemplate: source and subject", params: [param({ contextTemplate: "{{ .Input.source }}-{{ .Input.subject }}" })], expect: fired({ out: "src-ev" }) },
  { name: "contextTemplate: replace", params: [param({ contextTemplate: '{{ .Input.type | replace "hook" "HOOK" }}' })], expect: fired({ out: "webHOOK" }) },
  { name: "contextTemplate: context has no extensions", params: [param({ contextTemplate: "{{ .Input.deliveryid }}", value: "none" })], events: [{ context: { deliveryid: "x" } as object }], expect: fired({ out: "none" }) },
  { name: "dataTemplate wins over contextTemplate", params: [param({ contextTemplate: "{{ .Input.subject }}", dataTemplate: "{{ .Input.body.repository.name }}" })], expect: fired({ out: "app" }) },
  { name: "a data key takes the data side: contextTemplate ignored", params: [param({ contextTemplate: "{{ .Input.subject }}", dataKey: "body.size" })], expect: fired({ out: "3" }) },
];

const whole: SemCase = {
  name: "no key, template or value: the whole event, data base64",
  params: [param({})],
  expect: {
    fired: true,
    check: (r: KubeObject) => {
      const text = (r.data as Record<string, string>).out;
      const { id, source, specversion, type, datacontenttype, subject } = CONTEXT;
      const context = { id: `${id.slice(0, -1)}0`, source, specversion, type, datacontenttype, subject, time: "2024-05-01T12:00:00Z" };
      // The header is a Go map (http.Header): Argo writes its keys sorted.
      const data = `{"header":{"Content-Type":["application/json"],"X-Github-Event":["push"]},"body":${JSON.stringify(DATA.body)}}`;
      expect(text).toBe(`{"context":${JSON.stringify(context)},"data":"${Buffer.from(data).toString("base64")}"}`);
    },
  },
};

const operations: SemCase[] = [
  whole,
  { name: "append onto a missing key sets it", params: [param({ dataKey: "body.ref" }, "data.out", "append")], expect: fired({ out: "refs/heads/main" }) },
  { name: "append onto an existing value", initial: { out: "ref=" }, params: [param({ dataKey: "body.ref" }, "data.out", "append")], expect: fired({ out: "ref=refs/heads/main" }) },
  { name: "prepend onto an existing value", initial: { out: "@x" }, params: [param({ dataKey: "body.pusher.name" }, "data.out", "prepend")], expect: fired({ out: "ann@x" }) },
  { name: "append a number to text", initial: { out: "n" }, params: [param({ dataKey: "body.size", useRawData: true }, "data.out", "append")], expect: fired({ out: "n3" }) },
  { name: "append raw onto a missing key stays raw", params: [param({ dataKey: "body.size", useRawData: true }, "data.out", "append")], expect: fired({ out: 3 }) },
  { name: "append onto an existing number gives text", initial: { out: 1 }, params: [param({ dataKey: "body.size" }, "data.out", "append")], expect: fired({ out: "13" }) },
  { name: "append onto an object uses its JSON", initial: { out: { a: 1 } }, params: [param({ value: "!" }, "data.out", "append")], expect: fired({ out: '{"a":1}!' }) },
  { name: "overwrite replaces", initial: { out: "old" }, params: [param({ value: "new" }, "data.out", "overwrite")], expect: fired({ out: "new" }) },
  { name: "parameters apply in order", params: [param({ value: "a" }), param({ value: "b" }, "data.out", "append"), param({ value: "0" }, "data.out", "prepend")], expect: fired({ out: "0ab" }) },
  { name: "dest a.0.b creates and pads an array", params: [param({ value: "x" }, "data.list.0.name")], expect: fired({ list: [{ name: "x" }] }) },
  { name: "dest index past the end pads with null", initial: { list: ["a"] }, params: [param({ value: "x" }, "data.list.2")], expect: fired({ list: ["a", null, "x"] }) },
  { name: "dest -1 appends", initial: { list: ["a"] }, params: [param({ value: "x" }, "data.list.-1")], expect: fired({ list: ["a", "x"] }) },
  { name: "dest with an escaped dot", params: [param({ value: "x" }, "data.a\\.b")], expect: fired({ "a.b": "x" }) },
  { name: "dest nested objects are created", params: [param({ value: "x" }, "data.a.b.c")], expect: fired({ a: { b: { c: "x" } } }) },
  {
    name: "dest into metadata",
    params: [param({ dataKey: "body.repository.name" }, "metadata.labels.repo")],
    expect: { fired: true, check: (r) => expect(r.metadata.labels?.repo).toBe("app") },
  },
];

const deps = (...names: string[]): EventDependency[] => names.map((name) => ({ name, eventSourceName: "src", eventName: name }));

const conditions: SemCase[] = [
  { name: "conditions: default is AND of all, one event waits", dependencies: deps("a", "b"), events: [{ dep: "a" }], expect: no(/waiting for condition "a && b" \(have: a\)/) },
  { name: "conditions: default AND, both events fire", dependencies: deps("a", "b"), events: [{ dep: "a" }, { dep: "b" }], expect: fired({}) },
  { name: "conditions: || fires on one", dependencies: deps("a", "b"), conditions: "a || b", events: [{ dep: "b" }], expect: fired({}) },
  { name: "conditions: hyphenated names", dependencies: deps("dep-a", "dep-b"), conditions: "dep-a && dep-b", events: [{ dep: "dep-a" }, { dep: "dep-b" }], expect: fired({}) },
  { name: "conditions: hyphenated names wait", dependencies: deps("dep-a", "dep-b"), conditions: "dep-a && dep-b", events: [{ dep: "dep-b" }], expect: no(/have: dep-b/) },
  { name: "conditions: grouping", dependencies: deps("x-1", "y-2", "z-3"), conditions: "x-1 || (y-2 && z-3)", events: [{ dep: "y-2" }, { dep: "z-3" }], expect: fired({}) },
  { name: "conditions: negation", dependencies: deps("push-a", "req-b"), conditions: "req-b && !push-a", events: [{ dep: "req-b" }], expect: fired({}) },
  {
    name: "conditions: || leaves the other dependency's parameter alone",
    dependencies: deps("a", "b"),
    conditions: "a || b",
    initial: { fromA: "unset", fromB: "unset" },
    params: [param({ dependencyName: "a", dataKey: "body.ref" }, "data.fromA"), param({ dependencyName: "b", dataKey: "body.size" }, "data.fromB")],
    events: [{ dep: "b" }],
    expect: fired({ fromA: "unset", fromB: "3" }),
  },
  {
    name: "conditions: || takes the default of the missing dependency",
    dependencies: deps("a", "b"),
    conditions: "a || b",
    params: [param({ dependencyName: "a", dataKey: "body.ref", value: "none" }, "data.fromA")],
    events: [{ dep: "b" }],
    expect: fired({ fromA: "none" }),
  },
  {
    name: "conditions: each parameter reads its own dependency's event",
    dependencies: deps("a", "b"),
    params: [param({ dependencyName: "a", dataKey: "n" }, "data.a"), param({ dependencyName: "b", dataKey: "n" }, "data.b")],
    events: [{ dep: "a", data: { n: 1 } }, { dep: "b", data: { n: 2 } }],
    expect: fired({ a: "1", b: "2" }),
  },
  {
    name: "conditions: a filtered-out event does not count",
    dependencies: [{ name: "a", eventSourceName: "src", eventName: "a", filters: { data: [{ path: "ok", type: "bool", value: ["true"] }] } }, ...deps("b")],
    events: [{ dep: "a", data: { ok: false } }, { dep: "b" }],
    expect: no(/waiting for condition "a && b" \(have: b\)/),
  },
];

const templateLevel: SemCase[] = [
  {
    name: "trigger parameters rewrite the template before it runs",
    templateParams: [param({ dataKey: "body.repository.name" }, "k8s.source.resource.data.repo")],
    expect: fired({ repo: "app" }),
  },
  {
    name: "trigger parameters may rename the trigger (label follows)",
    templateParams: [param({ contextKey: "subject" }, "name")],
    expect: { fired: true, check: (r) => expect(r.metadata.labels?.["events.argoproj.io/trigger"]).toBe("ev") },
  },
  {
    name: "trigger parameters can add a resource parameter that then applies",
    templateParams: [param({ value: "body.pusher.email" }, "k8s.parameters.0.src.dataKey"), param({ value: "data.mail" }, "k8s.parameters.0.dest"), param({ value: "dep" }, "k8s.parameters.0.src.dependencyName")],
    expect: fired({ mail: "ann@example.com" }),
  },
];

export const PARAMETER_CASES: SemCase[] = [...keys, ...templates, ...operations, ...conditions, ...templateLevel];

describe("parameters and conditions", () => {
  it.each(PARAMETER_CASES)("$name", (c) => runCase(c));
  it("has a large table", () => {
    expect(PARAMETER_CASES.length).toBeGreaterThanOrEqual(70);
  });
});
