// tidwall/gjson paths evaluated on already-parsed JSON. Not implemented: the
// modifiers @pretty, @group, @dig and custom ones (an unknown `@name` is a key, as in
// gjson), `!literal` values, and `..` JSON-lines paths. Because the input is parsed,
// `raw` is re-serialised compactly, with Go's escapes of <, >, & (gjson returns the
// bytes Argo's Go code wrote), unless the caller gives a RawSource: then an object,
// array or large integer found at a real location is the text that source holds for it
// (the sender's own bytes, in their key order and spelling).
import { JSONPath } from "jsonpath-plus";
import { ExpressionError, errorMessage } from "../errors.js";
import { formatFloatF } from "./goformat.js";
import { parseSegments, type Query, type Segment } from "./gjson-path.js";
import type { JsonStep } from "./json-text.js";
import { hasOwn, isPlainObject } from "./values.js";

export type GjsonType = "Null" | "False" | "Number" | "String" | "True" | "JSON";

export interface GjsonResult {
  /** false when the path matched nothing. */
  exists: boolean;
  type: GjsonType;
  /** The JS value (object/array for JSON, number, string, boolean, null). */
  value: unknown;
  /** gjson's Result.String(): strings unquoted, numbers as gjson prints them, JSON as raw text. */
  str: string;
  /** gjson's Result.Raw: the raw JSON text of the match ("" when !exists). */
  raw: string;
}

/** The text Argo's bytes hold for the value at `at` (steps from the data root), or undefined to serialise `v`. */
export type RawSource = (at: readonly JsonStep[], v: unknown) => string | undefined;

export interface CompiledPath {
  readonly path: string;
  get(data: unknown, raw?: RawSource): GjsonResult;
}

interface Found {
  v: unknown;
  /** Where `v` stands in the data, when the evaluation tracked it and `v` is not built. */
  at?: JsonStep[];
  /** A built array (`#.x`, `#(...)#`, `[a,b]`) or object (`{a,b}`, with `names`): its members' findings. */
  items?: Found[];
  names?: string[];
}

/** A trail of steps, copied where the evaluation branches; undefined when not tracking. */
type Trail = JsonStep[] | undefined;

/** tidwall/match: `*` any run, `?` one character, `\` escapes; linear-time greedy matching. */
export function globMatch(str: string, pattern: string): boolean {
  const s = Array.from(str);
  const p: { c: string; lit: boolean }[] = [];
  const pc = Array.from(pattern);
  for (let i = 0; i < pc.length; i++) {
    if (pc[i] === "\\" && i + 1 < pc.length) p.push({ c: pc[++i], lit: true });
    else p.push({ c: pc[i], lit: false });
  }
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    const t = p[pi];
    if (t && !t.lit && t.c === "*") {
      star = pi++;
      mark = si;
    } else if (t && ((!t.lit && t.c === "?") || t.c === s[si])) {
      si++;
      pi++;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else return false;
  }
  while (pi < p.length && !p[pi].lit && p[pi].c === "*") pi++;
  return pi === p.length;
}

function evalPath(v: unknown, segments: Segment[], trail?: Trail): Found | undefined {
  let cur: Found | undefined = trail ? { v, at: trail } : { v };
  for (const seg of segments) {
    cur = evalSeg(cur.v, seg, 0, cur.at ? [...cur.at] : undefined);
    if (!cur) return undefined;
  }
  return cur;
}

/** evalSeg on a member, with its step on the trail while it is evaluated. */
function evalMember(v: unknown, step: JsonStep, seg: Segment, i: number, trail: Trail): Found | undefined {
  trail?.push(step);
  const r = evalSeg(v, seg, i, trail);
  trail?.pop();
  return r;
}

function evalKey(v: unknown, key: string, pattern: string | undefined, seg: Segment, i: number, trail: Trail): Found | undefined {
  if (Array.isArray(v)) {
    return pattern === undefined && /^\d+$/.test(key) && Number(key) < v.length ? evalMember(v[Number(key)], Number(key), seg, i + 1, trail) : undefined;
  }
  if (!isPlainObject(v)) return undefined;
  if (pattern === undefined) return hasOwn(v, key) ? evalMember(v[key], key, seg, i + 1, trail) : undefined;
  for (const k of Object.keys(v)) {
    if (!globMatch(k, pattern)) continue;
    const r = evalMember(v[k], k, seg, i + 1, trail);
    if (r) return r;
  }
  return undefined;
}

const built = (v: unknown, items: Found[], trail: Trail, names?: string[]): Found => (trail ? { v, items, names } : { v });

function evalSeg(v: unknown, seg: Segment, i: number, trail: Trail): Found | undefined {
  if (i === seg.length) return trail ? { v, at: trail.slice() } : { v };
  const step = seg[i];
  switch (step.k) {
    case "key":
      return evalKey(v, step.key, step.pattern, seg, i, trail);
    case "count":
      return Array.isArray(v) ? { v: v.length } : evalKey(v, "#", undefined, seg, i, trail);
    case "map": {
      if (!Array.isArray(v)) return evalKey(v, "#", undefined, seg, i, trail);
      const items: Found[] = [];
      v.forEach((el, n) => {
        const r = evalMember(el, n, seg, i + 1, trail);
        if (r) items.push(r);
      });
      return built(items.map((r) => r.v), items, trail);
    }
    case "query": {
      if (!Array.isArray(v)) return undefined;
      const items: Found[] = [];
      for (let n = 0; n < v.length; n++) {
        if (!queryMatches(step.q, v[n])) continue;
        const r = evalMember(v[n], n, seg, i + 1, trail);
        if (!step.all) return r; // the first match decides, even when the rest is missing
        if (r) items.push(r);
      }
      return step.all ? built(items.map((r) => r.v), items, trail) : undefined;
    }
    case "multi": {
      const out: unknown = step.obj ? {} : [];
      const items: Found[] = [];
      const names: string[] = [];
      for (const sub of step.subs) {
        const r = evalPath(v, sub.path, trail ? [...trail] : undefined);
        if (!r) continue;
        items.push(r);
        names.push(sub.name);
        if (Array.isArray(out)) out.push(r.v);
        else Object.defineProperty(out, sub.name, { value: r.v, enumerable: true, writable: true, configurable: true });
      }
      // Only the built value itself keeps its members' texts; what is read inside it is serialised.
      if (i + 1 === seg.length) return built(out, items, trail, step.obj ? names : undefined);
      return evalSeg(out, seg, i + 1, undefined);
    }
    case "mod": {
      // @this, @valid and @ugly hand back the value itself (Argo's bytes are compact already).
      const same = step.name === "this" || step.name === "valid" || step.name === "ugly";
      return evalSeg(applyModifier(step.name, step.arg, v), seg, i + 1, same ? trail : undefined);
    }
  }
}

/** Go's strconv.ParseFloat where gjson ignores the error (0 on failure). */
const parseFloatOr0 = (s: string): number => {
  const n = Number(s.trim());
  return s.trim() === "" || Number.isNaN(n) ? 0 : n;
};

function truthy(v: unknown, want: "true" | "false"): boolean {
  if (typeof v === "boolean") return want === "true" ? v : !v;
  if (v === null) return want === "false";
  if (typeof v === "number") return want === "true" ? v !== 0 : v === 0;
  if (typeof v === "string") {
    const s = v.toLowerCase();
    const b = ["1", "t", "true"].includes(s) ? true : ["0", "f", "false"].includes(s) ? false : undefined;
    return b === undefined ? false : want === "true" ? b : !b;
  }
  return false;
}

function queryMatches(q: Query, el: unknown): boolean {
  let target: Found | undefined;
  if (el !== null && typeof el === "object") target = q.path ? evalPath(el, q.path, undefined) : undefined;
  else target = q.path ? undefined : { v: el };
  let value = q.value;
  if (value.startsWith("~")) {
    // `~true` / `~false` / `~null` / `~*` compare a truthiness instead of the value
    const kind = value.slice(1);
    let ish: boolean | undefined;
    // a missing value counts as null, hence false-ish too
    if (kind === "*") ish = target !== undefined;
    else if (kind === "null") ish = target === undefined || target.v === null;
    else if (kind === "true" || kind === "false") ish = target === undefined ? kind === "false" : truthy(target.v, kind);
    if (ish === undefined) return false;
    target = { v: ish };
    value = "true";
  }
  if (!target) return false;
  if (q.op === "") return true;
  const x = target.v;
  if (typeof x === "string") {
    switch (q.op) {
      case "=": return x === value;
      case "!=": return x !== value;
      case "<": return x < value;
      case "<=": return x <= value;
      case ">": return x > value;
      case ">=": return x >= value;
      case "%": return globMatch(x, value);
      case "!%": return !globMatch(x, value);
    }
    return false;
  }
  if (typeof x === "number") {
    const n = parseFloatOr0(value);
    switch (q.op) {
      case "=": return x === n;
      case "!=": return x !== n;
      case "<": return x < n;
      case "<=": return x <= n;
      case ">": return x > n;
      case ">=": return x >= n;
    }
    return false;
  }
  if (x === true) return q.op === "=" ? value === "true" : q.op === "!=" ? value !== "true" : q.op === ">" ? value === "false" : q.op === ">=";
  if (x === false) return q.op === "=" ? value === "false" : q.op === "!=" ? value !== "false" : q.op === "<" ? value === "true" : q.op === "<=";
  return false;
}

function flatten(v: unknown[], deep: boolean): unknown[] {
  return v.flatMap((x) => (Array.isArray(x) ? (deep ? flatten(x, true) : x) : [x]));
}

function applyModifier(name: string, arg: string, v: unknown): unknown {
  switch (name) {
    case "reverse":
      if (Array.isArray(v)) return [...v].reverse();
      return isPlainObject(v) ? Object.fromEntries(Object.entries(v).reverse()) : v;
    case "keys":
      if (isPlainObject(v)) return Object.keys(v);
      return Array.isArray(v) ? v.map(() => null) : [];
    case "values":
      if (isPlainObject(v)) return Object.values(v);
      return Array.isArray(v) ? v : [v];
    case "flatten":
      return Array.isArray(v) ? flatten(v, /"deep"\s*:\s*true/.test(arg)) : v;
    case "join":
      return Array.isArray(v) ? Object.assign({}, ...v.filter(isPlainObject)) : v;
    case "tostr":
      return JSON.stringify(v);
    case "fromstr":
      try {
        return typeof v === "string" ? (JSON.parse(v) as unknown) : v;
      } catch {
        return v;
      }
    default: // this, valid, ugly: the value itself
      return v;
  }
}

// Go's encoding/json (which wrote the event bytes Argo's gjson reads) escapes these in
// strings; they can only occur inside strings, so replacing them in the text is safe.
const GO_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

function rawOf(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : JSON.stringify(v);
  return (JSON.stringify(v) ?? "null").replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string);
}

/** Whether a value's text can differ from its serialisation: a container, or an integer past 2^53. */
const hasOwnText = (v: unknown): boolean => (typeof v === "object" && v !== null) || (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v));

function rawText(f: Found, source: RawSource): string {
  if (f.at) return source(f.at, f.v) ?? rawOf(f.v);
  if (!f.items) return rawOf(f.v);
  const parts = f.items.map((x) => rawText(x, source));
  const names = f.names;
  return names ? `{${parts.map((p, n) => `${rawOf(names[n])}:${p}`).join(",")}}` : `[${parts.join(",")}]`;
}

/** `tracked`: the same finding with its location, to read its text from `raws`. */
export function toResult(found: Found | undefined, tracked?: Found, raws?: RawSource): GjsonResult {
  if (!found || found.v === undefined) return { exists: false, type: "Null", value: null, str: "", raw: "" };
  const v = found.v;
  const raw = tracked && raws ? rawText(tracked, raws) : rawOf(v);
  if (v === null) return { exists: true, type: "Null", value: null, str: "", raw };
  if (v === true) return { exists: true, type: "True", value: true, str: "true", raw };
  if (v === false) return { exists: true, type: "False", value: false, str: "false", raw };
  if (typeof v === "number") {
    // gjson prints an integer literal as written, anything else via FormatFloat 'f'
    return { exists: true, type: "Number", value: v, str: /^-?\d+$/.test(raw) ? raw : formatFloatF(v), raw };
  }
  if (typeof v === "string") return { exists: true, type: "String", value: v, str: v, raw };
  return { exists: true, type: "JSON", value: v, str: raw, raw };
}

function compileJsonPath(path: string): CompiledPath {
  // eval is off: script and filter expressions would fail on every event, so refuse them now.
  if (/\?\s*\(|\[\s*\(/.test(path)) {
    throw new ExpressionError(`JSONPath ${JSON.stringify(path)}: filter and script expressions are not supported`);
  }
  return {
    path,
    get(data: unknown): GjsonResult {
      if (data === null || typeof data !== "object") return toResult(undefined);
      const matches = JSONPath({ path, json: data, wrap: true, eval: false }) as unknown[] | undefined;
      if (!matches || matches.length === 0) return toResult(undefined);
      return toResult({ v: matches.length === 1 ? matches[0] : matches });
    },
  };
}

/** Compile a gjson path once (at load); throws ExpressionError for a malformed path. */
export function compilePath(path: string): CompiledPath {
  if (path.startsWith("$")) return compileJsonPath(path);
  if (path === "") throw new ExpressionError("gjson path is empty");
  let segments: Segment[];
  try {
    segments = parseSegments(path);
  } catch (err) {
    if (err instanceof ExpressionError) throw err;
    throw new ExpressionError(`gjson path ${JSON.stringify(path)}: ${errorMessage(err)}`, { cause: err });
  }
  return {
    path,
    get(data: unknown, raw?: RawSource): GjsonResult {
      const found = evalPath(data, segments);
      // The text is looked up only where it can differ, on a second evaluation that tracks locations.
      const tracked = raw && found && hasOwnText(found.v) ? evalPath(data, segments, []) : undefined;
      return toResult(found, tracked, raw);
    },
  };
}
