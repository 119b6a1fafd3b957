// expr-lang (formerly antonmedv/expr) expressions: EventSource `filter.expression`
// and WorkflowEventBinding `event.selector`. Parsed with expr-lang's precedence
// climbing and compiled once to jexl.
import { ExpressionError, errorMessage } from "../errors.js";
import { CLOSURE_BUILTINS, PLAIN_BUILTINS, exprLangEngine } from "./exprlang-runtime.js";
import { lexExprLang, type ExprToken } from "./exprlang-lexer.js";
import type { CompiledExpression, JexlBacked } from "./govaluate.js";
import { bin, call, lit, type Node } from "./jexl.js";
import { compileRegex } from "./regex.js";

const BINARY: Record<string, number> = {
  or: 10, "||": 10, and: 15, "&&": 15,
  "==": 20, "!=": 20, "<": 20, ">": 20, ">=": 20, "<=": 20,
  in: 20, matches: 20, contains: 20, startsWith: 20, endsWith: 20,
  "..": 25, "+": 30, "-": 30, "*": 60, "/": 60, "%": 60, "**": 100, "^": 100, "??": 500,
};
const RIGHT_ASSOC = new Set(["**", "^"]);
const UNARY: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };
const COMPARISON = new Set(["<", ">", "<=", ">="]);
const NEGATABLE = new Set(["in", "matches", "contains", "startsWith", "endsWith"]);
const JEXL_OP: Record<string, string> = { or: "||", and: "&&", "^": "**" };
const FN_OP: Record<string, string> = {
  in: "in", matches: "matches", contains: "contains", startsWith: "startsWith", endsWith: "endsWith", "..": "range",
};

class Parser {
  private pos = 0;
  private depth = 0; // > 0 inside a predicate, where `#` and `.field` refer to the element
  readonly variables = new Set<string>();

  constructor(private readonly toks: ExprToken[]) {}

  private get cur(): ExprToken {
    return this.toks[this.pos];
  }
  private is(k: ExprToken["k"], v?: string): boolean {
    return this.cur.k === k && (v === undefined || this.cur.v === v);
  }
  private next(): ExprToken {
    const t = this.cur;
    if (t.k !== "eof") this.pos++;
    return t;
  }
  private expect(k: ExprToken["k"], v?: string): ExprToken {
    if (!this.is(k, v)) this.unexpected();
    return this.next();
  }
  private unexpected(): never {
    const t = this.cur;
    throw new ExpressionError(t.k === "eof" ? "unexpected end of expression" : `unexpected token ${JSON.stringify(t.v)}`);
  }

  parse(): Node {
    const node = this.expression(0);
    if (this.is("op", ";")) throw new ExpressionError("sequences and `let` are not supported");
    if (!this.is("eof")) this.unexpected();
    return node;
  }

  private expression(precedence: number): Node {
    if (precedence === 0 && this.is("op", "let")) throw new ExpressionError("`let` is not supported");
    if (precedence === 0 && this.is("op", "if")) return this.ifElse();
    let left = this.primary();
    let prev = "";
    for (;;) {
      const t = this.cur;
      if (t.k !== "op") break;
      let op = t.v;
      let negate = false;
      if (op === "not") {
        const after = this.toks[this.pos + 1];
        if (after?.k !== "op" || !NEGATABLE.has(after.v)) this.unexpected();
        if (BINARY[after.v] < precedence) break;
        negate = true;
        op = after.v;
        this.next();
      }
      const prec = BINARY[op];
      if (prec === undefined || prec < precedence) break;
      this.next();
      if (prev === "??" && op !== "??") {
        throw new ExpressionError(`Operator (${op}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`);
      }
      if (COMPARISON.has(op)) {
        left = this.comparison(left, op, prec);
      } else {
        const right = this.expression(RIGHT_ASSOC.has(op) ? prec : prec + 1);
        left = this.binary(op, left, right);
        if (negate) left = call("not", left);
      }
      prev = op;
    }
    if (precedence === 0) left = this.conditional(left);
    return left;
  }

  // `a < b < c` means `a < b and b < c`.
  private comparison(left: Node, op: string, prec: number): Node {
    let root: Node | undefined;
    for (;;) {
      const right = this.expression(prec + 1);
      const cmp = bin(op, left, right);
      root = root ? bin("&&", root, cmp) : cmp;
      left = right;
      if (!(this.cur.k === "op" && COMPARISON.has(this.cur.v))) return root;
      op = String(this.next().v);
    }
  }

  private binary(op: string, l: Node, r: Node): Node {
    if (op === "matches" && r.t === "lit" && typeof r.v === "string") return call("matches", l, lit(compileRegex(r.v)));
    const fn = FN_OP[op];
    // A range spends the evaluation's budget: it gets the runtime.
    if (fn === "range") return call(fn, { t: "rt" }, l, r);
    return fn ? call(fn, l, r) : bin(JEXL_OP[op] ?? op, l, r);
  }

  private conditional(node: Node): Node {
    while (this.is("op", "?")) {
      this.next();
      let a: Node;
      if (this.is("op", ":")) {
        this.next();
        a = node;
      } else {
        a = this.expression(0);
        this.expect("op", ":");
      }
      const b = this.expression(0);
      node = { t: "cond", c: call("cbool", node), a, b };
    }
    return node;
  }

  private ifElse(): Node {
    this.expect("op", "if");
    const c = this.expression(0);
    this.expect("br", "{");
    const a = this.expression(0);
    this.expect("br", "}");
    this.expect("op", "else");
    let b: Node;
    if (this.is("op", "if")) b = this.ifElse();
    else {
      this.expect("br", "{");
      b = this.expression(0);
      this.expect("br", "}");
    }
    return { t: "cond", c: call("cbool", c), a, b };
  }

  private primary(): Node {
    const t = this.cur;
    if (t.k === "op" && UNARY[t.v] !== undefined) {
      this.next();
      const x = this.expression(UNARY[t.v]);
      const fn = t.v === "-" ? "neg" : t.v === "+" ? "pos" : "not";
      return this.postfix(call(fn, x));
    }
    if (this.is("br", "(")) {
      this.next();
      const inner = this.expression(0);
      this.expect("br", ")");
      return this.postfix(inner);
    }
    if (this.depth > 0 && t.k === "op" && (t.v === "#" || t.v === ".")) {
      this.next();
      if (t.v === "#" && this.is("ident")) throw new ExpressionError(`#${this.cur.v} is not supported`);
      if (t.v === ".") {
        // `.name` is `#.name`
        const name = this.expect("ident").v;
        return this.postfix(call("get", { t: "it" }, lit(name), lit(false)));
      }
      return this.postfix({ t: "it" });
    }
    return this.secondary();
  }

  private secondary(): Node {
    const t = this.next();
    switch (t.k) {
      case "num":
      case "str":
        return this.postfix(lit(t.v));
      case "ident":
        if (t.v === "true" || t.v === "false") return lit(t.v === "true");
        if (t.v === "nil") return lit(null);
        if (this.is("br", "(")) return this.postfix(this.call(t.v, []));
        if (t.v === "$env") return this.postfix({ t: "env" });
        this.variables.add(t.v);
        return this.postfix(call("var", { t: "env" }, lit(t.v)));
      case "br":
        if (t.v === "[") return this.postfix(this.array());
        if (t.v === "{") return this.postfix(this.map());
        break;
    }
    this.pos--;
    return this.unexpected();
  }

  private call(name: string, piped: Node[]): Node {
    this.expect("br", "(");
    const args = [...piped];
    if (CLOSURE_BUILTINS.has(name)) {
      if (args.length === 0) {
        args.push(this.expression(0));
        this.expect("op", ",");
      }
      args.push(this.predicate());
      if (this.is("op", ",")) this.next();
      this.expect("br", ")");
      return call(`c_${name}`, { t: "rt" }, args[0], args[1]);
    }
    while (!this.is("br", ")")) {
      if (args.length > piped.length) this.expect("op", ",");
      if (this.is("br", ")")) break;
      args.push(this.expression(0));
    }
    this.expect("br", ")");
    if (name === "repeat") return call("repeat", { t: "rt" }, ...args);
    if (PLAIN_BUILTINS.has(name)) return call(`f_${name}`, ...args);
    this.variables.add(name);
    return call("callv", { t: "env" }, lit(name), { t: "arr", items: args });
  }

  private predicate(): Node {
    const braces = this.is("br", "{");
    if (braces) this.next();
    this.depth++;
    const body = this.expression(0);
    this.depth--;
    if (braces) this.expect("br", "}");
    return { t: "lambda", body };
  }

  private array(): Node {
    const items: Node[] = [];
    while (!this.is("br", "]")) {
      if (items.length > 0) {
        this.expect("op", ",");
        if (this.is("br", "]")) break;
      }
      items.push(this.expression(0));
    }
    this.expect("br", "]");
    return { t: "arr", items };
  }

  private map(): Node {
    const keys: Node[] = [];
    const vals: Node[] = [];
    while (!this.is("br", "}")) {
      if (keys.length > 0) {
        this.expect("op", ",");
        if (this.is("br", "}")) break;
      }
      const k = this.cur;
      if (k.k === "num" || k.k === "str" || k.k === "ident") {
        this.next();
        keys.push(lit(String(k.v)));
      } else if (this.is("br", "(")) keys.push(this.expression(0));
      else this.unexpected();
      this.expect("op", ":");
      vals.push(this.expression(0));
    }
    this.expect("br", "}");
    return call("mkmap", { t: "arr", items: keys }, { t: "arr", items: vals });
  }

  // Member access, indexing, slicing, method calls and the `| fn(...)` pipe.
  private postfix(node: Node): Node {
    let optionalChain = false;
    for (;;) {
      const t = this.cur;
      if (t.k === "op" && (t.v === "." || t.v === "?.")) {
        const optional = t.v === "?.";
        optionalChain ||= optional;
        this.next();
        if (optional && this.is("br", "[")) {
          node = this.index(node, true);
          continue;
        }
        const name = this.next();
        if (name.k !== "ident" && !(name.k === "op" && /^[A-Za-z_$]\w*$/.test(name.v))) this.unexpected();
        if (this.is("br", "(")) {
          this.next();
          const args: Node[] = [];
          while (!this.is("br", ")")) {
            if (args.length > 0) this.expect("op", ",");
            args.push(this.expression(0));
          }
          this.expect("br", ")");
          node = call("callm", node, lit(name.v), { t: "arr", items: args });
        } else node = call("get", node, lit(name.v), lit(optional));
      } else if (this.is("br", "[")) {
        node = this.index(node, false);
      } else if (t.k === "op" && t.v === "|" ) {
        this.next();
        const fn = String(this.expect("ident").v);
        node = this.call(fn, [node]);
      } else break;
    }
    return optionalChain ? call("chain", node) : node;
  }

  private index(node: Node, optional: boolean): Node {
    this.expect("br", "[");
    if (this.is("op", ":")) {
      this.next();
      const to = this.is("br", "]") ? lit(null) : this.expression(0);
      this.expect("br", "]");
      return call("slice", node, lit(null), to);
    }
    const from = this.expression(0);
    if (this.is("op", ":")) {
      this.next();
      const to = this.is("br", "]") ? lit(null) : this.expression(0);
      this.expect("br", "]");
      return call("slice", node, from, to);
    }
    this.expect("br", "]");
    return call("get", node, from, lit(optional));
  }
}

/** Compile an expr-lang (antonmedv/expr) expression (EventSource filter, WorkflowEventBinding selector) to jexl, once. */
export function compileExprLang(expression: string): CompiledExpression & JexlBacked {
  let parser: Parser;
  let root: Node;
  try {
    parser = new Parser(lexExprLang(expression));
    root = parser.parse();
  } catch (err) {
    throw new ExpressionError(`expr ${JSON.stringify(expression)}: ${errorMessage(err)}`, { cause: err });
  }
  const compiled = exprLangEngine.compile(root, expression);
  return {
    source: expression,
    variables: [...parser.variables],
    jexlSource: compiled.jexlSource,
    evaluate: (params) => compiled.evaluate(params),
  };
}
