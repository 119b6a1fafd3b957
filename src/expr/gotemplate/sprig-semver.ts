// sprig's semver and semverCompare, with Masterminds/semver v3 semantics (the library sprig
// and Argo Events build with). The npm `semver` package is not used: its ranges differ from
// Masterminds' in ways a Sensor would notice — no `!=`, no `,` as AND, no `=>`/`=<`, no
// loose versions such as "1.2" or "v1", different `^0.0` and `>1.x` readings, and npm lets
// a prerelease through only when a comparator has one with the same major.minor.patch,
// where Masterminds lets all prereleases through an AND group once any of its comparators
// names one. The patterns are Masterminds' own, run on RE2 (re2js) so that a hostile
// constraint from a payload cannot make them backtrack.

import { RE2JS } from "re2js";
import { costly, fn, FuncError, type FuncTable, type GoFunc } from "./funcs.js";
import { GoObject, objectKind } from "./object.js";
import { goQuote } from "./quote.js";

interface Re2 {
  match(s: string): boolean;
  findSubmatch(s: string): (string | null)[] | null;
  findAll(s: string, n: number): string[] | null;
  findAllSubmatch(s: string, n: number): (string | null)[][] | null;
}
const re2 = (pattern: string): Re2 => RE2JS.compile(pattern).re2() as unknown as Re2;

const LOOSE_VERSION = re2(
  String.raw`^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`,
);
const CV = String.raw`v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?`;
const OPS = String.raw`=||!=|>|<|>=|=>|<=|=<|~|~>|\^`;
const CONSTRAINT = re2(String.raw`^\s*(${OPS})\s*(${CV})\s*$`);
const RANGE = re2(String.raw`\s*(${CV})\s+-\s+(${CV})\s*`);
// Only whole matches are used, so without capture groups: RE2 finds them about 3 times faster.
const FIND_CONSTRAINT = re2(String.raw`(?:${OPS})\s*(?:${CV})`.replace(/\((?!\?)/g, "(?:"));
const VALID_CONSTRAINT = re2(String.raw`^(\s*(${OPS})\s*(${CV})\s*)((?:\s+|,\s*)(${OPS})\s*(${CV})\s*)*$`);

const MAX_UINT64 = (1n << 64n) - 1n;
const ALLOWED = /^[0-9A-Za-z-]*$/;

function parseUint(text: string): bigint {
  const digits = text.replace(/^0+(?=.)/, "");
  const n = digits.length > 20 ? MAX_UINT64 + 1n : BigInt(digits);
  if (n > MAX_UINT64) throw new FuncError(`error parsing version segment: strconv.ParseUint: parsing ${goQuote(text)}: value out of range`);
  return n;
}

function validatePrerelease(p: string): void {
  for (const part of p.split(".")) {
    if (part === "") throw new FuncError("invalid prerelease string");
    if (/^[0-9]+$/.test(part)) {
      if (part.length > 1 && part[0] === "0") throw new FuncError("version segment starts with 0");
    } else if (!ALLOWED.test(part)) {
      throw new FuncError("invalid prerelease string");
    }
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split(".")) if (part === "" || !ALLOWED.test(part)) throw new FuncError("invalid metadata string");
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isUint(s: string): boolean {
  return /^[0-9]+$/.test(s) && (s.length < 20 || BigInt(s) <= MAX_UINT64);
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return -1;
  if (o === "") return 1;
  const sn = isUint(s);
  const on = isUint(o);
  if (!sn && !on) return s > o ? 1 : -1;
  if (!on) return -1;
  if (!sn) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrePart(as[i] ?? "", bs[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

const VERSION_PTR = objectKind("*semver.Version");

/** semver.Version; `pointer` tells *Version (what semver returns) from a Version value (what IncPatch returns). */
export class SemVersion extends GoObject {
  readonly goKind: "ptr" | "struct";
  readonly goType: string;

  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly pre: string,
    readonly metadata: string,
    readonly original: string,
    readonly pointer = true,
  ) {
    super();
    this.goKind = pointer ? "ptr" : "struct";
    this.goType = pointer ? "*semver.Version" : "semver.Version";
  }

  /** semver.NewVersion with CoerceNewVersion on (its default): "v1", "1.2" and "01.2.3" are accepted. */
  static parse(v: string): SemVersion {
    const m = LOOSE_VERSION.findSubmatch(v);
    if (!m) throw new FuncError("invalid semantic version");
    const seg = (g: string | null): bigint => (g ? parseUint(g.replace(/^\./, "")) : 0n);
    const version = new SemVersion(seg(m[1]), seg(m[2]), seg(m[3]), m[5] ?? "", m[8] ?? "", v);
    if (version.pre !== "") validatePrerelease(version.pre);
    if (version.metadata !== "") validateMetadata(version.metadata);
    return version;
  }

  override toString(): string {
    return `${this.major}.${this.minor}.${this.patch}` + (this.pre ? `-${this.pre}` : "") + (this.metadata ? `+${this.metadata}` : "");
  }

  compare(o: SemVersion): number {
    const d = cmp(this.major, o.major) || cmp(this.minor, o.minor) || cmp(this.patch, o.patch);
    if (d !== 0) return d;
    if (this.pre === "" && o.pre === "") return 0;
    if (this.pre === "") return 1;
    if (o.pre === "") return -1;
    return comparePrerelease(this.pre, o.pre);
  }

  private next(major: bigint, minor: bigint, patch: bigint, pre: string, metadata: string): SemVersion {
    const v = new SemVersion(major, minor, patch, pre, metadata, "", false);
    const prefix = this.original.startsWith("v") ? "v" : "";
    return new SemVersion(major, minor, patch, pre, metadata, prefix + v.toString(), false);
  }

  private inc(part: "major" | "minor" | "patch"): SemVersion {
    if (this[part] === MAX_UINT64) throw new FuncError(`${part} version increment would overflow uint64`);
    if (part === "major") return this.next(this.major + 1n, 0n, 0n, "", "");
    if (part === "minor") return this.next(this.major, this.minor + 1n, 0n, "", "");
    // A prerelease of x.y.z goes to x.y.z itself.
    return this.next(this.major, this.minor, this.pre ? this.patch : this.patch + 1n, "", "");
  }

  override method(name: string): GoFunc | undefined {
    const other = (f: (o: SemVersion) => unknown): GoFunc =>
      fn([VERSION_PTR], (o) => {
        if (o === null) throw new FuncError("runtime error: invalid memory address or nil pointer dereference");
        return f(o as SemVersion);
      });
    const valueMethods: Record<string, GoFunc> = {
      String: fn([], () => this.toString()),
      Major: fn([], () => this.major),
      Minor: fn([], () => this.minor),
      Patch: fn([], () => this.patch),
      Prerelease: fn([], () => this.pre),
      Metadata: fn([], () => this.metadata),
      IncMajor: fn([], () => this.inc("major")),
      IncMinor: fn([], () => this.inc("minor")),
      IncPatch: fn([], () => this.inc("patch")),
      SetPrerelease: fn(["string"], (p) => {
        if (p !== "") validatePrerelease(p);
        return this.next(this.major, this.minor, this.patch, p, this.metadata);
      }),
      SetMetadata: fn(["string"], (m) => {
        if (m !== "") validateMetadata(m);
        return this.next(this.major, this.minor, this.patch, this.pre, m);
      }),
    };
    if (valueMethods[name]) return valueMethods[name];
    if (!this.pointer) return undefined; // a Version value is not addressable: no pointer methods
    const pointerMethods: Record<string, GoFunc> = {
      Original: fn([], () => this.original),
      Compare: other((o) => BigInt(this.compare(o))),
      LessThan: other((o) => this.compare(o) < 0),
      LessThanEqual: other((o) => this.compare(o) <= 0),
      GreaterThan: other((o) => this.compare(o) > 0),
      GreaterThanEqual: other((o) => this.compare(o) >= 0),
      Equal: fn([VERSION_PTR], (o) => o === this || (o !== null && this.compare(o as SemVersion) === 0)),
    };
    return pointerMethods[name];
  }

  format(): string {
    return this.toString();
  }
  override get isStringer(): boolean {
    return true;
  }
  jsonValue(): unknown {
    return this.toString();
  }
  identity(): string {
    return JSON.stringify([String(this.major), String(this.minor), String(this.patch), this.pre, this.metadata, this.original]);
  }
}

// --- constraints ---

interface Constraint {
  op: string;
  con: SemVersion;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

const isX = (s: string): boolean => s === "x" || s === "X" || s === "*";

function parseConstraint(c: string): Constraint {
  const m = CONSTRAINT.findSubmatch(c);
  if (!m) throw new FuncError(`improper constraint: ${goQuote(c)}`);
  const [op, whole, major, minorPart, patchPart, pre] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((g) => g ?? "");
  let ver = whole;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === "") {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minorPart.replace(/^\./, "")) || minorPart === "") {
    ver = `${major}.0.0${pre}`;
    dirty = minorDirty = true;
  } else if (isX(patchPart.replace(/^\./, "")) || patchPart === "") {
    ver = `${major}${minorPart}.0${pre}`;
    dirty = patchDirty = true;
  }
  let con: SemVersion;
  try {
    con = SemVersion.parse(ver);
  } catch {
    throw new FuncError("constraint parser error");
  }
  return { op, con, dirty, minorDirty, patchDirty };
}

/** Characters of rewriting a constraint's ranges that one call may scan: the rewrite is quadratic. */
const MAX_RANGE_WORK = 20_000_000;

/** "1.2 - 1.4" becomes ">= 1.2, <= 1.4 ", one first occurrence at a time as Masterminds does. */
function rewriteRange(c: string): string {
  if (!c.includes("-") || !RANGE.match(c)) return c;
  const matches = RANGE.findAllSubmatch(c, -1) ?? [];
  if (matches.length * c.length > MAX_RANGE_WORK) {
    throw new FuncError(`template exceeded its budget: a constraint of ${matches.length} ranges in ${c.length} bytes`);
  }
  let out = c;
  for (const m of matches) {
    const at = out.indexOf(m[0] ?? "");
    if (at >= 0) out = out.slice(0, at) + `>= ${m[1] ?? ""}, <= ${m[11] ?? ""} ` + out.slice(at + (m[0] ?? "").length);
  }
  return out;
}

function tilde(v: SemVersion, c: Constraint): boolean {
  if (v.compare(c.con) < 0) return false;
  const con = c.con;
  if (con.major === 0n && con.minor === 0n && con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== con.major) return false;
  return !(v.minor !== con.minor && !c.minorDirty);
}

function caret(v: SemVersion, c: Constraint): boolean {
  const con = c.con;
  if (v.compare(con) < 0) return false;
  if (con.major > 0n || c.minorDirty) return v.major === con.major;
  if (v.major > 0n) return false;
  if (con.minor > 0n || c.patchDirty) return v.minor === con.minor;
  if (v.minor > 0n) return false;
  return con.patch === v.patch;
}

function notEqual(v: SemVersion, c: Constraint): boolean {
  const con = c.con;
  if (c.dirty) {
    if (con.major !== v.major) return true;
    if (con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) return v.pre !== "" || con.pre !== "" ? comparePrerelease(v.pre, con.pre) !== 0 : false;
  }
  return v.compare(con) !== 0;
}

function greaterThan(v: SemVersion, c: Constraint): boolean {
  const con = c.con;
  if (!c.dirty) return v.compare(con) === 1;
  if (v.major !== con.major) return v.major > con.major;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > con.minor;
  return v.compare(con) === 1;
}

function lessThanEqual(v: SemVersion, c: Constraint): boolean {
  const con = c.con;
  if (!c.dirty) return v.compare(con) <= 0;
  if (v.major > con.major) return false;
  return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
}

const OPS_CHECK: Record<string, (v: SemVersion, c: Constraint) => boolean> = {
  "": (v, c) => (c.dirty ? tilde(v, c) : v.compare(c.con) === 0),
  "!=": notEqual,
  ">": greaterThan,
  "<": (v, c) => v.compare(c.con) < 0,
  ">=": (v, c) => v.compare(c.con) >= 0,
  "<=": lessThanEqual,
  "~": tilde,
  "^": caret,
};
const OP_ALIAS: Record<string, string> = { "=": "", "=>": ">=", "=<": "<=", "~>": "~" };

/** semver.NewConstraint(constraint).Check(version). */
export function semverCompare(constraint: string, version: string): boolean {
  const groups = rewriteRange(constraint)
    .split("||")
    .map((part) => {
      if (!VALID_CONSTRAINT.match(part)) throw new FuncError(`improper constraint: ${goQuote(part)}`);
      return (FIND_CONSTRAINT.findAll(part, -1) ?? [part]).map(parseConstraint);
    });
  const v = SemVersion.parse(version);
  return groups.some((group) => {
    // Prereleases pass only through a group where some comparator names a prerelease.
    if (v.pre !== "" && !group.some((c) => c.con.pre !== "")) return false;
    return group.every((c) => OPS_CHECK[OP_ALIAS[c.op] ?? c.op](v, c));
  });
}

/**
 * A step of budget per character: parsing runs RE2 over every byte and works per comparator,
 * some microseconds each, so a megabyte-sized constraint from a payload fails at once instead
 * of costing seconds per call.
 */
const perChar = (args: unknown[]): number => args.reduce<number>((n, a) => n + String(a).length, 0);

export const sprigSemver: FuncTable = {
  semver: costly(fn(["string"], (v) => SemVersion.parse(v)), perChar),
  semverCompare: costly(fn(["string", "string"], semverCompare), perChar),
};
