// The Go value model of templates over encoding/json data:
//   undefined = invalid reflect.Value (missing map key, "<no value>")
//   null      = nil interface (JSON null)
//   string, number (float64), bigint (Go int/int64), boolean,
//   arrays ([]interface{}), plain objects (map[string]interface{}), GoTime (time.Time).

import { GoObject } from "./object.js";
import { GoTime } from "./time.js";

export type GoMap = { [key: string]: unknown };

export function isMap(v: unknown): v is GoMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof GoTime) && !(v instanceof GoObject);
}

export function hasKey(m: GoMap, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, key);
}

/** Go map iteration in text/template and fmt is in sorted key order. */
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort(compareStrings);
}

/** Byte-wise comparison like Go's `<` on strings (UTF-8 order = code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

/** The Go type name used in error messages (`wrong type ... got float64`). */
export function typeName(v: unknown): string {
  if (v === undefined || v === null) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "float64";
  if (typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  if (v instanceof GoTime) return "time.Time";
  if (v instanceof GoObject) return v.goType;
  return "map[string]interface {}";
}

/** text/template's truth: the zero value of the type, nil and empty collections are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "bigint") return v !== 0n;
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoTime) return true;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** sprig's `empty`: like !isTrue, structs (time) are never empty. */
export function isEmpty(v: unknown): boolean {
  return !isTrue(v);
}

/** reflect.DeepEqual over our value model (float64 1 != int 1, as in Go). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (a instanceof GoTime) return b instanceof GoTime && a.equalStrict(b);
  if (a instanceof GoObject) return b instanceof GoObject && a.goType === b.goType && a.identity() === b.identity();
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasKey(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) {
    const out = newMap();
    for (const k of Object.keys(v)) putKey(out, k, deepCopy(v[k]));
    return out;
  }
  return v;
}

/** Clamps a bigint to Go's int64 by wrapping, as Go arithmetic does. */
export function int64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** A fresh map with no prototype, so a key like "__proto__" is just a key. */
export function newMap(): GoMap {
  return Object.create(null) as GoMap;
}

/** Sets a key as an own data property, whatever the key (no prototype setter). */
export function putKey(m: GoMap, key: string, value: unknown): void {
  Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
}
