// text/template's predefined functions (and/or are short-circuited by the executor).

import { FuncError, fn, vfn, type FuncTable } from "./funcs.js";
import { formatV, sprint, sprintf, sprintln } from "./format.js";
import { GoObject } from "./object.js";
import { GoTime } from "./time.js";
import { hasKey, isMap, isTrue, typeName } from "./values.js";

type Kind = "invalid" | "bool" | "int" | "float" | "string" | "other";

function basicKind(v: unknown): Kind {
  if (v === undefined || v === null) return "invalid";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "string":
      return "string";
    default:
      return "other";
  }
}

function eq(a: unknown, rest: unknown[]): boolean {
  if (rest.length === 0) throw new FuncError("missing argument for comparison");
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (k1 !== "invalid" && k2 !== "invalid") {
        throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
      }
      continue;
    }
    if (k1 === "other") {
      // Slices and maps are not comparable in Go; time.Time compares as a struct.
      if (Array.isArray(a) || isMap(a)) throw new FuncError(`non-comparable type ${formatV(a)}: ${typeName(a)}`);
      if (a instanceof GoTime && b instanceof GoTime && a.equalStrict(b)) return true;
      // Pointers compare by identity, structs field by field (when of the same type).
      if (a instanceof GoObject && b instanceof GoObject && a.goType === b.goType) {
        if (a === b || (a.goKind === "struct" && a.identity() === b.identity())) return true;
      }
      continue;
    }
    if (k1 === "invalid" || a === b) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === "invalid" || k1 === "other" || k2 === "invalid" || k2 === "other") {
    throw new FuncError("invalid type for comparison");
  }
  if (k1 !== k2) throw new FuncError(`incompatible types for comparison: ${typeName(a)} and ${typeName(b)}`);
  if (k1 === "bool") throw new FuncError("invalid type for comparison");
  return (a as number | bigint | string) < (b as number | bigint | string);
}

function indexArg(i: unknown, cap: number): number {
  if (typeof i !== "bigint") {
    if (i === undefined || i === null) throw new FuncError("cannot index slice/array with nil");
    throw new FuncError(`cannot index slice/array with type ${typeName(i)}`);
  }
  if (i < 0n || i > BigInt(cap)) throw new FuncError(`index out of range: ${i}`);
  return Number(i);
}

function index(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("index of untyped nil");
  let cur: unknown = item;
  for (const i of indexes) {
    if (Array.isArray(cur) || typeof cur === "string") {
      const bytes = typeof cur === "string" ? Buffer.from(cur, "utf8") : null;
      const len = bytes ? bytes.length : (cur as unknown[]).length;
      const x = indexArg(i, len);
      if (x === len) throw new FuncError(`index out of range: ${x}`);
      cur = bytes ? BigInt(bytes[x]) : (cur as unknown[])[x];
    } else if (isMap(cur)) {
      if (typeof i !== "string") {
        throw new FuncError(i === undefined || i === null ? "value is nil; should be of type string" : `value has type ${typeName(i)}; should be string`);
      }
      cur = hasKey(cur, i) ? cur[i] : null;
    } else if (cur === undefined || cur === null) {
      throw new FuncError("index of nil pointer");
    } else {
      throw new FuncError(`can't index item of type ${typeName(cur)}`);
    }
  }
  return cur;
}

function slice(item: unknown, indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new FuncError("slice of untyped nil");
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let len: number;
  if (typeof item === "string") {
    if (indexes.length === 3) throw new FuncError("cannot 3-index slice a string");
    len = Buffer.byteLength(item, "utf8");
  } else if (Array.isArray(item)) {
    len = item.length;
  } else {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((v, i) => (idx[i] = indexArg(v, len)));
  if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === "string") return Buffer.from(item, "utf8").subarray(idx[0], idx[1]).toString("utf8");
  return item.slice(idx[0], idx[1]);
}

/** The string form of template arguments, as text/template's evalArgs. */
function evalArgs(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === "string" ? args[0] : sprint(args);
}

const HTML_ESCAPES: Record<string, string> = { "\0": "\uFFFD", '"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const JS_ESCAPES: Record<string, string> = {
  "\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D",
};
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch in JS_ESCAPES) out += JS_ESCAPES[ch];
    else if (cp < 0x20) out += "\\u00" + cp.toString(16).toUpperCase().padStart(2, "0");
    else if (cp >= 0x80 && !PRINTABLE.test(ch)) out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    else out += ch;
  }
  return out;
}

/** url.QueryEscape: unreserved bytes kept, space as '+', the rest %XX. */
export function queryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

export const builtins: FuncTable = {
  // Placeholders: the executor evaluates and/or lazily (Go 1.18+ short-circuits).
  and: vfn(["any"], "any", () => undefined),
  or: vfn(["any"], "any", () => undefined),
  not: fn(["any"], (a) => !isTrue(a)),
  len: fn(["any"], (a) => {
    if (typeof a === "string") return BigInt(Buffer.byteLength(a, "utf8"));
    if (Array.isArray(a)) return BigInt(a.length);
    if (isMap(a)) return BigInt(Object.keys(a).length);
    if (a === undefined || a === null) throw new FuncError("len of nil pointer");
    throw new FuncError(`len of type ${typeName(a)}`);
  }),
  index: vfn(["any"], "any", (item, rest) => index(item, rest)),
  slice: vfn(["any"], "any", (item, rest) => slice(item, rest)),
  print: vfn([], "any", (args) => sprint(args)),
  printf: vfn(["string"], "any", (format, args) => sprintf(format, args)),
  println: vfn([], "any", (args) => sprintln(args)),
  eq: vfn(["any"], "any", (a, rest) => eq(a, rest)),
  ne: fn(["any", "any"], (a, b) => !eq(a, [b])),
  lt: fn(["any", "any"], (a, b) => lt(a, b)),
  le: fn(["any", "any"], (a, b) => lt(a, b) || eq(a, [b])),
  gt: fn(["any", "any"], (a, b) => !(lt(a, b) || eq(a, [b]))),
  ge: fn(["any", "any"], (a, b) => !lt(a, b)),
  html: vfn([], "any", (args) => evalArgs(args).replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c])),
  js: vfn([], "any", (args) => jsEscape(evalArgs(args))),
  urlquery: vfn([], "any", (args) => queryEscape(evalArgs(args))),
  call: vfn(["any"], "any", () => {
    throw new FuncError("call is not supported: template data holds no functions");
  }),
};
