import { ExpressionError } from "../errors.js";

/**
 * A trigger's `conditions`: a boolean expression over dependency names with
 * `&&`, `||`, `!` and parentheses. Names may contain `-` and `.` (as dependency
 * names do); govaluate's `\-` escape and `[name]` brackets are accepted too.
 */
export interface CompiledCondition {
  readonly source: string;
  /** Dependency names, in order of first appearance. */
  readonly variables: string[];
  evaluate(has: (dependency: string) => boolean): boolean;
}

type Node =
  | { op: "var"; name: string }
  | { op: "not"; arg: Node }
  | { op: "and" | "or"; left: Node; right: Node };

type Token = { t: "&&" | "||" | "!" | "(" | ")" } | { t: "id"; name: string };

const IDENT = /^(?:[A-Za-z0-9_.]|\\-|-)+/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const op = ["&&", "||", "!", "(", ")"].find((o) => rest.startsWith(o)) as "&&" | "||" | "!" | "(" | ")" | undefined;
    if (op) {
      out.push({ t: op });
      i += op.length;
      continue;
    }
    if (rest.startsWith("[")) {
      const end = rest.indexOf("]");
      if (end < 2) throw new ExpressionError(`conditions "${src}": unterminated [ at ${i}`);
      out.push({ t: "id", name: rest.slice(1, end) });
      i += end + 1;
      continue;
    }
    const id = IDENT.exec(rest);
    if (!id) throw new ExpressionError(`conditions "${src}": unexpected "${rest[0]}" at ${i}`);
    out.push({ t: "id", name: id[0].replace(/\\-/g, "-") });
    i += id[0].length;
  }
  return out;
}

function parse(src: string, tokens: Token[]): Node {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expect = (what: string): never => {
    const tok = peek();
    const got = tok ? (tok.t === "id" ? tok.name : tok.t) : "end of input";
    throw new ExpressionError(`conditions "${src}": expected ${what}, got "${got}"`);
  };
  const primary = (): Node => {
    const tok = peek();
    if (tok?.t === "!") {
      pos++;
      return { op: "not", arg: primary() };
    }
    if (tok?.t === "(") {
      pos++;
      const inner = or();
      if (peek()?.t !== ")") expect(")");
      pos++;
      return inner;
    }
    if (tok?.t === "id") {
      pos++;
      return { op: "var", name: tok.name };
    }
    return expect("a dependency name");
  };
  const and = (): Node => {
    let left = primary();
    while (peek()?.t === "&&") {
      pos++;
      left = { op: "and", left, right: primary() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek()?.t === "||") {
      pos++;
      left = { op: "or", left, right: and() };
    }
    return left;
  };
  const root = or();
  if (pos < tokens.length) expect("&&, || or end of input");
  return root;
}

function evaluate(n: Node, has: (d: string) => boolean): boolean {
  switch (n.op) {
    case "var":
      return has(n.name);
    case "not":
      return !evaluate(n.arg, has);
    case "and":
      return evaluate(n.left, has) && evaluate(n.right, has);
    case "or":
      return evaluate(n.left, has) || evaluate(n.right, has);
  }
}

function collect(n: Node, into: string[]): void {
  if (n.op === "var") {
    if (!into.includes(n.name)) into.push(n.name);
  } else if (n.op === "not") collect(n.arg, into);
  else {
    collect(n.left, into);
    collect(n.right, into);
  }
}

/** Parse once; throws ExpressionError for a malformed expression. */
export function compileConditions(source: string): CompiledCondition {
  try {
    const root = parse(source, tokenize(source));
    const variables: string[] = [];
    collect(root, variables);
    return { source, variables, evaluate: (has) => evaluate(root, has) };
  } catch (err) {
    // Parsing (and evaluating) recurse per parenthesis.
    if (err instanceof RangeError) throw new ExpressionError(`conditions ${JSON.stringify(source.slice(0, 40))}...: nested too deeply`);
    throw err;
  }
}

/** The default when a trigger sets no `conditions`: every dependency. */
export function allOf(names: string[]): CompiledCondition {
  return { source: names.join(" && "), variables: [...names], evaluate: (has) => names.every(has) };
}
