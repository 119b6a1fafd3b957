// govaluate's operator semantics (type checks and messages follow its evaluation
// stages) registered on a dedicated jexl instance.
import type { Jexl } from "jexl";
import { ExpressionError } from "../errors.js";
import { formatGoValue } from "./goformat.js";
import { compileRegex, isCompiledRegex, type CompiledRegex } from "./regex.js";
import { JexlEngine, addFunctions, addLazyOp } from "./jexl.js";
import { deepEqual, hasOwn, isNil, isPlainObject } from "./values.js";

const fail = (msg: string): never => {
  throw new ExpressionError(msg);
};
const v = formatGoValue;
const num = (x: unknown, op: string): number =>
  typeof x === "number" ? x : fail(`Value '${v(x)}' cannot be used with the modifier '${op}', it is not a number`);
const bool = (x: unknown, op: string): boolean =>
  typeof x === "boolean" ? x : fail(`Value '${v(x)}' cannot be used with the logical operator '${op}', it is not a bool`);

function compare(op: string, test: (c: number) => boolean) {
  return (l: unknown, r: unknown): boolean => {
    if (typeof l === "number" && typeof r === "number") return test(l < r ? -1 : l > r ? 1 : l === r ? 0 : NaN);
    if (typeof l === "string" && typeof r === "string") return test(l < r ? -1 : l > r ? 1 : 0);
    return fail(`Value '${v(l)}' cannot be used with the comparator '${op}', it is not a number`);
  };
}

// govaluate words every comparator's type error the same way, "not a number" even
// where a string or an array is wanted.
const notForComparator = (x: unknown, op: string): never =>
  fail(`Value '${v(x)}' cannot be used with the comparator '${op}', it is not a number`);
const prefixOnly = (ok: boolean, x: unknown, op: string): void => {
  if (!ok) fail(`Value '${v(x)}' cannot be used with the prefix '${op}'`);
};

function regexMatch(l: unknown, r: unknown, op: string): boolean {
  if (typeof l !== "string") return notForComparator(l, op);
  let re: CompiledRegex;
  if (isCompiledRegex(r)) re = r;
  else if (typeof r === "string") re = compileRegex(r);
  else return notForComparator(r, op);
  return re.test(l);
}

// Go converts to int64 for bitwise operators.
const i64 = (x: unknown, op: string): bigint => BigInt.asIntN(64, BigInt(Math.trunc(num(x, op))));
const u64 = (x: unknown, op: string): bigint => BigInt.asUintN(64, BigInt(Math.trunc(num(x, op))));

/**
 * `a.B` (and `a.B(args)`, whose arguments are already evaluated). govaluate reads
 * fields and methods of Go structs only, by reflection. Its parameters here are
 * JSON values (gjson's Value(): maps, slices, strings, float64, bool, nil), never
 * structs, so after the parameter lookup every accessor fails, on a map too.
 */
function access(env: unknown, parts: unknown): unknown {
  const path = parts as string[];
  param(env, path[0]);
  return fail(`Unable to access '${path[1]}', '${path[0]}' is not a struct`);
}

function param(env: unknown, name: unknown): unknown {
  const key = String(name);
  if (!isPlainObject(env) || !hasOwn(env, key)) return fail(`No parameter '${key}' found.`);
  return env[key];
}

function configure(j: Jexl): void {
  j.addBinaryOp("==", 20, (l, r) => deepEqual(l, r));
  j.addBinaryOp("!=", 20, (l, r) => !deepEqual(l, r));
  j.addBinaryOp("<", 20, compare("<", (c) => c < 0));
  j.addBinaryOp("<=", 20, compare("<=", (c) => c <= 0));
  j.addBinaryOp(">", 20, compare(">", (c) => c > 0));
  j.addBinaryOp(">=", 20, compare(">=", (c) => c >= 0));
  j.addBinaryOp("=~", 20, (l, r) => regexMatch(l, r, "=~"));
  j.addBinaryOp("!~", 20, (l, r) => !regexMatch(l, r, "!~"));
  j.addBinaryOp("+", 30, (l, r) => {
    if (typeof l === "string" || typeof r === "string") return v(l) + v(r);
    if (typeof l === "number" && typeof r === "number") return l + r;
    return fail(`Value '${v(l)}' cannot be used with the modifier '+', it is not a number`);
  });
  j.addBinaryOp("-", 30, (l, r) => num(l, "-") - num(r, "-"));
  j.addBinaryOp("*", 40, (l, r) => num(l, "*") * num(r, "*"));
  j.addBinaryOp("/", 40, (l, r) => num(l, "/") / num(r, "/"));
  j.addBinaryOp("%", 40, (l, r) => num(l, "%") % num(r, "%"));
  j.addBinaryOp("**", 50, (l, r) => Math.pow(num(l, "**"), num(r, "**")));
  // Short-circuit like govaluate: only a literal false (&&) or true (||) stops early.
  addLazyOp(j, "&&", 10, (l) =>
    l === false ? { done: true, value: false } : { done: false, then: (r) => bool(l, "&&") && bool(r, "&&") },
  );
  addLazyOp(j, "||", 10, (l) =>
    l === true ? { done: true, value: true } : { done: false, then: (r) => bool(l, "||") || bool(r, "||") },
  );
  // `:` and `??` both keep a non-nil left side.
  addLazyOp(j, "??", 5, (l) => (isNil(l) ? { done: false, then: (r) => r } : { done: true, value: l }));
  addFunctions(j, {
    param,
    access,
    not: (x) => {
      prefixOnly(typeof x === "boolean", x, "!");
      return !x;
    },
    neg: (x) => {
      prefixOnly(typeof x === "number", x, "-");
      return -(x as number);
    },
    bnot: (x) => {
      prefixOnly(typeof x === "number", x, "~");
      return Number(BigInt.asIntN(64, ~i64(x, "~")));
    },
    band: (l, r) => Number(BigInt.asIntN(64, i64(l, "&") & i64(r, "&"))),
    bor: (l, r) => Number(BigInt.asIntN(64, i64(l, "|") | i64(r, "|"))),
    bxor: (l, r) => Number(BigInt.asIntN(64, i64(l, "^") ^ i64(r, "^"))),
    shl: (l, r) => Number(BigInt.asUintN(64, u64(l, "<<") << u64(r, "<<"))),
    shr: (l, r) => Number(u64(l, ">>") >> u64(r, ">>")),
    // govaluate compares with Go's `==` on interfaces: primitives only.
    in: (l, r) => {
      if (!Array.isArray(r)) return notForComparator(r, "in");
      return r.some((x) => (typeof x !== "object" || x === null) && (x === l || (isNil(x) && isNil(l))));
    },
    tbool: (x) =>
      typeof x === "boolean" ? x : fail(`Value '${v(x)}' cannot be used with the ternary operator '?', it is not a bool`),
  });
}

export const govaluateEngine = new JexlEngine("govaluate", configure);
