import { describe, expect, it } from "vitest";
import { ExpressionError } from "../errors.js";
import { compileExprLang } from "./exprlang.js";
import { EXPRESSION_BUDGET } from "./jexl.js";

const run = (src: string, env: Record<string, unknown> = {}) => compileExprLang(src).evaluate(env);

describe("expr-lang budget", () => {
  it("keeps ordinary ranges, loops and repeats", () => {
    expect(run("len(1..1000)")).toBe(1000);
    expect(run("map(1..3, # * 2)")).toEqual([2, 4, 6]);
    expect(run('repeat("ab", 3)')).toBe("ababab");
    expect(run("all(1..100, {# > 0})")).toBe(true);
  });

  it.each([
    ["a range of a hundred million", "len(1..100000000)"],
    ["nested loops of a million lambda calls", "len(map(1..1000, map(1..1000, #)))"],
    ["a repeat of 2 GB", 'len(repeat("x", 2000000000))'],
    ["a range sized by the payload", "len(1..payload.n)"],
    ["a 100 MB repeat", 'len(repeat("x", 100000000)) > 0'],
  ])("refuses %s with a typed error", (_what, src) => {
    let err: unknown;
    try {
      run(src, { payload: { n: 60_000_000 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toContain(`exceeded its budget of ${EXPRESSION_BUDGET} steps`);
  });

  it.each([
    ['a NaN count that would switch the budget off', 'repeat("x", 0/0) == "" && len(map(1..20000000, #)) > 0'],
    ["a range to NaN", "len(1..(0/0))"],
  ])("refuses %s as an invalid integer", (_what, src) => {
    expect(() => run(src)).toThrow(ExpressionError);
    expect(() => run(src)).toThrow("invalid operation: int(NaN)");
  });

  it("gives every evaluation a fresh budget", () => {
    const e = compileExprLang("len(1..600000)");
    expect(e.evaluate({})).toBe(600_000);
    expect(e.evaluate({})).toBe(600_000);
  });

  it("refuses a negative repeat count like expr-lang", () => {
    expect(() => run('repeat("x", -1)')).toThrow(ExpressionError);
  });
});
