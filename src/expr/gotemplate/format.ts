// Go's fmt over our value model: %v printing (42, 1.5, 1.234567e+06, [a b], map[a:1]),
// Sprint/Sprintln and the common Sprintf verbs, including the %!d(float64=1) forms.

import { goQuote } from "./quote.js";
import { GoObject } from "./object.js";
import { GoTime } from "./time.js";
import { isMap, sortedKeys, typeName } from "./values.js";

/** Shortest decimal digits of |x| and the decimal point position: x = 0.DIGITS × 10^dp. */
function shortestDigits(x: number): { digits: string; dp: number } {
  if (x === 0) return { digits: "0", dp: 1 };
  const [mant, exp] = Math.abs(x).toExponential().split("e");
  return { digits: mant.replace(".", ""), dp: Number(exp) + 1 };
}

function roundedDigits(x: number, n: number): { digits: string; dp: number } {
  if (x === 0) return { digits: "0".repeat(Math.max(n, 1)), dp: 1 };
  const [mant, exp] = Math.abs(x).toExponential(Math.min(Math.max(n - 1, 0), 100)).split("e");
  return { digits: mant.replace(".", ""), dp: Number(exp) + 1 };
}

function fmtE(neg: boolean, digits: string, dp: number, prec: number, e: string): string {
  let s = (neg ? "-" : "") + digits[0];
  if (prec > 0) s += "." + digits.slice(1).padEnd(prec, "0").slice(0, prec);
  const exp = digits === "0" || /^0+$/.test(digits) ? 0 : dp - 1;
  const ae = Math.abs(exp);
  return s + e + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" + ae : String(ae));
}

function fmtF(neg: boolean, digits: string, dp: number, prec: number): string {
  let intPart = dp > 0 ? digits.slice(0, dp).padEnd(dp, "0") : "0";
  intPart = intPart.replace(/^0+(?=\d)/, "");
  let frac = "";
  for (let i = 0; i < prec; i++) {
    const j = dp + i;
    frac += j < 0 || j >= digits.length ? "0" : digits[j];
  }
  return (neg ? "-" : "") + intPart + (prec > 0 ? "." + frac : "");
}

/** strconv.FormatFloat(x, fmt, prec, 64). */
export function formatFloat(x: number, fmt: "e" | "E" | "f" | "g" | "G", prec: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const neg = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  if (fmt === "e" || fmt === "E") {
    const d = shortest ? shortestDigits(x) : roundedDigits(x, prec + 1);
    return fmtE(neg, d.digits, d.dp, shortest ? d.digits.length - 1 : prec, fmt);
  }
  if (fmt === "f") {
    if (shortest) {
      const d = shortestDigits(x);
      return fmtF(neg, d.digits, d.dp, Math.max(d.digits.length - d.dp, 0));
    }
    const abs = Math.abs(x);
    const fixed = abs < 1e21 ? abs.toFixed(Math.min(prec, 100)) : BigInt(abs).toString() + (prec > 0 ? "." + "0".repeat(prec) : "");
    return (neg ? "-" : "") + fixed;
  }
  // %g: exponent form when exp < -4 || exp >= eprec; shortest uses eprec 6.
  let p = prec === 0 ? 1 : prec;
  const d = shortest ? shortestDigits(x) : roundedDigits(x, p);
  let digits = d.digits;
  if (!shortest) digits = digits.replace(/0+$/, "") || "0";
  if (shortest) p = digits.length;
  let eprec = p;
  if (eprec > digits.length && digits.length >= d.dp) eprec = digits.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    return fmtE(neg, digits, d.dp, Math.min(p, digits.length) - 1, fmt === "G" ? "E" : "e");
  }
  return fmtF(neg, digits, d.dp, Math.max(Math.min(p, digits.length) - d.dp, 0));
}

/** fmt's %v of one value. */
export function formatV(v: unknown, plus = false): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatFloat(v, "g", -1);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "[" + v.map((e) => formatV(e, plus)).join(" ") + "]";
  if (v instanceof GoTime) return v.toString();
  if (v instanceof GoObject) return v.format();
  if (isMap(v)) return "map[" + sortedKeys(v).map((k) => `${k}:${formatV(v[k], plus)}`).join(" ") + "]";
  return String(v);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatV(a);
  });
  return out;
}

export function sprintln(args: unknown[]): string {
  return args.map((a) => formatV(a)).join(" ") + "\n";
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | null;
  prec: number | null;
  verb: string;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === null || [...s].length >= spec.width) return s;
  const n = spec.width - [...s].length;
  if (spec.minus) return s + " ".repeat(n);
  if (spec.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0] : "";
    return sign + "0".repeat(n) + s.slice(sign.length);
  }
  return " ".repeat(n) + s;
}

function badVerb(spec: Spec, v: unknown): string {
  if (v === undefined || v === null) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${typeName(v)}=${formatV(v)})`;
}

function withSign(s: string, spec: Spec): string {
  if (s.startsWith("-")) return s;
  return spec.plus ? "+" + s : spec.space ? " " + s : s;
}

function formatOne(v: unknown, spec: Spec): string {
  const verb = spec.verb;
  if (Array.isArray(v) && verb !== "T") {
    return pad("[" + v.map((e) => formatOne(e, { ...spec, width: null })).join(" ") + "]", spec, false);
  }
  if (isMap(v) && verb !== "T") {
    const items = sortedKeys(v).map((k) => `${formatOne(k, { ...spec, width: null })}:${formatOne(v[k], { ...spec, width: null })}`);
    return pad("map[" + items.join(" ") + "]", spec, false);
  }
  if (verb === "T") return pad(v === undefined || v === null ? "<nil>" : typeName(v), spec, false);
  if (verb === "v" && spec.sharp && typeof v === "string") return pad(goQuote(v), spec, false);
  if (v === undefined || v === null) return verb === "v" ? pad("<nil>", spec, false) : badVerb(spec, v);
  if (typeof v === "boolean") return verb === "v" || verb === "t" ? pad(String(v), spec, false) : badVerb(spec, v);
  if (v instanceof GoObject && !v.isStringer) return verb === "v" ? pad(v.format(), spec, false) : badVerb(spec, v);
  if (typeof v === "string" || v instanceof GoTime || v instanceof GoObject) {
    const s = typeof v === "string" ? v : v instanceof GoObject ? v.format() : v.toString();
    switch (verb) {
      case "v":
      case "s":
        return pad(spec.prec !== null ? [...s].slice(0, spec.prec).join("") : s, spec, false);
      case "q":
        return pad(goQuote(s), spec, false);
      case "x":
      case "X": {
        const hex = Buffer.from(s, "utf8").toString("hex");
        return pad(verb === "X" ? hex.toUpperCase() : hex, spec, false);
      }
      default:
        return badVerb(spec, v);
    }
  }
  if (typeof v === "bigint") {
    const abs = v < 0n ? -v : v;
    const sign = v < 0n ? "-" : "";
    switch (verb) {
      case "v":
      case "d":
        return pad(withSign(v.toString(), spec), spec, true);
      case "b":
        return pad(withSign(sign + abs.toString(2), spec), spec, true);
      case "o":
        return pad(withSign(sign + (spec.sharp ? "0" : "") + abs.toString(8), spec), spec, true);
      case "x":
        return pad(withSign(sign + (spec.sharp ? "0x" : "") + abs.toString(16), spec), spec, true);
      case "X":
        return pad(withSign(sign + (spec.sharp ? "0X" : "") + abs.toString(16).toUpperCase(), spec), spec, true);
      case "c":
        return pad(String.fromCodePoint(Number(abs)), spec, false);
      case "q":
        return pad("'" + goQuote(String.fromCodePoint(Number(abs))).slice(1, -1).replace(/\\"/g, '"') + "'", spec, false);
      case "U":
        return pad("U+" + abs.toString(16).toUpperCase().padStart(4, "0"), spec, false);
      default:
        return badVerb(spec, v);
    }
  }
  if (typeof v === "number") {
    const p = spec.prec ?? -1;
    let s: string;
    switch (verb) {
      case "v":
      case "g":
        s = formatFloat(v, "g", p);
        break;
      case "G":
        s = formatFloat(v, "G", p);
        break;
      case "e":
      case "E":
        s = formatFloat(v, verb, spec.prec ?? 6);
        break;
      case "f":
      case "F":
        s = formatFloat(v, "f", spec.prec ?? 6);
        break;
      default:
        return badVerb(spec, v);
    }
    if (s === "+Inf" && !spec.plus) s = spec.space ? " Inf" : "+Inf";
    return pad(withSign(s, spec), spec, Number.isFinite(v));
  }
  return badVerb(spec, v);
}

/** fmt.Sprintf with flags, width, precision (including `*`) and the usual error forms. */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct === -1) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: null, prec: null, verb: "" };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === "-") spec.minus = true;
      else if (c === "+") spec.plus = true;
      else if (c === "#") spec.sharp = true;
      else if (c === " ") spec.space = true;
      else if (c === "0") spec.zero = !spec.minus;
      else break;
    }
    // Go's fmt refuses a width or precision beyond 1e6 (tooLarge): a `*` one prints
    // %!(BADWIDTH) / %!(BADPREC), a literal one is dropped. Without it, one printf could
    // allocate hundreds of MB.
    let tooLarge = false;
    const readNum = (): number | null => {
      if (format[i] === "*") {
        i++;
        const a = args[argi++];
        const n = typeof a === "bigint" ? Number(a) : null;
        if (n !== null && Math.abs(n) > 1e6) {
          tooLarge = true;
          return null;
        }
        return n;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return null;
      i += m[0].length;
      const n = Number(m[0]);
      return n > 1e6 ? null : n;
    };
    spec.width = readNum();
    if (tooLarge) out += "%!(BADWIDTH)";
    tooLarge = false;
    if (format[i] === ".") {
      i++;
      spec.prec = readNum() ?? 0;
      if (tooLarge) out += "%!(BADPREC)";
    }
    if (i >= format.length) {
      out += "%!(NOVERB)";
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    spec.verb = verb;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[argi++], spec);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => (a === undefined || a === null ? "<nil>" : `${typeName(a)}=${formatV(a)}`));
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
