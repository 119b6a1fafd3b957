// sprig arithmetic (numeric.go): int64 math through spf13/cast's lenient conversions,
// float helpers, and the decimal-exact addf/subf/mulf.

import { TEMPLATE_MAX_LIST } from "./exec.js";
import { fn, vfn, FuncError, type FuncTable } from "./funcs.js";
import { randomInt } from "node:crypto";
import { formatFloat, formatV } from "./format.js";
import { parseGoInt } from "./quote.js";
import { int64 } from "./values.js";

/** strconv.ParseInt(s, 0, 64); null when invalid or out of range. */
function parseIntBase0(s: string): bigint | null {
  const v = parseGoInt(s);
  return v !== null && v >= -(1n << 63n) && v < 1n << 63n ? v : null;
}

/** strconv.ParseFloat(s, 64); null when invalid. */
export function parseGoFloat(s: string): number | null {
  const t = s.replace(/_/g, "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$/.test(t)) return null;
  return Number(t);
}

/** cast.ToInt64: numbers truncate, strings parse (base 0, "3.0" allowed), bools are 0/1, the rest 0. */
export function toInt64(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isFinite(v) ? int64(BigInt(Math.trunc(v))) : 0n;
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string") return parseIntBase0(v.replace(/\.0*$/, "")) ?? 0n;
  return 0n;
}

/** cast.ToFloat64. */
export function toFloat64(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") return parseGoFloat(v) ?? 0;
  return 0;
}

/** A float's shortest decimal form as an exact scaled integer: value = n / 10^scale. */
function toDecimal(x: number): { n: bigint; scale: number } {
  const s = formatFloat(x, "e", -1);
  const [mant, expStr] = s.split("e");
  const exp = Number(expStr);
  const [ip, fp = ""] = mant.split(".");
  const digits = BigInt(ip + fp);
  const scale = fp.length - exp;
  return scale >= 0 ? { n: digits, scale } : { n: digits * 10n ** BigInt(-scale), scale: 0 };
}

function decimalOp(a: number, rest: number[], op: "add" | "sub" | "mul"): number {
  let acc = toDecimal(a);
  for (const b of rest) {
    const d = toDecimal(b);
    if (op === "mul") {
      acc = { n: acc.n * d.n, scale: acc.scale + d.scale };
      continue;
    }
    const scale = Math.max(acc.scale, d.scale);
    const x = acc.n * 10n ** BigInt(scale - acc.scale);
    const y = d.n * 10n ** BigInt(scale - d.scale);
    acc = { n: op === "add" ? x + y : x - y, scale };
  }
  const neg = acc.n < 0n;
  const str = (neg ? -acc.n : acc.n).toString().padStart(acc.scale + 1, "0");
  const text = acc.scale > 0 ? `${str.slice(0, -acc.scale)}.${str.slice(-acc.scale)}` : str;
  return Number((neg ? "-" : "") + text);
}

function div(a: bigint, b: bigint, op: "/" | "%"): bigint {
  if (b === 0n) throw new FuncError("runtime error: integer divide by zero");
  return int64(op === "/" ? a / b : a % b);
}

/** sprig's round: half away from zero at `roundOn`, to `places` decimals. */
function round(v: number, places: number, roundOn: number): number {
  const pow = Math.pow(10, places);
  const digit = pow * v;
  const frac = digit - Math.trunc(digit);
  return (frac >= roundOn ? Math.ceil(digit) : Math.floor(digit)) / pow;
}

function atoi(s: string): bigint {
  return /^[+-]?\d+$/.test(s) ? (BigInt(s) >= -(1n << 63n) && BigInt(s) < 1n << 63n ? BigInt(s) : 0n) : 0n;
}

function seq(params: number[]): string {
  const run = (start: number, end: number, step: number): string => {
    if (step !== 0 && Math.abs((end - start) / step) > TEMPLATE_MAX_LIST) {
      throw new FuncError(`template exceeded its budget: a sequence of more than ${TEMPLATE_MAX_LIST} numbers`);
    }
    const out: number[] = [];
    if (step > 0) for (let i = start; i < end; i += step) out.push(i);
    else if (step < 0) for (let i = start; i > end; i += step) out.push(i);
    return out.join(" ");
  };
  switch (params.length) {
    case 1: {
      const inc = params[0] < 1 ? -1 : 1;
      return run(1, params[0] + inc, inc);
    }
    case 2: {
      const inc = params[1] < params[0] ? -1 : 1;
      return run(params[0], params[1] + inc, inc);
    }
    case 3: {
      const [start, step, end] = params;
      const inc = end < start ? -1 : 1;
      if (end < start && step > 0) return "";
      return run(start, end + inc, step);
    }
    default:
      return "";
  }
}

/** sprig's toDecimal: fmt.Sprint(v) read as an octal int64 ("777" gives 511), 0 when it is not one. */
function octal(v: unknown): bigint {
  const text = typeof v === "string" ? v : formatV(v);
  const m = /^([+-]?)([0-7]+)$/.exec(text);
  if (!m || m[2].replace(/^0+/, "").length > 22) return 0n;
  const abs = BigInt("0o" + m[2]);
  const n = m[1] === "-" ? -abs : abs;
  return n >= -(1n << 63n) && n < 1n << 63n ? n : 0n;
}

/** rand.Intn(max-min) + min; Go panics when the range is empty. */
function randInt(min: number, max: number): bigint {
  const n = max - min;
  if (!(n > 0)) throw new FuncError("invalid argument to Intn");
  const r = n <= 2 ** 48 - 1 ? randomInt(n) : Math.floor(Math.random() * n);
  return BigInt(r) + BigInt(min);
}

export const sprigNumeric: FuncTable = {
  atoi: fn(["string"], atoi),
  int: fn(["any"], toInt64),
  int64: fn(["any"], toInt64),
  float64: fn(["any"], toFloat64),
  add1: fn(["any"], (a) => int64(toInt64(a) + 1n)),
  add: vfn([], "any", (xs) => xs.reduce<bigint>((acc, x) => int64(acc + toInt64(x)), 0n)),
  sub: fn(["any", "any"], (a, b) => int64(toInt64(a) - toInt64(b))),
  mul: vfn(["any"], "any", (a, xs) => xs.reduce<bigint>((acc, x) => int64(acc * toInt64(x)), toInt64(a))),
  div: fn(["any", "any"], (a, b) => div(toInt64(a), toInt64(b), "/")),
  mod: fn(["any", "any"], (a, b) => div(toInt64(a), toInt64(b), "%")),
  max: vfn(["any"], "any", (a, xs) => xs.map(toInt64).reduce((m, x) => (x > m ? x : m), toInt64(a))),
  biggest: vfn(["any"], "any", (a, xs) => xs.map(toInt64).reduce((m, x) => (x > m ? x : m), toInt64(a))),
  min: vfn(["any"], "any", (a, xs) => xs.map(toInt64).reduce((m, x) => (x < m ? x : m), toInt64(a))),
  maxf: vfn(["any"], "any", (a, xs) => xs.map(toFloat64).reduce((m, x) => Math.max(m, x), toFloat64(a))),
  minf: vfn(["any"], "any", (a, xs) => xs.map(toFloat64).reduce((m, x) => Math.min(m, x), toFloat64(a))),
  add1f: fn(["any"], (a) => decimalOp(toFloat64(a), [1], "add")),
  addf: vfn([], "any", (xs) => decimalOp(0, xs.map(toFloat64), "add")),
  subf: vfn(["any"], "any", (a, xs) => decimalOp(toFloat64(a), xs.map(toFloat64), "sub")),
  mulf: vfn(["any"], "any", (a, xs) => decimalOp(toFloat64(a), xs.map(toFloat64), "mul")),
  divf: vfn(["any"], "any", (a, xs) => xs.map(toFloat64).reduce((acc, x) => {
    if (x === 0) throw new FuncError("decimal division by 0");
    return acc / x;
  }, toFloat64(a))),
  floor: fn(["any"], (a) => Math.floor(toFloat64(a))),
  ceil: fn(["any"], (a) => Math.ceil(toFloat64(a))),
  round: vfn(["any", "int"], "float", (a, p, opt) => round(toFloat64(a), p, opt.length > 0 ? opt[0] : 0.5)),
  seq: vfn([], "int", seq),
  toDecimal: fn(["any"], octal),
  randInt: fn(["int", "int"], randInt),
};
