import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { ExpressionError } from "../errors.js";
import { compilePath, globMatch } from "./gjson.js";

// The example document of gjson's own documentation.
const doc = {
  name: { first: "Tom", last: "Anderson" },
  age: 37,
  children: ["Sara", "Alex", "Jack"],
  "fav.movie": "Deer Hunter",
  friends: [
    { first: "Dale", last: "Murphy", age: 44, nets: ["ig", "fb", "tw"] },
    { first: "Roger", last: "Craig", age: 68, nets: ["fb", "tw"] },
    { first: "Jane", last: "Murphy", age: 47, nets: ["ig", "tw"] },
  ],
  nums: { int: 42, neg: -7, float: 1.5, tiny: 1e-7, huge: 1e21, negzero: -0, exp: 1.23e25 },
  flags: { on: true, off: false, none: null },
  "x-hyphen": { "a.b": { c: "deep" } },
  "star*key": "starred",
  // the tilde example of gjson's SYNTAX.md
  vals: [
    { a: 1, b: "data" }, { a: 2, b: true }, { a: 3, b: false }, { a: 4, b: "0" }, { a: 5, b: 0 }, { a: 6, b: "1" },
    { a: 7, b: 1 }, { a: 8, b: "true" }, { a: 9, b: false }, { a: 10, b: null }, { a: 11 },
  ],
};

const cases: { path: string; raw: string; str?: string; type?: string }[] = [
  { path: "name.last", raw: '"Anderson"', str: "Anderson", type: "String" },
  { path: "age", raw: "37", str: "37", type: "Number" },
  { path: "children", raw: '["Sara","Alex","Jack"]', type: "JSON" },
  { path: "children.1", raw: '"Alex"' },
  { path: "children.#", raw: "3", str: "3" },
  { path: "child*.2", raw: '"Jack"' },
  { path: "c?ildren.0", raw: '"Sara"' },
  { path: "fav\\.movie", raw: '"Deer Hunter"' },
  { path: "x-hyphen.a\\.b.c", raw: '"deep"' },
  { path: "star\\*key", raw: '"starred"' },
  { path: "friends.#.first", raw: '["Dale","Roger","Jane"]' },
  { path: "friends.1.last", raw: '"Craig"' },
  { path: 'friends.#(last=="Murphy").first', raw: '"Dale"' },
  { path: 'friends.#(last=="Murphy")#.first', raw: '["Dale","Jane"]' },
  { path: "friends.#(age>45)#.last", raw: '["Craig","Murphy"]' },
  { path: 'friends.#(first%"D*").last', raw: '"Murphy"' },
  { path: 'friends.#(first!%"D*").first', raw: '"Roger"' },
  { path: 'friends.#(nets.#(=="fb"))#.first', raw: '["Dale","Roger"]' },
  { path: "friends.#(age>100)#", raw: "[]", type: "JSON" },
  { path: "friends.#.nets.#", raw: "[3,2,2]" },
  { path: "friends.#.first|1", raw: '"Roger"' },
  { path: 'friends.#(last=="Murphy")#|#', raw: "2" },
  { path: "[name.first,age,missing]", raw: '["Tom",37]' },
  { path: "{name.first,age,\"the-kids\":children.#}", raw: '{"first":"Tom","age":37,"the-kids":3}' },
  { path: "name.{first}", raw: '{"first":"Tom"}' },
  { path: "children|@reverse|0", raw: '"Jack"' },
  { path: "name.@keys", raw: '["first","last"]' },
  { path: "nums.int", raw: "42", str: "42" },
  { path: "nums.neg", raw: "-7", str: "-7" },
  { path: "nums.float", raw: "1.5", str: "1.5" },
  { path: "nums.tiny", raw: "1e-7", str: "0.0000001" },
  { path: "nums.huge", raw: "1e+21", str: "1000000000000000000000" },
  { path: "nums.exp", raw: "1.23e+25", str: "12300000000000000000000000" },
  { path: "nums.negzero", raw: "-0", str: "-0" },
  { path: "flags.on", raw: "true", str: "true", type: "True" },
  { path: "flags.off", raw: "false", str: "false", type: "False" },
  { path: "flags.none", raw: "null", str: "", type: "Null" },
  { path: "name", raw: '{"first":"Tom","last":"Anderson"}', str: '{"first":"Tom","last":"Anderson"}', type: "JSON" },
  { path: 'children.#(!%"*a*")', raw: '"Alex"' },
  { path: 'children.#(%"*a*")#', raw: '["Sara","Jack"]' },
  { path: 'friends.#(last="Murphy")#|0.first', raw: '"Dale"' },
  { path: 'friends.#(last="Murphy")#.0', raw: "[]" },
  { path: 'friends.#(last="Murphy")#.#', raw: "[]" },
  {
    path: '{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}',
    raw: '{"first":"Tom","age":37,"the_murphys":["Dale","Jane"]}',
  },
  { path: "vals.#(b==~true)#.a", raw: "[2,6,7,8]" },
  { path: "vals.#(b==~false)#.a", raw: "[3,4,5,9,10,11]" },
  { path: "vals.#(b==~null)#.a", raw: "[10,11]" },
  { path: "vals.#(b==~*)#.a", raw: "[1,2,3,4,5,6,7,8,9,10]" },
  { path: "vals.#(b!=~*)#.a", raw: "[11]" },
  { path: "$.friends[1].first", raw: '"Roger"' },
  { path: "$.friends[*].age", raw: "[44,68,47]" },
  { path: "$..last", raw: '["Anderson","Murphy","Craig","Murphy"]' },
];

describe("gjson compilePath", () => {
  it.each(cases)("$path", ({ path, raw, str, type }) => {
    const r = compilePath(path).get(doc);
    expect(r.exists).toBe(true);
    expect(r.raw).toBe(raw);
    if (str !== undefined) expect(r.str).toBe(str);
    if (type !== undefined) expect(r.type).toBe(type);
    expect(r.value).toEqual(JSON.parse(raw));
  });

  it.each([
    "missing",
    "name.middle",
    "children.3",
    "children.first",
    "age.value",
    'friends.#(last=="Nobody").first',
    'friends.#(last=="Murphy").missing',
    "$.nothing",
  ])("%s does not exist", (path) => {
    const r = compilePath(path).get(doc);
    expect(r).toEqual({ exists: false, type: "Null", value: null, str: "", raw: "" });
  });

  it.each(["", "a..b", "a.", "friends.#(last==\"x\"", "[a,b", "a\\", "{a}b", "$.a[?(@.b)]"])(
    "rejects malformed path %j at compile time",
    (path) => {
      expect(() => compilePath(path)).toThrow(ExpressionError);
    },
  );

  it("reads a real GitHub push delivery in Argo's payload shape", () => {
    const require = createRequire(import.meta.url);
    const all = require("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[];
    const push = all.find((w) => w.name === "push")?.examples.find((e) => e.ref === "refs/heads/master");
    const payload = { headers: { "X-Github-Event": ["push"] }, body: push };
    const get = (p: string): string => compilePath(p).get(payload).str;
    expect(get("headers.X-Github-Event.0")).toBe("push");
    expect(get("body.ref")).toBe("refs/heads/master");
    expect(get("body.repository.full_name")).toBe("Codertocat/Hello-World");
    expect(get("body.repository.id")).toBe("186853002");
    expect(get("body.commits.#")).toBe("1");
    expect(get('body.commits.#(message=="Initial commit").id')).toBe("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    expect(get("body.commits.#.author.username")).toBe('["Codertocat"]');
    expect(get("body.head_commit.added.0")).toBe("README.md");
    expect(get("body.deleted")).toBe("false");
    expect(compilePath("body.base_ref").get(payload).type).toBe("Null");
  });

  it("gives an object's raw text as Go wrote the event: <, >, & and U+2028 escaped (encoding/json's HTML escaping)", () => {
    const doc = { body: { title: "a <b> & c\u2028", n: 1 } };
    const r = compilePath("body").get(doc);
    expect(r.raw).toBe('{"title":"a \\u003cb\\u003e \\u0026 c\\u2028","n":1}');
    expect(JSON.parse(r.raw)).toEqual(doc.body);
    // A string value is the string itself, unescaped, as gjson's String() gives it.
    expect(compilePath("body.title").get(doc).str).toBe("a <b> & c\u2028");
  });

  it("does not read inherited properties", () => {
    expect(compilePath("constructor").get({}).exists).toBe(false);
    expect(compilePath("a.toString").get({ a: {} }).exists).toBe(false);
  });
});

describe("globMatch", () => {
  it.each([
    ["hello", "h*o", true],
    ["hello", "h?llo", true],
    ["hello", "h?lo", false],
    ["a*b", "a\\*b", true],
    ["axb", "a\\*b", false],
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "*a*a*a*a*a*a*a*a*b", false],
  ])("%s ~ %s = %s", (s, p, want) => {
    expect(globMatch(s, p)).toBe(want);
  });
});
