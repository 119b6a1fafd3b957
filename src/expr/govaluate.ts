// Knetic/govaluate expressions (Sensor `exprs[].expr`, trigger `conditions`),
// parsed with govaluate's precedence and compiled once to jexl.
import { ExpressionError, errorMessage } from "../errors.js";
import { govaluateEngine } from "./govaluate-runtime.js";
import { lexGovaluate, type GovToken } from "./govaluate-lexer.js";
import { bin, call, lit, type Node } from "./jexl.js";
import { compileRegex } from "./regex.js";

export interface CompiledExpression {
  readonly source: string;
  /** Variable names the expression reads. */
  readonly variables: string[];
  /** Synchronous; throws ExpressionError on a runtime error. */
  evaluate(params: Record<string, unknown>): unknown;
}

/** The jexl source an expression compiles to (for debugging). */
export interface JexlBacked {
  readonly jexlSource: string;
}

// Binary levels from loosest to tightest, as govaluate's stage planner nests them.
// Every level is left-associative (govaluate reorders equal-precedence chains).
const LEVELS: readonly (readonly string[])[] = [
  ["?", ":", "??"],
  ["||"],
  ["&&"],
  ["==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"],
  ["&", "|", "^"],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
  ["**"],
];
const PREFIX = new Set(["-", "!", "~"]);
const KNOWN = new Set([...LEVELS.flat(), ...PREFIX]);
const FN_OPS: Record<string, string> = { "&": "band", "|": "bor", "^": "bxor", "<<": "shl", ">>": "shr", in: "in" };

class Parser {
  private pos = 0;
  readonly variables = new Set<string>();

  constructor(private readonly toks: GovToken[]) {
    for (const t of toks) if (t.k === "sym" && !KNOWN.has(t.v)) throw new ExpressionError(`Invalid token: '${t.v}'`);
    toks.forEach((t, i) => {
      if (t.k === "time") checkTimeNeighbours(toks, i, t.text);
    });
  }

  parse(): Node {
    if (this.toks.length === 0) return lit(null);
    const node = this.separated();
    if (this.pos < this.toks.length) this.unexpected();
    return node;
  }

  private peek(): GovToken | undefined {
    return this.toks[this.pos];
  }

  private unexpected(): never {
    const t = this.peek();
    const shown = t?.k === "time" ? t.text : String(t?.v);
    throw new ExpressionError(t ? `Unexpected token '${shown}'` : "Unexpected end of expression");
  }

  // `a, b` builds an array (used by `in (a, b)`).
  private separated(): Node {
    const first = this.level(0);
    if (this.peek()?.k !== ",") return first;
    const items = [first];
    while (this.peek()?.k === ",") {
      this.pos++;
      items.push(this.level(0));
    }
    return { t: "arr", items };
  }

  private level(n: number): Node {
    if (n >= LEVELS.length) return this.prefix();
    let left = this.level(n + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.k !== "sym" || !LEVELS[n].includes(t.v)) return left;
      this.pos++;
      const right = this.level(n + 1);
      left = this.combine(t.v, left, right);
    }
  }

  private combine(op: string, l: Node, r: Node): Node {
    if (op === "?") return { t: "cond", c: call("tbool", l), a: r, b: lit(null) };
    if (op === ":" || op === "??") return bin("??", l, r);
    if ((op === "=~" || op === "!~") && r.t === "lit" && typeof r.v === "string") {
      return bin(op, l, lit(compileRegex(r.v))); // a constant pattern fails at compile time, as in govaluate
    }
    const fn = FN_OPS[op];
    return fn ? call(fn, l, r) : bin(op, l, r);
  }

  private prefix(): Node {
    const t = this.peek();
    if (t?.k === "sym" && PREFIX.has(t.v)) {
      this.pos++;
      const x = this.prefix();
      return call(t.v === "-" ? "neg" : t.v === "!" ? "not" : "bnot", x);
    }
    return this.value();
  }

  private value(): Node {
    const t = this.peek();
    if (!t) return this.unexpected();
    this.pos++;
    switch (t.k) {
      case "num":
      case "str":
      case "bool":
        return lit(t.v);
      case "time":
        return lit(t.v); // govaluate's planner: float64(t.Unix())
      case "var":
        this.variables.add(t.v);
        return call("param", { t: "env" }, lit(t.v));
      case "acc": {
        this.variables.add(t.v[0]);
        // `a.Method(args)`: like govaluate's planAccessor, everything from the
        // parenthesis on at the loosest level is the argument, evaluated first.
        if (this.peek()?.k === "(") return call("access", { t: "env" }, lit(t.v), this.separated());
        return call("access", { t: "env" }, lit(t.v));
      }
      case "(": {
        if (this.peek()?.k === ")") this.unexpected();
        const inner = this.separated();
        if (this.peek()?.k !== ")") throw new ExpressionError("Unbalanced parenthesis");
        this.pos++;
        return inner;
      }
      default:
        this.pos--;
        return this.unexpected();
    }
  }
}

const MODIFIERS = new Set(["+", "-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>"]);
const TERNARY = new Set(["?", ":", "??"]);
// The tokens after which govaluate's lexer reads `-` as a prefix, not a modifier.
const BEFORE_PREFIX = new Set([...LEVELS.slice(0, 4).flat(), ...MODIFIERS]);

/**
 * govaluate's syntax check (checkExpressionSyntax) allows fewer neighbours for a
 * date literal than for a string: none after a modifier or prefix operator, and no
 * ternary operator after it.
 */
function checkTimeNeighbours(toks: GovToken[], i: number, text: string): void {
  const prev = toks[i - 1];
  if (prev?.k === "sym" && (MODIFIERS.has(prev.v) || PREFIX.has(prev.v))) {
    const before = toks[i - 2];
    const prefix =
      !MODIFIERS.has(prev.v) ||
      (prev.v === "-" && (before === undefined || before.k === "(" || before.k === "," || (before.k === "sym" && BEFORE_PREFIX.has(before.v))));
    throw new ExpressionError(`Cannot transition token types from ${prefix ? "PREFIX" : "MODIFIER"} [${prev.v}] to TIME [${text}]`);
  }
  const next = toks[i + 1];
  if (next?.k === "sym" && TERNARY.has(next.v)) {
    throw new ExpressionError(`Cannot transition token types from TIME [${text}] to TERNARY [${next.v}]`);
  }
}

/** Compile a govaluate expression (Sensor `exprs[].expr`, trigger `conditions`) to jexl, once. */
export function compileGovaluate(expression: string): CompiledExpression & JexlBacked {
  let parser: Parser;
  let root: Node;
  try {
    parser = new Parser(lexGovaluate(expression));
    root = parser.parse();
  } catch (err) {
    throw new ExpressionError(`govaluate ${JSON.stringify(expression)}: ${errorMessage(err)}`, { cause: err });
  }
  const compiled = govaluateEngine.compile(root, expression);
  return {
    source: expression,
    variables: [...parser.variables],
    jexlSource: compiled.jexlSource,
    evaluate: (params) => compiled.evaluate(params),
  };
}
