// expr-lang's runtime semantics on a dedicated jexl instance: missing map keys are
// nil, fetching from nil fails (unless `?.`), equality is deep, `and`/`or` need bools.
import type { Jexl } from "jexl";
import { ExpressionError } from "../errors.js";
import { formatGoValue } from "./goformat.js";
import { compileRegex, isCompiledRegex } from "./regex.js";
import { JexlEngine, addFunctions, addLazyOp, callLambda, charge, type Runtime } from "./jexl.js";
import { deepEqual, goTypeName, hasOwn, isNil, isPlainObject } from "./values.js";

const fail = (msg: string): never => {
  throw new ExpressionError(msg);
};
const mismatch = (op: string, l: unknown, r: unknown): never =>
  fail(`invalid operation: ${op} (mismatched types ${goTypeName(l)} and ${goTypeName(r)})`);

/** Returned by a `?.` access on nil; every later access in the chain passes it on. */
const SKIP: unique symbol = Symbol("optional-chain-nil");

export function fetch(from: unknown, key: unknown, optional = false): unknown {
  if (from === SKIP) return SKIP;
  if (isNil(from)) return optional ? SKIP : fail(`cannot fetch ${String(key)} from <nil>`);
  if (Array.isArray(from) || typeof from === "string") {
    const items = typeof from === "string" ? Array.from(from) : from;
    if (typeof key !== "number" || !Number.isInteger(key)) return fail(`cannot fetch ${String(key)} from ${goTypeName(from)}`);
    const idx = key < 0 ? items.length + key : key;
    if (idx < 0 || idx >= items.length) return fail(`index out of range: ${idx} (array length is ${items.length})`);
    return items[idx];
  }
  if (isPlainObject(from)) {
    const k = String(key);
    return hasOwn(from, k) ? from[k] : null; // a missing key of a map is nil
  }
  return fail(`cannot fetch ${String(key)} from ${goTypeName(from)}`);
}

function compare(op: string, test: (c: number) => boolean) {
  return (l: unknown, r: unknown): boolean => {
    if ((typeof l === "number" && typeof r === "number") || (typeof l === "string" && typeof r === "string")) {
      return test(l < r ? -1 : l > r ? 1 : l === r ? 0 : NaN);
    }
    return mismatch(op, l, r);
  };
}

function arith(op: string, f: (a: number, b: number) => number) {
  return (l: unknown, r: unknown): number => (typeof l === "number" && typeof r === "number" ? f(l, r) : mismatch(op, l, r));
}

const str = (x: unknown, fn: string): string =>
  typeof x === "string" ? x : fail(`invalid argument for ${fn} (type ${goTypeName(x)})`);
const list = (x: unknown, fn: string): unknown[] =>
  Array.isArray(x) ? x : fail(`invalid argument for ${fn} (type ${goTypeName(x)})`);
const truth = (x: unknown, what: string): boolean =>
  typeof x === "boolean" ? x : fail(`${what}: expected bool, got ${goTypeName(x)}`);

function regexTest(l: unknown, r: unknown): boolean {
  const subject = str(l, "matches");
  if (isCompiledRegex(r)) return r.test(subject);
  return compileRegex(str(r, "matches")).test(subject);
}

function pred(rt: unknown, idx: unknown, it: unknown, fn: string): boolean {
  return truth(callLambda(rt as Runtime, idx, it), `predicate of ${fn}`);
}

// Closure builtins get (runtime, collection, lambda index).
const closures: Record<string, (rt: unknown, coll: unknown, idx: unknown) => unknown> = {
  all: (rt, c, i) => list(c, "all").every((x) => pred(rt, i, x, "all")),
  any: (rt, c, i) => list(c, "any").some((x) => pred(rt, i, x, "any")),
  none: (rt, c, i) => !list(c, "none").some((x) => pred(rt, i, x, "none")),
  one: (rt, c, i) => list(c, "one").filter((x) => pred(rt, i, x, "one")).length === 1,
  filter: (rt, c, i) => list(c, "filter").filter((x) => pred(rt, i, x, "filter")),
  map: (rt, c, i) => list(c, "map").map((x) => callLambda(rt as Runtime, i, x)),
  count: (rt, c, i) => list(c, "count").filter((x) => pred(rt, i, x, "count")).length,
  find: (rt, c, i) => list(c, "find").find((x) => pred(rt, i, x, "find")) ?? null,
  findIndex: (rt, c, i) => list(c, "findIndex").findIndex((x) => pred(rt, i, x, "findIndex")),
  findLast: (rt, c, i) => [...list(c, "findLast")].reverse().find((x) => pred(rt, i, x, "findLast")) ?? null,
  findLastIndex: (rt, c, i) => {
    const items = list(c, "findLastIndex");
    for (let k = items.length - 1; k >= 0; k--) if (pred(rt, i, items[k], "findLastIndex")) return k;
    return -1;
  },
};
export const CLOSURE_BUILTINS = new Set(Object.keys(closures));

function lengthOf(x: unknown): number {
  if (typeof x === "string") {
    // Code points, counted without building an array of them.
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const c = x.charCodeAt(i);
      const next = i + 1 < x.length ? x.charCodeAt(i + 1) : 0;
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
      n++;
    }
    return n;
  }
  if (Array.isArray(x)) return x.length;
  if (isPlainObject(x)) return Object.keys(x).length;
  return fail(`invalid argument for len (type ${goTypeName(x)})`);
}

function trimSet(s: string, cut: string, left: boolean, right: boolean): string {
  const chars = new Set(Array.from(cut));
  const a = Array.from(s);
  let i = 0;
  let j = a.length;
  while (left && i < j && chars.has(a[i])) i++;
  while (right && j > i && chars.has(a[j - 1])) j--;
  return a.slice(i, j).join("");
}

function toInt(x: unknown): number {
  if (typeof x === "number") return Number.isFinite(x) ? Math.trunc(x) : fail(`invalid operation: int(${String(x)})`);
  if (typeof x === "string" && /^\s*[+-]?\d+\s*$/.test(x)) return Number.parseInt(x, 10);
  return fail(`invalid operation: int(${goTypeName(x)})`);
}

function toFloat(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x === "string" && x.trim() !== "" && !Number.isNaN(Number(x))) return Number(x);
  return fail(`invalid operation: float(${goTypeName(x)})`);
}

// Plain builtins, registered as `_f_<name>`.
const builtins: Record<string, (...a: unknown[]) => unknown> = {
  len: lengthOf,
  lower: (s) => str(s, "lower").toLowerCase(),
  upper: (s) => str(s, "upper").toUpperCase(),
  trim: (s, cut) => (cut === undefined ? str(s, "trim").trim() : trimSet(str(s, "trim"), str(cut, "trim"), true, true)),
  trimPrefix: (s, p) => (str(s, "trimPrefix").startsWith(str(p, "trimPrefix")) ? (s as string).slice((p as string).length) : s),
  trimSuffix: (s, p) =>
    str(s, "trimSuffix").endsWith(str(p, "trimSuffix")) && (p as string).length > 0
      ? (s as string).slice(0, -(p as string).length)
      : s,
  hasPrefix: (s, p) => str(s, "hasPrefix").startsWith(str(p, "hasPrefix")),
  hasSuffix: (s, p) => str(s, "hasSuffix").endsWith(str(p, "hasSuffix")),
  split: (s, sep) => str(s, "split").split(str(sep, "split")),
  join: (a, sep) => list(a, "join").map((x) => str(x, "join")).join(sep === undefined ? "" : str(sep, "join")),
  replace: (s, o, n) => str(s, "replace").replaceAll(str(o, "replace"), str(n, "replace")),
  indexOf: (s, sub) => str(s, "indexOf").indexOf(str(sub, "indexOf")),
  lastIndexOf: (s, sub) => str(s, "lastIndexOf").lastIndexOf(str(sub, "lastIndexOf")),
  abs: (x) => Math.abs(typeof x === "number" ? x : fail(`invalid argument for abs (type ${goTypeName(x)})`)),
  int: toInt,
  float: toFloat,
  string: (x) => formatGoValue(x),
  toJSON: (x) => JSON.stringify(x, null, 2),
  fromJSON: (s) => {
    try {
      return JSON.parse(str(s, "fromJSON")) as unknown;
    } catch (err) {
      return fail(`fromJSON: ${(err as Error).message}`);
    }
  },
  keys: (m) => (isPlainObject(m) ? Object.keys(m) : fail(`invalid argument for keys (type ${goTypeName(m)})`)),
  values: (m) => (isPlainObject(m) ? Object.values(m) : fail(`invalid argument for values (type ${goTypeName(m)})`)),
  first: (a) => (Array.isArray(a) ? (a.length ? a[0] : null) : fail(`invalid argument for first (type ${goTypeName(a)})`)),
  last: (a) => (Array.isArray(a) ? (a.length ? a[a.length - 1] : null) : fail(`invalid argument for last (type ${goTypeName(a)})`)),
  get: (from, key) => {
    if (Array.isArray(from) && typeof key === "number") return from[key < 0 ? from.length + key : key] ?? null;
    return isPlainObject(from) && hasOwn(from, String(key)) ? from[String(key)] : null;
  },
};
export const PLAIN_BUILTINS = new Set(Object.keys(builtins));

function configure(j: Jexl): void {
  j.addBinaryOp("==", 20, (l, r) => deepEqual(l, r));
  j.addBinaryOp("!=", 20, (l, r) => !deepEqual(l, r));
  j.addBinaryOp("<", 20, compare("<", (c) => c < 0));
  j.addBinaryOp("<=", 20, compare("<=", (c) => c <= 0));
  j.addBinaryOp(">", 20, compare(">", (c) => c > 0));
  j.addBinaryOp(">=", 20, compare(">=", (c) => c >= 0));
  j.addBinaryOp("+", 30, (l, r) => {
    if (typeof l === "number" && typeof r === "number") return l + r;
    if (typeof l === "string" && typeof r === "string") return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
    return mismatch("+", l, r);
  });
  j.addBinaryOp("-", 30, arith("-", (a, b) => a - b));
  j.addBinaryOp("*", 40, arith("*", (a, b) => a * b));
  j.addBinaryOp("/", 40, arith("/", (a, b) => a / b));
  j.addBinaryOp("%", 40, (l, r) => {
    if (!Number.isInteger(l) || !Number.isInteger(r)) return mismatch("%", l, r);
    if (r === 0) return fail("integer divide by zero");
    return (l as number) % (r as number);
  });
  j.addBinaryOp("**", 50, arith("**", (a, b) => Math.pow(a, b)));
  addLazyOp(j, "&&", 10, (l) =>
    truth(l, "and") ? { done: false, then: (r) => r } : { done: true, value: false },
  );
  addLazyOp(j, "||", 10, (l) => (truth(l, "or") ? { done: true, value: true } : { done: false, then: (r) => r }));
  addLazyOp(j, "??", 5, (l) => (isNil(l) ? { done: false, then: (r) => r } : { done: true, value: l }));
  addFunctions(j, {
    var: (env, name) => (isPlainObject(env) && hasOwn(env, String(name)) ? env[String(name)] : null),
    get: (from, key, optional) => fetch(from, key, optional === true),
    chain: (x) => (x === SKIP ? null : x),
    not: (x) => !truth(x, "not"),
    neg: (x) => (typeof x === "number" ? -x : fail(`invalid operation: - ${goTypeName(x)}`)),
    pos: (x) => (typeof x === "number" ? x : fail(`invalid operation: + ${goTypeName(x)}`)),
    cbool: (x) => truth(x, "condition"),
    in: (l, r) => {
      if (isNil(r)) return false;
      if (Array.isArray(r)) return r.some((x) => deepEqual(x, l));
      if (isPlainObject(r)) return typeof l === "string" && hasOwn(r, l);
      return fail(`operator "in" not defined on ${goTypeName(r)}`);
    },
    matches: regexTest,
    contains: (l, r) => str(l, "contains").includes(str(r, "contains")),
    startsWith: (l, r) => str(l, "startsWith").startsWith(str(r, "startsWith")),
    endsWith: (l, r) => str(l, "endsWith").endsWith(str(r, "endsWith")),
    range: (rt, l, r) => {
      const a = toInt(l);
      const b = toInt(r);
      if (b < a) return [];
      charge(rt as Runtime, b - a + 1);
      return Array.from({ length: b - a + 1 }, (_, i) => a + i);
    },
    repeat: (rt, s, n) => {
      const count = toInt(n);
      if (count < 0) return fail("invalid argument for repeat: negative count");
      charge(rt as Runtime, Math.ceil((str(s, "repeat").length * count) / 8));
      return (s as string).repeat(count);
    },
    slice: (x, from, to) => {
      if (!Array.isArray(x) && typeof x !== "string") return fail(`cannot slice ${goTypeName(x)}`);
      const a = isNil(from) ? 0 : toInt(from);
      const b = isNil(to) ? x.length : toInt(to);
      return x.slice(a, b);
    },
    mkmap: (keys, vals) => {
      const out: Record<string, unknown> = {};
      (keys as unknown[]).forEach((k, i) => Object.defineProperty(out, String(k), {
        value: (vals as unknown[])[i], enumerable: true, writable: true, configurable: true,
      }));
      return out;
    },
    // A function the environment supplies (Argo's toJson, sprig's map, ...).
    callv: (env, name, args) => {
      const fn = isPlainObject(env) && hasOwn(env, String(name)) ? env[String(name)] : undefined;
      if (typeof fn !== "function") return fail(`${String(name)} is not a function`);
      return (fn as (...a: unknown[]) => unknown)(...(args as unknown[]));
    },
    callm: (obj, name, args) => {
      if (obj === SKIP) return SKIP;
      const fn = fetch(obj, name);
      if (typeof fn !== "function") return fail(`${String(name)} is not a method of ${goTypeName(obj)}`);
      return (fn as (...a: unknown[]) => unknown)(...(args as unknown[]));
    },
  });
  for (const [name, fn] of Object.entries(closures)) j.addFunction(`_c_${name}`, fn as (...a: unknown[]) => unknown);
  for (const [name, fn] of Object.entries(builtins)) j.addFunction(`_f_${name}`, fn);
}

export const exprLangEngine = new JexlEngine("expr", configure);
