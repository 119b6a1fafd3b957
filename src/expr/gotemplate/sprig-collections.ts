// sprig list and dict functions (list.go, dict.go).

import { TEMPLATE_MAX_LIST } from "./exec.js";
import { fn, vfn, FuncError, type FuncTable } from "./funcs.js";
import { strval } from "./sprig-strings.js";
import { toInt64 } from "./sprig-numeric.js";
import { GoObject } from "./object.js";
import { deepCopy, deepEqual, hasKey, isEmpty, isMap, newMap, putKey, sortedKeys, typeName, type GoMap } from "./values.js";

/** sprig panics through reflect on a nil list; text/template reports the panic as an error. */
function asList(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) throw new FuncError("runtime error: invalid memory address or nil pointer dereference");
  throw new FuncError(`Cannot ${what} type ${kindOf(v)}`);
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "invalid";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "bigint") return "int64";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "slice";
  if (isMap(v)) return "map";
  if (v instanceof GoObject) return v.goKind;
  return "struct";
}

function inList(list: unknown[], needle: unknown): boolean {
  return list.some((x) => deepEqual(x, needle));
}

/** sprig's uniq, in linear time for scalars (reflect.DeepEqual tells 1 from 1.0 by type, as the key does). */
function uniq(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  const composite: unknown[] = [];
  const out: unknown[] = [];
  for (const x of list) {
    if (x === null || typeof x !== "object") {
      const key = x === null ? "nil" : `${typeof x}:${String(x)}`;
      if (seen.has(key)) continue;
      seen.add(key);
    } else {
      if (inList(composite, x)) continue;
      composite.push(x);
    }
    out.push(x);
  }
  return out;
}

function untilStep(start: number, stop: number, step: number): bigint[] {
  const out: bigint[] = [];
  if (step !== 0 && Math.abs((stop - start) / step) > TEMPLATE_MAX_LIST) {
    throw new FuncError(`template exceeded its budget: a list of more than ${TEMPLATE_MAX_LIST} elements`);
  }
  if (stop < start) {
    if (step >= 0) return out;
    for (let i = start; i > stop; i += step) out.push(BigInt(i));
    return out;
  }
  if (step <= 0) return out;
  for (let i = start; i < stop; i += step) out.push(BigInt(i));
  return out;
}

function nilMap(name: string): never {
  throw new FuncError(`assignment to entry in nil map (${name})`);
}

/** mergo.Merge / MergeWithOverwrite over maps, recursively. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const k of Object.keys(src)) {
    const s = src[k];
    const d = dst[k];
    if (isMap(d) && isMap(s)) mergeInto(d, s, overwrite);
    else if (!hasKey(dst, k) || isEmpty(d) || (overwrite && !isEmpty(s))) putKey(dst, k, s);
  }
}

function dig(args: unknown[]): unknown {
  if (args.length < 3) throw new FuncError("dig needs at least three arguments");
  const dict = args[args.length - 1];
  const def = args[args.length - 2];
  const keys = args.slice(0, -2).map((k) => {
    if (typeof k !== "string") throw new FuncError(`interface conversion: interface {} is ${typeName(k)}, not string`);
    return k;
  });
  let cur: unknown = dict;
  for (const k of keys) {
    if (!isMap(cur) || !hasKey(cur, k)) return def;
    cur = cur[k];
  }
  return cur;
}

export const sprigCollections: FuncTable = {
  list: vfn([], "any", (items) => items),
  tuple: vfn([], "any", (items) => items),
  first: fn(["any"], (l) => asList(l, "find first on")[0] ?? null),
  last: fn(["any"], (l) => {
    const a = asList(l, "find last on");
    return a.length === 0 ? null : a[a.length - 1];
  }),
  rest: fn(["any"], (l) => asList(l, "find rest on").slice(1)),
  initial: fn(["any"], (l) => asList(l, "find initial on").slice(0, -1)),
  append: fn(["any", "any"], (l, v) => [...asList(l, "push on"), v]),
  push: fn(["any", "any"], (l, v) => [...asList(l, "push on"), v]),
  prepend: fn(["any", "any"], (l, v) => [v, ...asList(l, "prepend on")]),
  concat: vfn([], "any", (lists) =>
    lists.flatMap((l) => {
      if (Array.isArray(l) || l === null) return asList(l, "concat");
      throw new FuncError(`Cannot concat type ${kindOf(l)} as list`);
    }),
  ),
  reverse: fn(["any"], (l) => [...asList(l, "find reverse on")].reverse()),
  uniq: fn(["any"], (l) => uniq(asList(l, "find uniq on"))),
  without: vfn(["any"], "any", (l, omit) => asList(l, "find without on").filter((x) => !inList(omit, x))),
  compact: fn(["any"], (l) => asList(l, "compact on").filter((x) => !isEmpty(x))),
  has: fn(["any", "any"], (needle, hay) => (hay === null ? false : inList(asList(hay, "find has on"), needle))),
  slice: vfn(["any"], "any", (l, idx) => {
    if (!Array.isArray(l) && l !== null) throw new FuncError(`list should be type of slice or array but ${kindOf(l)}`);
    const a = asList(l, "slice");
    if (a.length === 0) return null;
    const start = idx.length > 0 ? Number(toInt64(idx[0])) : 0;
    const end = idx.length > 1 ? Number(toInt64(idx[1])) : a.length;
    if (start < 0 || end > a.length || start > end) throw new FuncError("reflect: slice index out of range");
    return a.slice(start, end);
  }),
  chunk: fn(["int", "any"], (size, l) => {
    const a = asList(l, "chunk");
    if (size <= 0) throw new FuncError("runtime error: integer divide by zero");
    const out: unknown[][] = [];
    for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
    return out;
  }),
  until: fn(["int"], (n) => untilStep(0, n, n < 0 ? -1 : 1)),
  untilStep: fn(["int", "int", "int"], untilStep),
  dict: vfn([], "any", (kv) => {
    const out = newMap();
    for (let i = 0; i < kv.length; i += 2) putKey(out, strval(kv[i]), i + 1 < kv.length ? kv[i + 1] : "");
    return out;
  }),
  get: fn(["map", "string"], (d, k) => (d && hasKey(d, k) ? d[k] : "")),
  set: fn(["map", "string", "any"], (d, k, v) => {
    if (!d) nilMap("set");
    putKey(d, k, v);
    return d;
  }),
  unset: fn(["map", "string"], (d, k) => {
    if (d) delete d[k];
    return d;
  }),
  hasKey: fn(["map", "string"], (d, k) => (d ? hasKey(d, k) : false)),
  pluck: vfn(["string"], "map", (k, dicts) => dicts.filter((d) => d && hasKey(d, k)).map((d) => d![k])),
  keys: vfn([], "map", (dicts) => dicts.flatMap((d) => (d ? sortedKeys(d) : []))),
  values: fn(["map"], (d) => (d ? sortedKeys(d).map((k) => d[k]) : [])),
  pick: vfn(["map"], "string", (d, keys) => {
    const out = newMap();
    for (const k of keys) if (d && hasKey(d, k)) putKey(out, k, d[k]);
    return out;
  }),
  omit: vfn(["map"], "string", (d, keys) => {
    const out = newMap();
    for (const k of d ? Object.keys(d) : []) if (!keys.includes(k)) putKey(out, k, d![k]);
    return out;
  }),
  merge: vfn(["map"], "map", (dst, srcs) => {
    if (!dst) nilMap("merge");
    for (const s of srcs) if (s) mergeInto(dst, s, false);
    return dst;
  }),
  mergeOverwrite: vfn(["map"], "map", (dst, srcs) => {
    if (!dst) nilMap("mergeOverwrite");
    for (const s of srcs) if (s) mergeInto(dst, s, true);
    return dst;
  }),
  dig: vfn([], "any", dig),
  deepCopy: fn(["any"], deepCopy),
};

/**
 * The must* variants return the error their plain twin panics with; a template reports both
 * the same way ("error calling mustFirst: Cannot find first on type string").
 */
const MUST_TWINS = [
  "append", "push", "prepend", "chunk", "last", "first", "rest", "initial", "reverse", "compact",
  "uniq", "without", "has", "slice", "merge", "mergeOverwrite", "deepCopy",
] as const;

for (const name of MUST_TWINS) {
  sprigCollections["must" + name[0].toUpperCase() + name.slice(1)] = sprigCollections[name];
}
