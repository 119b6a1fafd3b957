// sprig string functions (Masterminds/sprig v3 strings.go), with Go's byte-based slicing.

import { TEMPLATE_MAX_MADE, TEMPLATE_MAX_OUTPUT } from "./exec.js";
import { posix } from "node:path";
import { fn, vfn, FuncError, type FuncTable } from "./funcs.js";
import { formatV } from "./format.js";
import { goQuote } from "./quote.js";
import { GoTime } from "./time.js";
import { compareStrings, newMap, putKey, type GoMap } from "./values.js";

/** sprig's strval: strings as they are, Stringers via String(), the rest via %v. */
export function strval(v: unknown): string {
  if (typeof v === "string") return v;
  if (v instanceof GoTime) return v.toString();
  return formatV(v);
}

/** sprig's strslice: a list's non-nil elements as strings, or a scalar as a one-element list. */
export function strslice(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((e) => e !== null && e !== undefined).map(strval);
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

const GO_SPACE = "\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u2028\u2029\u202F\u205F\u3000";

/** strings.Trim(s, cutset): drops leading and trailing runes found in cutset. */
export function trimCutset(s: string, cutset: string): string {
  const cut = new Set([...cutset]);
  const runes = [...s];
  let a = 0;
  let b = runes.length;
  while (a < b && cut.has(runes[a])) a++;
  while (b > a && cut.has(runes[b - 1])) b--;
  return runes.slice(a, b).join("");
}

function bytes(s: string): Buffer {
  return Buffer.from(s, "utf8");
}

/** Go's s[a:b] on a string, which indexes bytes and panics when out of range. */
function byteSlice(s: string, a: number, b?: number): string {
  const buf = bytes(s);
  const end = b ?? buf.length;
  if (a < 0 || end > buf.length || a > end) throw new FuncError(`runtime error: slice bounds out of range [${a}:${end}] with length ${buf.length}`);
  return buf.subarray(a, end).toString("utf8");
}

/** strings.Title: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = " ";
  let out = "";
  for (const ch of s) {
    const isSep = /[\p{L}\p{N}_]/u.test(prev) ? false : prev.charCodeAt(0) < 0x80 ? true : /\s/u.test(prev);
    out += isSep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function replaceAll(src: string, old: string, repl: string): string {
  if (old === "") return repl + [...src].map((r) => r + repl).join("");
  return src.split(old).join(repl);
}

function splitGo(orig: string, sep: string): string[] {
  return sep === "" ? [...orig] : orig.split(sep);
}

function splitN(orig: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const parts = splitGo(orig, sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function indexMap(parts: string[]): GoMap {
  const out = newMap();
  parts.forEach((p, i) => putKey(out, `_${i}`, p));
  return out;
}

function abbreviate(s: string, offset: number, width: number): string {
  if (s.length <= width) return s;
  if (offset <= 0) return s.slice(0, width - 3) + "...";
  if (offset + width - 3 >= s.length) return "..." + s.slice(s.length - (width - 3));
  return "..." + abbreviate(s.slice(offset), 0, width - 3);
}

/** base64.StdEncoding.DecodeString; throws FuncError with Go's message. */
export function goBase64Decode(s: string): Buffer {
  const clean = s.replace(/[\r\n]/g, "");
  const bad = clean.search(/[^A-Za-z0-9+/=]|=[^=]|={3}/);
  if (bad >= 0 || clean.length % 4 !== 0) {
    throw new FuncError(`illegal base64 data at input byte ${bad >= 0 ? bad : clean.length - (clean.length % 4)}`);
  }
  return Buffer.from(clean, "base64");
}

function b64decode(s: string): string {
  try {
    return goBase64Decode(s).toString("utf8");
  } catch (err) {
    return (err as Error).message;
  }
}

const B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function b32encode(s: string): string {
  let bits = "";
  for (const b of bytes(s)) bits += b.toString(2).padStart(8, "0");
  let out = "";
  for (let i = 0; i < bits.length; i += 5) out += B32[parseInt(bits.slice(i, i + 5).padEnd(5, "0"), 2)];
  return out.padEnd(Math.ceil(out.length / 8) * 8, "=");
}

function b32decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, "");
  const bad = clean.replace(/=+$/, "").search(/[^A-Z2-7]/);
  if (bad >= 0 || clean.length % 8 !== 0) return `illegal base32 data at input byte ${bad >= 0 ? bad : clean.length}`;
  let bits = "";
  for (const c of clean.replace(/=+$/, "")) bits += B32.indexOf(c).toString(2).padStart(5, "0");
  const out: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(out).toString("utf8");
}

/** path.Clean: lexical cleanup, no trailing slash except for the root. */
function cleanPath(p: string): string {
  if (p === "") return ".";
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

function basePath(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf("/") + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

/** A function result larger than this is a budget error (see exec.ts): checked before building it. */
function assertMadeFits(chars: number): void {
  if (chars > TEMPLATE_MAX_MADE) throw new FuncError(`template exceeded its budget: a value of more than ${TEMPLATE_MAX_MADE} characters`);
}

function indent(n: number, s: string, before: string): string {
  const pad = " ".repeat(Math.max(n, 0));
  const lines = s.split("\n").length;
  assertMadeFits(before.length + s.length + lines * pad.length);
  return before + pad + s.replace(/\n/g, "\n" + pad);
}

export const sprigStrings: FuncTable = {
  base: fn(["string"], basePath),
  dir: fn(["string"], dirPath),
  clean: fn(["string"], cleanPath),
  ext: fn(["string"], extPath),
  isAbs: fn(["string"], (p) => p.startsWith("/")),
  // path/filepath on Linux, where Argo Events runs, behaves as path.
  osBase: fn(["string"], basePath),
  osDir: fn(["string"], dirPath),
  osClean: fn(["string"], cleanPath),
  osExt: fn(["string"], extPath),
  osIsAbs: fn(["string"], (p) => p.startsWith("/")),
  hello: fn([], () => "Hello!"),
  trim: fn(["string"], (s) => {
    const runes = [...s];
    let a = 0;
    let b = runes.length;
    while (a < b && GO_SPACE.includes(runes[a])) a++;
    while (b > a && GO_SPACE.includes(runes[b - 1])) b--;
    return runes.slice(a, b).join("");
  }),
  trimAll: fn(["string", "string"], (cut, s) => trimCutset(s, cut)),
  trimall: fn(["string", "string"], (cut, s) => trimCutset(s, cut)),
  trimPrefix: fn(["string", "string"], (p, s) => (p !== "" && s.startsWith(p) ? s.slice(p.length) : s)),
  trimSuffix: fn(["string", "string"], (p, s) => (p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  upper: fn(["string"], (s) => s.toUpperCase()),
  lower: fn(["string"], (s) => s.toLowerCase()),
  title: fn(["string"], title),
  repeat: fn(["int", "string"], (count, s) => {
    if (count < 0) throw new FuncError("strings: negative Repeat count");
    if (s.length * count > TEMPLATE_MAX_OUTPUT) throw new FuncError(`template exceeded its budget: repeat of more than ${TEMPLATE_MAX_OUTPUT} bytes`);
    return s.repeat(count);
  }),
  substr: fn(["int", "int", "string"], (start, end, s) => {
    if (start < 0) return byteSlice(s, 0, end);
    if (end < 0 || end > bytes(s).length) return byteSlice(s, start);
    return byteSlice(s, start, end);
  }),
  trunc: fn(["int", "string"], (c, s) => {
    const len = bytes(s).length;
    if (c < 0 && len + c > 0) return byteSlice(s, len + c);
    if (c >= 0 && len > c) return byteSlice(s, 0, c);
    return s;
  }),
  abbrev: fn(["int", "string"], (width, s) => (width < 4 ? s : abbreviate(s, 0, width))),
  abbrevboth: fn(["int", "int", "string"], (left, right, s) =>
    right < 4 || (left > 0 && right < 7) ? s : abbreviate(s, left, right),
  ),
  replace: fn(["string", "string", "string"], (old, repl, src) => {
    // The result's size is known before it is built: refuse what the budget would refuse after.
    const hits = old === "" ? [...src].length + 1 : src.split(old).length - 1;
    assertMadeFits(src.length + hits * (repl.length - old.length));
    return replaceAll(src, old, repl);
  }),
  contains: fn(["string", "string"], (sub, s) => s.includes(sub)),
  hasPrefix: fn(["string", "string"], (p, s) => s.startsWith(p)),
  hasSuffix: fn(["string", "string"], (p, s) => s.endsWith(p)),
  quote: vfn([], "any", (args) => args.filter((a) => a !== null).map((a) => goQuote(strval(a))).join(" ")),
  squote: vfn([], "any", (args) => args.filter((a) => a !== null).map((a) => `'${formatV(a)}'`).join(" ")),
  cat: vfn([], "any", (args) => args.filter((a) => a !== null).map((a) => formatV(a)).join(" ")),
  indent: fn(["int", "string"], (n, s) => indent(n, s, "")),
  nindent: fn(["int", "string"], (n, s) => indent(n, s, "\n")),
  nospace: fn(["string"], (s) => [...s].filter((r) => !GO_SPACE.includes(r)).join("")),
  initials: fn(["string"], (s) => s.split(/\s+/u).filter((w) => w !== "").map((w) => [...w][0]).join("")),
  swapcase: fn(["string"], (s) => [...s].map((r) => (r === r.toUpperCase() ? r.toLowerCase() : r.toUpperCase())).join("")),
  plural: fn(["string", "string", "int"], (one, many, n) => (n === 1 ? one : many)),
  splitList: fn(["string", "string"], (sep, orig) => splitGo(orig, sep)),
  split: fn(["string", "string"], (sep, orig) => indexMap(splitGo(orig, sep))),
  splitn: fn(["string", "int", "string"], (sep, n, orig) => indexMap(splitN(orig, sep, n))),
  join: fn(["string", "any"], (sep, v) => strslice(v).join(sep)),
  sortAlpha: fn(["any"], (v) => (Array.isArray(v) ? strslice(v).sort(compareStrings) : [strval(v)])),
  toString: fn(["any"], strval),
  toStrings: fn(["any"], strslice),
  b64enc: fn(["string"], (s) => bytes(s).toString("base64")),
  b64dec: fn(["string"], b64decode),
  b32enc: fn(["string"], b32encode),
  b32dec: fn(["string"], b32decode),
};
