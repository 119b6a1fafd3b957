// Fuzz (bounded, in CI): every parser a Sensor author or a sender reaches, fed random
// text built from its own grammar's characters. Each input either works or fails with
// the gateway's typed error (a clear message): never a TypeError, a RangeError (stack
// overflow) or a hang.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors.js";
import { compileConditions } from "../../src/expr/conditions.js";
import { compileExprLang } from "../../src/expr/exprlang.js";
import { compilePath } from "../../src/expr/gjson.js";
import { compileGoTemplate } from "../../src/expr/gotemplate/index.js";
import { compileGovaluate } from "../../src/expr/govaluate.js";

const RUNS = 400;
const DATA = { body: { a: 1, b: "x", list: [1, 2, { c: true }], "k.y": null }, header: { "X-A": ["v"] } };

/** Strings over `alphabet` (plus any character now and then), up to `max` long. */
function text(alphabet: string, max = 40): fc.Arbitrary<string> {
  const chars = [...alphabet].map((c) => fc.constant(c));
  return fc.array(fc.oneof({ weight: 9, arbitrary: fc.oneof(...chars) }, { weight: 1, arbitrary: fc.string({ maxLength: 1 }) }), { maxLength: max }).map((a) => a.join(""));
}

/** Runs `fn`; a thrown error must be one of ours, and the whole must be quick. */
function clean(fn: () => unknown): void {
  const started = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof GatewayError)) throw new Error(`not a typed error: ${String(err)}`, { cause: err });
    expect((err as Error).message.length).toBeGreaterThan(0);
  }
  expect(performance.now() - started).toBeLessThan(2_000);
}

describe("parsers under random input", () => {
  it("gjson paths", () => {
    fc.assert(fc.property(text("abc.#()*?|@=!<>%\\\"[]{},:0123 -_~"), (p) => clean(() => compilePath(p).get(DATA))), { numRuns: RUNS });
  });

  it("govaluate expressions", () => {
    fc.assert(fc.property(text("ab12.()[]+-*/%<>=!&|^?:,'\" \\~x"), (e) => clean(() => compileGovaluate(e).evaluate({ a: 1, b: "x", x: [1] }))), { numRuns: RUNS });
  });

  it("expr-lang expressions", () => {
    fc.assert(fc.property(text("ab12.()[]{}+-*/%<>=!&|^?:,'\" #in notmatches"), (e) => clean(() => compileExprLang(e).evaluate({ a: 1, b: "x", body: DATA.body }))), { numRuns: RUNS });
  });

  it("Go templates", () => {
    fc.assert(
      fc.property(text("{}.$|()\"'`abc12 -=:rangeifendwithuntillen"), (t) => clean(() => compileGoTemplate(t).render({ Input: DATA, a: [1, 2] }))),
      { numRuns: RUNS },
    );
  });

  it("trigger conditions", () => {
    fc.assert(fc.property(text("ab()&|! -_"), (c) => clean(() => compileConditions(c).evaluate((d) => d === "a"))), { numRuns: RUNS });
  });

  it("deeply nested input ends with a clear error, not a stack overflow", () => {
    for (const n of [1_000, 20_000]) {
      clean(() => compileGovaluate("(".repeat(n) + "1" + ")".repeat(n)).evaluate({}));
      clean(() => compileExprLang("(".repeat(n) + "1" + ")".repeat(n)).evaluate({}));
      clean(() => compileGoTemplate("{{" + "(".repeat(n) + "1" + ")".repeat(n) + "}}").render({}));
      clean(() => compilePath("a" + ".a".repeat(n)).get(DATA));
      clean(() => compileConditions("(".repeat(n) + "a" + ")".repeat(n)).evaluate(() => true));
    }
  });
});
