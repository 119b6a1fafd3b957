// encoding/json's Marshal / MarshalIndent over our value model: sorted map keys,
// HTML-safe escaping (unless disabled), ints as ints, time as RFC 3339.

import { GoObject } from "./object.js";
import { GoTime } from "./time.js";
import { isMap, sortedKeys } from "./values.js";

export class JsonError extends Error {}

function quote(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || (escapeHTML && (ch === "<" || ch === ">" || ch === "&")) || cp === 0x2028 || cp === 0x2029) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else if (cp >= 0xd800 && cp < 0xe000) out += "\\ufffd";
    else out += ch;
  }
  return out + '"';
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new JsonError(`json: unsupported value: ${Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf"}`);
  // Go switches to exponent form below 1e-6 and from 1e21 on, as JavaScript does.
  return Object.is(n, -0) ? "-0" : String(n);
}

export function marshal(v: unknown, opts: { indent?: string; escapeHTML?: boolean } = {}): string {
  const indent = opts.indent ?? "";
  const esc = opts.escapeHTML ?? true;
  const enc = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return "null";
    if (typeof x === "string") return quote(x, esc);
    if (typeof x === "number") return num(x);
    if (typeof x === "bigint" || typeof x === "boolean") return String(x);
    if (x instanceof GoTime) return quote(x.format("2006-01-02T15:04:05.999999999Z07:00"), esc);
    if (x instanceof GoObject) return enc(x.jsonValue(), depth);
    const nl = indent ? "\n" + indent.repeat(depth + 1) : "";
    const close = indent ? "\n" + indent.repeat(depth) : "";
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return "[" + x.map((e) => nl + enc(e, depth + 1)).join(",") + close + "]";
    }
    if (isMap(x)) {
      const keys = sortedKeys(x);
      if (keys.length === 0) return "{}";
      const sep = indent ? ": " : ":";
      return "{" + keys.map((k) => nl + quote(k, esc) + sep + enc(x[k], depth + 1)).join(",") + close + "}";
    }
    throw new JsonError(`json: unsupported type`);
  };
  return enc(v, 0);
}

/** json.Unmarshal into interface{}: numbers become float64. */
export function unmarshal(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch (err) {
    throw new JsonError(err instanceof Error ? err.message : String(err));
  }
}
