// Shared jexl back end of the govaluate and expr-lang dialects. Each dialect parses
// its own syntax into the small tree below; the tree is emitted once as jexl source
// (every operation fully parenthesised, so jexl's precedence never matters) and
// compiled by a jexl instance the dialect configured with its own operators and
// functions. Literals that jexl's lexer could mangle (escapes, negative or exponent
// numbers, null, precompiled regexes) are passed in a constant table `$k`.
import jexlModule from "jexl";
import type { Expression, Jexl as JexlInstance } from "jexl";
import { ExpressionError, errorMessage } from "../errors.js";

export type Node =
  | { t: "lit"; v: unknown }
  /** The whole parameter map / environment. */
  | { t: "env" }
  /** The current element inside a predicate (`#`). */
  | { t: "it" }
  /** The runtime bundle a closure builtin needs to run its lambda. */
  | { t: "rt" }
  /** A binary operator the dialect registered with addBinaryOp. */
  | { t: "bin"; op: string; l: Node; r: Node }
  /** A function the dialect registered (emitted as `_name(...)`). */
  | { t: "call"; fn: string; args: Node[] }
  /** `c` must evaluate to a boolean (the dialect wraps it in a check). */
  | { t: "cond"; c: Node; a: Node; b: Node }
  | { t: "arr"; items: Node[] }
  /** Only as an argument of a closure builtin; emitted as its lambda index. */
  | { t: "lambda"; body: Node };

/** What a closure builtin receives to evaluate its lambda per element. */
export interface Runtime {
  readonly env: unknown;
  readonly consts: readonly unknown[];
  readonly lambdas: readonly Expression[];
  /** Units left in this evaluation's budget (see charge). */
  budget: number;
}

/**
 * Units one evaluation may spend: a lambda call or an element made (a range, a
 * repeat's KiB) is one. Like expr-lang's MemoryBudget, it bounds what a hostile
 * expression (nested loops over large ranges) can cost: about a second at worst.
 */
export const EXPRESSION_BUDGET = 1_000_000;

export function charge(rt: Runtime, units: number): void {
  // NaN or a negative count would switch the check off for the rest of the evaluation.
  if (!Number.isFinite(units) || units < 0) throw new ExpressionError(`expression exceeded its budget of ${EXPRESSION_BUDGET} steps`);
  rt.budget -= units;
  if (rt.budget < 0) throw new ExpressionError(`expression exceeded its budget of ${EXPRESSION_BUDGET} steps`);
}

export function callLambda(rt: Runtime, index: unknown, it: unknown): unknown {
  const lam = rt.lambdas[Number(index)];
  if (!lam) throw new ExpressionError(`internal: no lambda ${String(index)}`);
  charge(rt, 1);
  return lam.evalSync({ $env: rt.env, $k: rt.consts, $rt: rt, $it: it });
}

export const lit = (v: unknown): Node => ({ t: "lit", v });
export const call = (fn: string, ...args: Node[]): Node => ({ t: "call", fn, args });
export const bin = (op: string, l: Node, r: Node): Node => ({ t: "bin", op, l, r });

const SAFE_STRING = /^[A-Za-z0-9 _.:/@#+-]*$/;
const SAFE_NUMBER = /^\d+(\.\d+)?$/;

class Emitter {
  readonly consts: unknown[] = [];
  readonly lambdas: string[] = [];

  constant(v: unknown): string {
    this.consts.push(v);
    return `$k[${this.consts.length - 1}]`;
  }

  emit(n: Node): string {
    switch (n.t) {
      case "lit":
        if (typeof n.v === "boolean") return String(n.v);
        if (typeof n.v === "string" && SAFE_STRING.test(n.v)) return `"${n.v}"`;
        if (typeof n.v === "number" && SAFE_NUMBER.test(String(n.v))) return String(n.v);
        return this.constant(n.v);
      case "env":
        return "$env";
      case "it":
        return "$it";
      case "rt":
        return "$rt";
      case "bin":
        return `(${this.emit(n.l)} ${n.op} ${this.emit(n.r)})`;
      case "call":
        return `_${n.fn}(${n.args.map((a) => this.emit(a)).join(", ")})`;
      case "cond":
        // jexl's parser rejects `?` right after a call's `)`, so the test gets its own parentheses
        return `((${this.emit(n.c)}) ? ${this.emit(n.a)} : ${this.emit(n.b)})`;
      case "arr":
        return `[${n.items.map((a) => this.emit(a)).join(", ")}]`;
      case "lambda":
        this.lambdas.push("");
        {
          const index = this.lambdas.length - 1;
          this.lambdas[index] = this.emit(n.body);
          return String(index);
        }
    }
  }
}

export interface CompiledJexl {
  /** The jexl source of the main expression (for debugging and tests). */
  readonly jexlSource: string;
  evaluate(env: unknown): unknown;
}

type JexlCtor = new () => JexlInstance;
const JexlClass = (jexlModule as unknown as { Jexl: JexlCtor }).Jexl;

// Per engine: the same jexl source (e.g. `n > 0` in many Sensors) is compiled once. A jexl
// Expression is immutable once compiled (each evaluation makes its own evaluator);
// constants are not part of the source (`$k[i]`), so sharing it is safe.
const EXPRESSION_CACHE_LIMIT = 1000;

/** A jexl instance configured by a dialect, compiling trees of that dialect. */
export class JexlEngine {
  private readonly jexl: JexlInstance;
  private readonly expressions = new Map<string, Expression>();

  constructor(
    private readonly dialect: string,
    configure: (jexl: JexlInstance) => void,
  ) {
    this.jexl = new JexlClass();
    configure(this.jexl);
  }

  compile(root: Node, source: string): CompiledJexl {
    const em = new Emitter();
    const jexlSource = em.emit(root);
    const consts = em.consts;
    let main: Expression;
    let lambdas: Expression[];
    try {
      main = this.expression(jexlSource);
      lambdas = em.lambdas.map((s) => this.expression(s));
    } catch (err) {
      throw new ExpressionError(`${this.dialect} ${JSON.stringify(source)}: internal translation error: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    const dialect = this.dialect;
    return {
      jexlSource,
      evaluate(env: unknown): unknown {
        const rt: Runtime = { env, consts, lambdas, budget: EXPRESSION_BUDGET };
        try {
          return main.evalSync({ $env: env, $k: consts, $rt: rt, $it: undefined });
        } catch (err) {
          // jexl re-throws an error from inside a lambda as `new Error(String(err))`.
          const msg = `${dialect} ${JSON.stringify(source)}: ${errorMessage(err).replace(/^(?:(?:Error|ExpressionError): )+/, "")}`;
          throw new ExpressionError(msg, { cause: err });
        }
      },
    };
  }

  private expression(jexlSource: string): Expression {
    const hit = this.expressions.get(jexlSource);
    if (hit) return hit;
    const compiled = this.jexl.compile(jexlSource);
    if (this.expressions.size >= EXPRESSION_CACHE_LIMIT) {
      const oldest = this.expressions.keys().next().value;
      if (oldest !== undefined) this.expressions.delete(oldest);
    }
    this.expressions.set(jexlSource, compiled);
    return compiled;
  }
}

/** Register plain functions under their `_name` (the emitter's naming). */
export function addFunctions(jexl: JexlInstance, fns: Record<string, (...args: unknown[]) => unknown>): void {
  for (const [name, fn] of Object.entries(fns)) jexl.addFunction(`_${name}`, fn);
}

/** A lazily evaluated operand as jexl hands it to a manual-eval binary operator. */
export interface LazyOperand {
  eval(): PromiseLike<unknown>;
}

/**
 * Register a short-circuit operator. jexl evaluates with its synchronous promise
 * shim under evalSync, so `then` chains stay synchronous.
 */
export function addLazyOp(
  jexl: JexlInstance,
  op: string,
  precedence: number,
  decide: (left: unknown) => { done: true; value: unknown } | { done: false; then: (right: unknown) => unknown },
): void {
  jexl.addBinaryOp(
    op,
    precedence,
    (l: unknown, r: unknown) =>
      (l as LazyOperand).eval().then((left) => {
        const d = decide(left);
        if (d.done) return d.value;
        return (r as LazyOperand).eval().then(d.then);
      }),
    true,
  );
}
