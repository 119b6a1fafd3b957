import { describe, expect, it } from "vitest";
import { ExpressionError } from "../errors.js";
import { compileGovaluate } from "./govaluate.js";

const params = {
  a: 5,
  b: 2,
  s: "hello",
  n: "1",
  t: true,
  f: false,
  nil: null,
  list: [1, 2],
  obj: { Name: "x", lower: 1 },
  "dep-a": true,
  "x.y": 3,
  "with space": "ok",
};

describe("compileGovaluate evaluates like govaluate", () => {
  it.each<[string, unknown]>([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3], // left-associative
    ["64 / 4 / 2", 8],
    ["7 % 4", 3],
    ["2 ** 3 ** 2", 64], // govaluate reorders equal precedence to the left
    ["-a + 1", -4],
    ["-2 ** 2", 4], // prefix binds tighter than **
    ["a > b && b > 1", true],
    ["a >= 5 && a <= 5 && a != 4", true],
    ["s == 'hello'", true],
    ['s == "hello"', true],
    ['n == 1', false], // "1" == 1 is false: no coercion
    ['n == "1"', true],
    ["s < 'world'", true], // strings compare lexically
    ["s + ' ' + a", "hello 5"],
    ["'v' + 1.5", "v1.5"],
    ["!f", true],
    ["!t == false", true], // ! binds tighter than ==
    ["t || f && f", true], // && binds tighter than ||
    ["f && missing", false], // short-circuit: missing is never read
    ["t || missing", true],
    ["s =~ '^h.*o$'", true],
    ["s !~ 'z'", true],
    ["s =~ s", true],
    ["a in (1, 5, 9)", true],
    ["s in ('x', 'y')", false],
    ["t ? 'yes' : 'no'", "yes"],
    ["f ? 'yes' : 'no'", "no"],
    ["nil ?? 'default'", "default"],
    ["a ?? 'default'", 5],
    ["list == list", true],
    ["[x.y] * 2", 6],
    ["[dep-a] && true", true],
    ["[with space] == 'ok'", true],
    ["0x10 + 1", 17],
    ["6 & 3 | 8", 10],
    ["1 << 4 >> 2", 4],
    ["a > 1 == true", true], // comparators are left-associative at one level
    ['"it\\\'s"', "it's"],
    ["", null],
  ])("%s", (expr, want) => {
    expect(compileGovaluate(expr).evaluate(params)).toEqual(want);
  });

  it("lists the parameters it reads", () => {
    expect(compileGovaluate("a > 1 && [dep-a] || obj.Name == s").variables).toEqual(["a", "dep-a", "obj", "s"]);
  });

  it.each([
    ["missing == 1", "No parameter 'missing' found."],
    ["s > 1", "cannot be used with the comparator '>'"],
    ["a && t", "cannot be used with the logical operator '&&'"],
    ["s - 1", "cannot be used with the modifier '-'"],
    ["!a", "Value '5' cannot be used with the prefix '!'"], // prefixErrorFormat
    ["-s", "Value 'hello' cannot be used with the prefix '-'"],
    ["~t", "Value 'true' cannot be used with the prefix '~'"],
    ["a ? 1 : 2", "ternary operator"],
    ["a in 5", "Value '5' cannot be used with the comparator 'in', it is not a number"], // comparatorErrorFormat
    ["a =~ 'x'", "Value '5' cannot be used with the comparator '=~', it is not a number"],
    ["s !~ a", "Value '5' cannot be used with the comparator '!~', it is not a number"],
    ["s =~ n + '('", "invalid regular expression"],
  ])("%s fails at evaluation with %s", (expr, msg) => {
    const compiled = compileGovaluate(expr);
    expect(() => compiled.evaluate(params)).toThrow(ExpressionError);
    expect(() => compiled.evaluate(params)).toThrow(msg);
  });

  it.each(["a ==", "(a", "a)", "a b", "a == -", "s =~ '('", "'unterminated", "[open", "a==-1", "obj.lower", "a.", "foo()", "a @ b"])(
    "%s fails at compile time",
    (expr) => {
      expect(() => compileGovaluate(expr)).toThrow(ExpressionError);
    },
  );

  it("compiles to a jexl expression once", () => {
    const c = compileGovaluate("a > 1 && s =~ 'h'");
    expect(c.jexlSource).toBe('((_param($env, "a") > 1) && (_param($env, "s") =~ $k[0]))');
  });
});

// govaluate's accessor stage (makeAccessorStage in evaluationStage.go) reads fields
// and methods of Go structs by reflection and fails on anything else with "Unable to
// access '<field>', '<parameter>' is not a struct". Argo Events binds each exprs field
// to gjson's Value() (filterExpr in pkg/sensors/dependencies/filter.go): a map, slice,
// string, float64, bool or nil, never a struct. So an accessor always fails at
// evaluation, on a JSON object too, once its parameter exists.
describe("accessors (a.B) as in Argo Events: never a field of a JSON value", () => {
  it.each<[string, string]>([
    ["obj.Name == 'x'", "Unable to access 'Name', 'obj' is not a struct"],
    ["obj.Missing", "Unable to access 'Missing', 'obj' is not a struct"],
    ["list.Len", "Unable to access 'Len', 'list' is not a struct"],
    ["s.Length > 1", "Unable to access 'Length', 's' is not a struct"],
    ["nil.X", "Unable to access 'X', 'nil' is not a struct"],
    ["obj.Name.First", "Unable to access 'Name', 'obj' is not a struct"],
    // The parameter is looked up first.
    ["gone.Name", "No parameter 'gone' found."],
    // A method call parses; its arguments are evaluated before the accessor fails.
    ["obj.Get('Name')", "Unable to access 'Get', 'obj' is not a struct"],
    ["obj.Get(missing)", "No parameter 'missing' found."],
  ])("%s fails at evaluation with %s", (expr, msg) => {
    const compiled = compileGovaluate(expr);
    expect(() => compiled.evaluate(params)).toThrow(ExpressionError);
    expect(() => compiled.evaluate(params)).toThrow(msg);
  });

  it("is not reached behind a short circuit, so the expression can still be true", () => {
    expect(compileGovaluate("t || obj.Name == 'x'").evaluate(params)).toBe(true);
    expect(compileGovaluate("f && obj.Name == 'x'").evaluate(params)).toBe(false);
  });

  it("an unexported (lower-case) field is a parse error, as govaluate's lexer reports it", () => {
    expect(() => compileGovaluate("obj.name == 'x'")).toThrow("Unable to access unexported field 'name' in token 'obj.name'");
  });
});

describe("compiled jexl shared between expressions", () => {
  it("the same jexl source with other constants evaluates with its own constants", () => {
    const a = compileGovaluate('s == "a, 1!"');
    const b = compileGovaluate('s == "b, 2!"');
    expect(a.jexlSource).toBe(b.jexlSource);
    expect([a.evaluate({ s: "a, 1!" }), a.evaluate({ s: "b, 2!" })]).toEqual([true, false]);
    expect([b.evaluate({ s: "a, 1!" }), b.evaluate({ s: "b, 2!" })]).toEqual([false, true]);
  });
});
