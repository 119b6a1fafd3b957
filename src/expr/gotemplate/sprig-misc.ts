// sprig defaults, JSON, hashing, reflection, dates and flow control.
// env/expandenv are left out on purpose: a sensor template must not read the gateway's environment.

import { createHash, randomUUID } from "node:crypto";
import { fn, vfn, FuncError, type FuncTable } from "./funcs.js";
import { JsonError, marshal, unmarshal } from "./json.js";
import { kindOf } from "./sprig-collections.js";
import { durationString, GoTime } from "./time.js";
import { deepEqual, isEmpty, typeName } from "./values.js";
import { parseGoDuration } from "../duration.js";

function hash(alg: string, s: string): string {
  return createHash(alg).update(s, "utf8").digest("hex");
}

function adler32(s: string): bigint {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return BigInt(((b << 16) | a) >>> 0);
}

function json(v: unknown, opts: { indent?: string; escapeHTML?: boolean }, must: boolean): string {
  try {
    return marshal(v, opts);
  } catch (err) {
    if (must && err instanceof JsonError) throw new FuncError(err.message);
    return "";
  }
}

/** sprig's date functions take time.Time or a Unix time in int seconds; anything else means now. */
function asTime(v: unknown): GoTime {
  if (v instanceof GoTime) return v;
  if (typeof v === "bigint") return GoTime.unix(Number(v));
  return GoTime.now();
}

/** time.ParseDuration, in milliseconds, failing as a template function does. */
function parseDuration(s: string): number {
  try {
    return parseGoDuration(s);
  } catch {
    throw new FuncError(`time: invalid duration "${s}"`);
  }
}

function dateModify(d: string, t: GoTime, must: boolean): GoTime {
  let ms: number;
  try {
    ms = parseDuration(d);
  } catch (err) {
    if (must) throw err;
    return t;
  }
  return GoTime.unix((t.ms + ms) / 1000).inZone(t.loc.name);
}

function toDate(layout: string, value: string, must: boolean): GoTime {
  try {
    return GoTime.parse(layout, value);
  } catch (err) {
    if (must) throw new FuncError(err instanceof Error ? err.message : String(err));
    return GoTime.zero();
  }
}

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n, us: 1_000n, "\u00b5s": 1_000n, "\u03bcs": 1_000n, ms: 1_000_000n, s: 1_000_000_000n,
  m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const MAX_DURATION = 1n << 63n;

/** time.ParseDuration in nanoseconds, exactly (int64 overflow is an error); null when invalid. */
export function parseDurationNs(text: string): bigint | null {
  let s = text;
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return null;
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (s !== "") {
    const m = re.exec(s);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) return null;
    const unit = NS_PER_UNIT[m[3]];
    if (unit === undefined) return null;
    s = s.slice(m[0].length);
    if (m[1].replace(/^0+/, "").length > 19) return null;
    const whole = BigInt(m[1] || "0");
    if (whole > MAX_DURATION / unit) return null;
    let v = whole * unit;
    // Go keeps the fraction digits while they fit in an int64, then scales in float64.
    let f = 0n;
    let scale = 1;
    for (const d of m[2] ?? "") {
      const next = f * 10n + BigInt(d);
      if (f > (MAX_DURATION - 1n) / 10n || next > MAX_DURATION) break;
      f = next;
      scale *= 10;
    }
    if (f > 0n) v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
    total += v;
    if (v > MAX_DURATION || total > MAX_DURATION) return null;
  }
  if (!neg && total === MAX_DURATION) return null;
  return neg ? -total : total;
}

const DAY_NS = 86_400_000_000_000n;
const ROUND_UNITS: [bigint, string][] = [
  [365n * DAY_NS, "y"], [30n * DAY_NS, "mo"], [DAY_NS, "d"], [3_600_000_000_000n, "h"], [60_000_000_000n, "m"], [1_000_000_000n, "s"],
];

/** sprig's durationRound: the largest whole unit strictly inside the duration ("2h5s" gives "2h"). */
function durationRound(v: unknown): string {
  let ns = 0n;
  if (typeof v === "string") ns = parseDurationNs(v) ?? 0n;
  else if (typeof v === "bigint") ns = BigInt.asIntN(64, v);
  else if (v instanceof GoTime) ns = BigInt(Date.now() - v.ms) * 1_000_000n - BigInt(v.subNs);
  const u = ns < 0n ? -ns : ns;
  for (const [size, suffix] of ROUND_UNITS) if (u > size) return String(u / size) + suffix;
  return "0s";
}

export const sprigMisc: FuncTable = {
  default: vfn(["any"], "any", (d, given) => (given.length === 0 || isEmpty(given[0]) ? d : given[0])),
  empty: fn(["any"], isEmpty),
  coalesce: vfn([], "any", (xs) => xs.find((x) => !isEmpty(x)) ?? null),
  all: vfn([], "any", (xs) => xs.every((x) => !isEmpty(x))),
  any: vfn([], "any", (xs) => xs.some((x) => !isEmpty(x))),
  ternary: fn(["any", "any", "bool"], (t, f, c) => (c ? t : f)),
  fail: fn(["string"], (msg) => {
    throw new FuncError(msg);
  }),
  toJson: fn(["any"], (v) => json(v, {}, false)),
  mustToJson: fn(["any"], (v) => json(v, {}, true)),
  toPrettyJson: fn(["any"], (v) => json(v, { indent: "  " }, false)),
  mustToPrettyJson: fn(["any"], (v) => json(v, { indent: "  " }, true)),
  toRawJson: fn(["any"], (v) => json(v, { escapeHTML: false }, true)),
  mustToRawJson: fn(["any"], (v) => json(v, { escapeHTML: false }, true)),
  fromJson: fn(["string"], (s) => {
    try {
      return unmarshal(s);
    } catch {
      return null;
    }
  }),
  mustFromJson: fn(["string"], (s) => {
    try {
      return unmarshal(s);
    } catch (err) {
      throw new FuncError(err instanceof Error ? err.message : String(err));
    }
  }),
  typeOf: fn(["any"], (v) => typeName(v)),
  typeIs: fn(["string", "any"], (t, v) => typeName(v) === t),
  typeIsLike: fn(["string", "any"], (t, v) => typeName(v) === t || typeName(v) === "*" + t),
  kindOf: fn(["any"], kindOf),
  kindIs: fn(["string", "any"], (k, v) => kindOf(v) === k),
  sha256sum: fn(["string"], (s) => hash("sha256", s)),
  sha1sum: fn(["string"], (s) => hash("sha1", s)),
  sha512sum: fn(["string"], (s) => hash("sha512", s)),
  adler32sum: fn(["string"], (s) => String(adler32(s))),
  uuidv4: fn([], () => randomUUID()),
  now: fn([], () => GoTime.now()),
  date: fn(["string", "any"], (layout, d) => asTime(d).inZone("Local").format(layout)),
  dateInZone: fn(["string", "any", "string"], (layout, d, zone) => asTime(d).inZone(zone).format(layout)),
  date_in_zone: fn(["string", "any", "string"], (layout, d, zone) => asTime(d).inZone(zone).format(layout)),
  htmlDate: fn(["any"], (d) => asTime(d).format("2006-01-02")),
  htmlDateInZone: fn(["any", "string"], (d, zone) => asTime(d).inZone(zone).format("2006-01-02")),
  unixEpoch: fn(["time"], (t) => String(t.unixSeconds())),
  toDate: fn(["string", "string"], (layout, s) => toDate(layout, s, false)),
  mustToDate: fn(["string", "string"], (layout, s) => toDate(layout, s, true)),
  dateModify: fn(["string", "time"], (d, t) => dateModify(d, t, false)),
  date_modify: fn(["string", "time"], (d, t) => dateModify(d, t, false)),
  mustDateModify: fn(["string", "time"], (d, t) => dateModify(d, t, true)),
  must_date_modify: fn(["string", "time"], (d, t) => dateModify(d, t, true)),
  durationRound: fn(["any"], durationRound),
  ago: fn(["any"], (d) => durationString(Math.round((Date.now() - asTime(d).ms) / 1000))),
  duration: fn(["any"], (sec) => {
    const n = typeof sec === "bigint" ? Number(sec) : typeof sec === "string" && /^[+-]?\d+$/.test(sec) ? Number(sec) : 0;
    return durationString(n);
  }),
  deepEqual: fn(["any", "any"], deepEqual),
};
