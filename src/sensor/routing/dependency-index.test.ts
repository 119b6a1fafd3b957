// The index must never miss a dependency whose filters pass: unit cases for what is
// and is not indexed, then a property test against a full scan with the real filters.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DataFilter, EventDependencyFilter, ExprFilter, Sensor } from "../../api/types.js";
import type { CompiledPath } from "../../expr/gjson.js";
import { compileSensor, type CompiledDependency } from "../compile.js";
import type { EventContext, SensorEvent } from "../event.js";
import { checkFilters, compileFilters } from "../filters/filters.js";
import { Where } from "../where.js";
import { filterEvent } from "../../../test/support/filter-harness.js";
import { DependencyIndex } from "./dependency-index.js";

type Op = "and" | "or" | "" | undefined;
const where = new Where("ns", "sensor");

function dep(filters?: EventDependencyFilter, op?: Op): CompiledDependency {
  return {
    name: "dep",
    eventSourceName: "github",
    eventName: "push",
    filters: filters ? compileFilters(filters, op, where, "spec.dependencies[0].filters") : undefined,
    spec: { name: "dep", eventSourceName: "github", eventName: "push", filters, filtersLogicalOperator: op },
  };
}

const str = (path: string, value: string[], extra: Partial<DataFilter> = {}): DataFilter => ({ path, type: "string", value, ...extra });
const repo = (...value: string[]): EventDependencyFilter => ({ data: [str("body.repo", value)] });
const push = (data: unknown, context: Partial<EventContext> = {}): SensorEvent => filterEvent(data, context);
const withRepo = (r: unknown) => push({ body: { repo: r } });

/** An index of named dependencies; `candidates` answers with the names. */
function indexOf(deps: Record<string, CompiledDependency>) {
  const index = new DependencyIndex<string>();
  for (const [name, d] of Object.entries(deps)) index.add(d, name);
  return { index, of: (e: SensorEvent) => index.candidates(e) };
}

/** Asserts the dependency is filed under a pin: some event rules it out. */
function expectIndexed(d: CompiledDependency, miss: SensorEvent): void {
  expect(indexOf({ d }).of(miss)).toEqual([]);
}
/** Asserts the dependency is a candidate for the event although its filters fail it. */
function expectAlways(d: CompiledDependency, e: SensorEvent): void {
  expect(checkFilters(d.filters ?? { or: false }, e).pass).toBe(false);
  expect(indexOf({ d }).of(e)).toEqual(["d"]);
}

describe("DependencyIndex: what is indexed", () => {
  it("an anchored literal: the exact value only", () => {
    const { of } = indexOf({ acme: dep(repo("^acme$")) });
    expect(of(withRepo("acme"))).toEqual(["acme"]);
    for (const miss of ["acme2", "ACME", "my-acme", "acme\n", ""]) expect(of(withRepo(miss))).toEqual([]);
  });

  it("an escaped metacharacter is unescaped: ^a\\.b$ is a.b and not axb", () => {
    const { of } = indexOf({ d: dep(repo("^a\\.b$")) });
    expect(of(withRepo("a.b"))).toEqual(["d"]);
    expect(of(withRepo("axb"))).toEqual([]);
  });

  it("\\Q...\\E, and ^$ for the empty string (which a null value also is)", () => {
    const { of } = indexOf({ q: dep(repo("^\\Qa.b*\\E$")), empty: dep(repo("^$")) });
    expect(of(withRepo("a.b*"))).toEqual(["q"]);
    expect(of(withRepo("ab"))).toEqual([]);
    expect(of(withRepo(""))).toEqual(["empty"]);
    expect(of(withRepo(null))).toEqual(["empty"]);
    expect(checkFilters(dep(repo("^$")).filters!, withRepo(null)).pass).toBe(true);
  });

  it("keys are the text checkData compares: numbers, booleans and objects as gjson prints them", () => {
    const deps = { n: dep(repo("^42$")), f: dep(repo("^1\\.5$")), b: dep(repo("^true$")), o: dep(repo('^\\{"x":1\\}$')) };
    const { of } = indexOf(deps);
    for (const [value, name] of [[42, "n"], [1.5, "f"], [true, "b"], [{ x: 1 }, "o"]] as const) {
      expect(of(withRepo(value))).toEqual([name]);
      expect(checkFilters(deps[name].filters!, withRepo(value)).pass).toBe(true);
    }
  });

  it("a list of literals: any of them", () => {
    const { of } = indexOf({ d: dep(repo("^a$", "^b$", "^a$")) });
    expect(of(withRepo("a"))).toEqual(["d"]);
    expect(of(withRepo("b"))).toEqual(["d"]);
    expect(of(withRepo("c"))).toEqual([]);
  });

  it("one indexable filter among others ANDed, next to other kinds ANDed", () => {
    const filters: EventDependencyFilter = {
      data: [str("body.ref", ["refs/heads/.*"]), str("body.repo", ["^acme$"])],
      exprs: [{ expr: "true", fields: [] }],
      time: { start: "00:00:00", stop: "23:59:59" },
    };
    expectIndexed(dep(filters), push({ body: { ref: "refs/heads/main", repo: "other" } }));
  });

  it("the only data filter in OR mode, and the only kind in OR mode, are still necessary", () => {
    expectIndexed(dep({ data: [str("body.repo", ["^acme$"])], dataLogicalOperator: "or" }), withRepo("x"));
    expectIndexed(dep(repo("^acme$"), "or"), withRepo("x"));
    expectIndexed(dep({ context: { type: "gitlab" } }, "or"), withRepo("x"));
  });

  it("a missing path fails the dependency: not a candidate", () => {
    const d = dep(repo("^acme$"));
    const e = push({ body: { other: 1 } });
    expect(checkFilters(d.filters!, e).pass).toBe(false);
    expect(indexOf({ d }).of(e)).toEqual([]);
    expect(indexOf({ d }).of(push("not an object"))).toEqual([]);
    expect(indexOf({ d }).of(push(null))).toEqual([]);
    // Not even under the empty string, which is what gjson prints for a missing value.
    expect(indexOf({ empty: dep(repo("^$")) }).of(e)).toEqual([]);
  });

  it("an event without data passes data filters: every data-pinned item is a candidate", () => {
    const { of } = indexOf({ a: dep(repo("^a$")), b: dep(repo("^b$")), t: dep({ context: { type: "gitlab" } }) });
    const e = push(undefined);
    expect(of(e)).toEqual(["a", "b"]);
    expect(checkFilters(dep(repo("^a$")).filters!, e).pass).toBe(true);
  });

  it("a context attribute: exact equality; a missing attribute matches nothing", () => {
    const { of } = indexOf({ gh: dep({ context: { type: "github" } }), gl: dep({ context: { type: "gitlab", source: "x" } }) });
    expect(of(push({}, { type: "github" }))).toEqual(["gh"]);
    expect(of(push({}, { type: "gitlab" }))).toEqual(["gl"]);
    expect(of(push({}, { type: "GitHub" }))).toEqual([]);
    const e = push({});
    delete (e.context as Partial<EventContext>).type;
    expect(of(e)).toEqual([]);
  });

  it("a data pin is preferred to a context one (still only a superset)", () => {
    const d = dep({ data: [str("body.repo", ["^acme$"])], context: { type: "gitlab" } });
    const { of } = indexOf({ d });
    expect(of(push({ body: { repo: "acme" } }, { type: "github" }))).toEqual(["d"]);
    expect(of(push({ body: { repo: "x" } }, { type: "gitlab" }))).toEqual([]);
  });
});

describe("DependencyIndex: what is always a candidate", () => {
  const e = withRepo("ACME");
  it.each<[string, EventDependencyFilter, Op]>([
    ["(?i) flags", repo("(?i)^acme2$"), undefined],
    ["an unanchored literal (a substring match)", repo("acm"), undefined],
    ["a regex", repo("^acme.+$"), undefined],
    ["\\Q without \\E (it swallows the $)", repo("^\\QACME$"), undefined],
    ["comparator !=", { data: [str("body.repo", ["^ACME$"], { comparator: "!=" })] }, undefined],
    ["one non-literal value among literals", repo("^acme$", "^ACMEX.*$"), undefined],
    ["a template", { data: [str("body.repo", ["^ACME$"], { template: "{{ .Input }}x" })] }, undefined],
    ["number filters", { data: [{ path: "body.repo", type: "number", value: ["1"] }] }, undefined],
    ["bool filters", { data: [{ path: "body.repo", type: "bool", value: ["true"] }] }, undefined],
    ["data filters ORed", { data: [str("body.repo", ["^acme$"]), str("body.repo", ["^b$"])], dataLogicalOperator: "or" }, undefined],
    ["kinds ORed", { data: [str("body.repo", ["^acme$"])], context: { type: "gitlab" } }, "or"],
    ["exprs", { exprs: [{ expr: "r == 'acme'", fields: [{ name: "r", path: "body.repo" }] }] }, undefined],
    ["time", { time: { start: "01:00:00", stop: "01:00:01" } }, undefined],
  ])("%s", (_, filters, op) => expectAlways(dep(filters, op), e));

  it("no filters, or an empty context filter", () => {
    const { of } = indexOf({ none: dep(), empty: dep({ context: { type: "" } }) });
    expect(of(withRepo("x"))).toEqual(["none", "empty"]);
  });

  it("a template that would make a pin wrong is not indexed", () => {
    const d = dep({ data: [str("body.repo", ["^MAIN$"], { template: "{{ .Input | upper }}" })] });
    const main = withRepo("main");
    expect(checkFilters(d.filters!, main).pass).toBe(true);
    expect(indexOf({ d }).of(main)).toEqual(["d"]);
  });
});

/** A path that counts its evaluations. */
function counting(path: CompiledPath): { path: CompiledPath; calls: () => number } {
  let n = 0;
  return { path: { path: path.path, get: (data) => (n++, path.get(data)) }, calls: () => n };
}

function countedDep(value: string, path: { path: CompiledPath }): CompiledDependency {
  const d = dep(repo(`^${value}$`));
  const f = d.filters!.data!.filters[0];
  return { ...d, filters: { ...d.filters!, data: { or: false, filters: [{ ...f, path: path.path }] } } };
}

describe("DependencyIndex: bookkeeping", () => {
  it("dependencies pinning one path cost one evaluation per event, and only their own bucket", () => {
    const p = counting(dep(repo("^x$")).filters!.data!.filters[0].path);
    const index = new DependencyIndex<number>();
    for (let i = 0; i < 10_000; i++) index.add(countedDep(`repo-${i}`, p), i);
    expect(index.candidates(withRepo("repo-4242"))).toEqual([4242]);
    expect(p.calls()).toBe(1);
    expect(index.size).toBe(10_000);
  });

  it("candidates come once each, in the order they were added", () => {
    const index = new DependencyIndex<string>();
    index.add(dep(repo("^a$")), "1");
    index.add(dep(), "2");
    index.add(dep({ context: { type: "github" } }), "3");
    index.add(dep(repo("^b$", "^a$")), "4");
    index.add(dep(), "5");
    index.add(dep({ data: [str("body.other", ["^a$"])] }), "1"); // a second dependency of "1"
    index.add(dep(repo("^a$")), "1");
    expect(index.candidates(withRepo("a"))).toEqual(["1", "2", "3", "4", "5"]);
    expect(index.candidates(push({ body: { repo: "b" } }, { type: "x" }))).toEqual(["2", "4", "5"]);
    expect(index.size).toBe(5);
  });

  it("delete removes every entry of an item and leaves the others", () => {
    const index = new DependencyIndex<string>();
    index.add(dep(repo("^a$")), "a1");
    index.add(dep(repo("^a$")), "a2");
    index.add(dep({ context: { type: "github" } }), "a2");
    index.add(dep(), "always");
    index.delete("a2");
    index.delete("unknown");
    expect(index.size).toBe(2);
    expect(index.candidates(withRepo("a"))).toEqual(["a1", "always"]);
    index.delete("a1");
    index.delete("always");
    expect(index.size).toBe(0);
    expect(index.candidates(withRepo("a"))).toEqual([]);
    index.add(dep(repo("^a$")), "a1");
    expect(index.candidates(withRepo("a"))).toEqual(["a1"]);
  });

  it("a path nobody pins any more is no longer evaluated", () => {
    const p = counting(dep(repo("^x$")).filters!.data!.filters[0].path);
    const index = new DependencyIndex<string>();
    index.add(countedDep("a", p), "a");
    index.add(countedDep("b", p), "b");
    index.delete("a");
    index.candidates(withRepo("b"));
    expect(p.calls()).toBe(1);
    index.delete("b");
    index.candidates(withRepo("b"));
    expect(p.calls()).toBe(1);
  });

  it("a path that throws makes its items candidates (the filters report it)", () => {
    const throwing = { path: { path: "body.repo", get: (): never => { throw new Error("boom"); } } };
    const { of } = indexOf({ d: countedDep("a", throwing) });
    expect(of(withRepo("zzz"))).toEqual(["d"]);
  });

  it("works on the dependencies of a compiled Sensor, whatever their subject", () => {
    const sensor = compileSensor({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Sensor",
      metadata: { name: "s", namespace: "ns" },
      spec: {
        dependencies: [
          { name: "app", eventSourceName: "github", eventName: "push", filters: repo("^app$") },
          { name: "any", eventSourceName: "gitlab", eventName: "push", filters: repo("main") },
        ],
        triggers: [{ template: { name: "log", conditions: "app || any", log: {} } }],
      },
    } as Sensor);
    const index = new DependencyIndex<string>();
    for (const d of sensor.dependencies) index.add(d, d.name);
    expect(index.candidates(withRepo("app"))).toEqual(["app", "any"]);
    expect(index.candidates(withRepo("main"))).toEqual(["any"]);
  });
});

// ---- property: index then filter == full scan -----------------------------------

// Small, with pairs a template maps onto each other (x→X upper, x→xx doubled).
const LITS = ["x", "y", "a.b", "axb", "", "X", "xx"];
const PATHS = ["body.a", "body.b", "body.c.d", "$.body.a", "body.n"];
const escape = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");

const path = fc.constantFrom(...PATHS);
const literal = fc
  .tuple(fc.constantFrom(...LITS), fc.boolean())
  .map(([s, q]) => (q ? `^\\Q${s}\\E$` : `^${escape(s)}$`));
const comparator = fc.constantFrom(undefined, "", "=", "!=");
const pinned = fc.record({ path, type: fc.constant("string"), value: fc.array(literal, { minLength: 1, maxLength: 3 }), comparator });
const regex = fc.record({
  path,
  type: fc.constant("string"),
  value: fc.array(fc.constantFrom("x", "^x", "x$", "^a.b$", "(?i)^x$", "^(x|y)$", "^x$|^y$", "^\\Qa.b$", ".*", "a", "^x$"), { minLength: 1, maxLength: 2 }),
  comparator,
});
const templated = fc.record({
  path,
  type: fc.constant("string"),
  value: fc.array(literal, { minLength: 1, maxLength: 2 }),
  template: fc.constantFrom("{{ .Input }}", "{{ .Input | upper }}", "{{ .Input }}{{ .Input }}", "{{ .Missing }}"),
});
const numeric = fc.record({ path, type: fc.constant("number"), value: fc.constant(["1"]), comparator: fc.constantFrom("=", "!=", "<", ">=") });
const boolean = fc.record({ path, type: fc.constant("bool"), value: fc.constant(["true"]) });
const dataFilter: fc.Arbitrary<DataFilter> = fc.oneof(
  { arbitrary: pinned, weight: 6 },
  { arbitrary: regex, weight: 2 },
  { arbitrary: templated, weight: 3 },
  { arbitrary: numeric, weight: 1 },
  { arbitrary: boolean, weight: 1 },
);
const exprFilter: fc.Arbitrary<ExprFilter> = fc.oneof(
  fc.record({ expr: fc.constantFrom("v == 'x'", "v != 'y'", "v == 1"), fields: path.map((p) => [{ name: "v", path: p }]) }),
  fc.record({ expr: fc.constantFrom("true", "false"), fields: fc.constant([]) }),
);
const context = fc.record(
  { type: fc.constantFrom("github", "gitlab"), subject: fc.constantFrom("push", "pr"), source: fc.constantFrom("a", "b") },
  { requiredKeys: [] },
);
const op = fc.constantFrom<Op>(undefined, "", "and", "or");
const filterSpec: fc.Arbitrary<EventDependencyFilter> = fc.record(
  {
    data: fc.array(dataFilter, { maxLength: 3 }),
    exprs: fc.array(exprFilter, { maxLength: 2 }),
    context,
    time: fc.constantFrom({ start: "00:00:00", stop: "23:59:59" }, { start: "00:00:00", stop: "23:59:59" }, { start: "01:00:00", stop: "02:00:00" }),
    dataLogicalOperator: op,
    exprLogicalOperator: op,
  },
  { requiredKeys: [] },
);
const depSpec = fc.record({ filters: fc.option(filterSpec, { freq: 8 }), op });

const value = fc.oneof({ arbitrary: fc.constantFrom<unknown>(...LITS), weight: 4 }, fc.constantFrom<unknown>(null, 1, true, { x: 1 }, "1"));
/** Mostly present: a missing path fails every AND, which would hide the rest. */
const field = fc.option(value, { freq: 4, nil: undefined });
const body = fc.record({ a: field, b: field, c: fc.option(fc.record({ d: field }), { freq: 6, nil: undefined }), n: field });
const payload = fc.oneof(
  { arbitrary: body.map((b) => ({ body: JSON.parse(JSON.stringify(b)) as unknown })), weight: 12 },
  { arbitrary: fc.constantFrom<unknown>(undefined, null, "text", {}), weight: 1 },
);
const sensorEvent = fc.record({ data: payload, context }).map(({ data, context: c }): SensorEvent => {
  const e = push(data, c);
  // Attributes the generated context leaves out are absent, as from a sparse CloudEvent.
  for (const k of ["type", "subject", "source"] as const) if (!(k in c)) delete (e.context as Partial<EventContext>)[k];
  return e;
});

/**
 * Runs the property for dependencies drawn from `deps` and returns how many
 * (dependency, event) pairs there were, were candidates, and passed.
 */
function agree(deps: fc.Arbitrary<{ filters: EventDependencyFilter | null; op: Op }>, numRuns: number) {
  const stats = { pairs: 0, candidates: 0, passed: 0 };
  fc.assert(
    fc.property(
      fc.array(deps, { minLength: 1, maxLength: 25 }),
      fc.array(sensorEvent, { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (specs, events, deletions) => {
        const compiled = specs.map((s) => dep(s.filters ?? undefined, s.op));
        const index = new DependencyIndex<number>();
        compiled.forEach((d, i) => index.add(d, i));
        const deleted = new Set(deletions.map((n) => n % compiled.length));
        for (const i of deleted) index.delete(i);
        const live = compiled.map((_, i) => i).filter((i) => !deleted.has(i));
        expect(index.size).toBe(live.length);
        for (const e of events) {
          const passes = (i: number) => checkFilters(compiled[i].filters ?? { or: false }, e).pass;
          const cands = index.candidates(e);
          // No duplicates, only live items, in insertion order.
          expect(cands).toEqual([...new Set(cands)].filter((i) => !deleted.has(i)).sort((a, b) => a - b));
          expect(cands.filter(passes)).toEqual(live.filter(passes));
          stats.pairs += live.length;
          stats.candidates += cands.length;
          stats.passed += live.filter(passes).length;
        }
      },
    ),
    { numRuns },
  );
  return stats;
}

describe("DependencyIndex: property", () => {
  it("the candidates that pass are exactly the dependencies that pass (full scan)", () => {
    const stats = agree(depSpec, 1000);
    // Not vacuous: many pairs pass, and the index rules out a good share of the rest.
    expect(stats.passed).toBeGreaterThan(stats.pairs * 0.05);
    expect(stats.candidates).toBeLessThan(stats.pairs * 0.8);
    expect(stats.candidates).toBeGreaterThan(stats.passed);
  });

  it("the same with data filters alone, where a wrong pin shows most often", () => {
    const onlyData = fc.record({ filters: fc.record({ data: fc.array(dataFilter, { minLength: 1, maxLength: 2 }), dataLogicalOperator: op }), op });
    const stats = agree(onlyData, 500);
    expect(stats.passed).toBeGreaterThan(stats.pairs * 0.05);
    expect(stats.candidates).toBeLessThan(stats.pairs * 0.8);
  });

  it("typical events: one pinned Sensor out of many, plus the unindexable ones", () => {
    const index = new DependencyIndex<string>();
    for (let i = 0; i < 100; i++) index.add(dep({ data: [str("body.repository.name", [`^repo-${i}$`])] }), `repo-${i}`);
    index.add(dep({ data: [str("body.ref", ["refs/heads/.*"])] }), "refs");
    index.add(dep({ exprs: [{ expr: "n > 1", fields: [{ name: "n", path: "body.size" }] }] }), "expr");
    const e = push({ body: { repository: { name: "repo-7" }, ref: "refs/heads/main", size: 3 } });
    expect(index.candidates(e)).toEqual(["repo-7", "refs", "expr"]);
  });
});
