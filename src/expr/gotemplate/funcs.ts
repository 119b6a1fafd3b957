// Function table shared by the builtins and the sprig functions. Each function declares
// the Go parameter kinds it takes, so the executor can check arguments as text/template
// does (`wrong type for value; expected string; got float64`).

import type { GoMap } from "./values.js";
import type { GoTime } from "./time.js";
import type { GoObject, ObjectKind } from "./object.js";

/**
 * Go parameter types: interface{}, string, int, float64, bool, map[string]interface{}, time.Time,
 * []interface{} ("list"), uint32, sprig's named string type HashAlgorithm, and Go object types
 * ("obj:*semver.Version"). Only constants convert to uint32 and HashAlgorithm: no value in a
 * template's data has those types, so text/template refuses any other argument for them.
 */
export type ParamKind =
  | "any" | "string" | "int" | "float" | "bool" | "map" | "time" | "list" | "uint32" | "hashAlgorithm" | ObjectKind;

type ArgOf<K extends ParamKind> = K extends "string" | "hashAlgorithm"
  ? string
  : K extends "int" | "float" | "uint32"
    ? number
    : K extends "bool"
      ? boolean
      : K extends "map"
        ? GoMap | null
        : K extends "time"
          ? GoTime
          : K extends "list"
            ? unknown[] | null
            : K extends ObjectKind
              ? GoObject
              : unknown;

export interface GoFunc {
  readonly params: readonly ParamKind[];
  /** Kind of each extra argument when the function is variadic. */
  readonly variadic?: ParamKind;
  readonly call: (args: unknown[]) => unknown;
  /**
   * Budget steps one call spends beyond the usual one: key generation, bcrypt and scrypt run
   * for tens or hundreds of milliseconds, so a template may only make a few such calls.
   */
  readonly cost?: number | ((args: unknown[]) => number);
}

/** An error a function returns (Go's second result or a recovered panic). */
export class FuncError extends Error {}

type Args<P extends readonly ParamKind[]> = { [I in keyof P]: P[I] extends ParamKind ? ArgOf<P[I]> : never };

/** A fixed-arity function. */
export function fn<const P extends readonly ParamKind[]>(params: P, body: (...args: Args<P>) => unknown): GoFunc {
  return { params, call: (args) => (body as (...a: unknown[]) => unknown)(...args) };
}

/** A variadic function: `rest` holds the extra arguments, each of kind `variadic`. */
export function vfn<const P extends readonly ParamKind[], V extends ParamKind>(
  params: P,
  variadic: V,
  body: (...args: [...Args<P>, ArgOf<V>[]]) => unknown,
): GoFunc {
  return {
    params,
    variadic,
    call: (args) => (body as (...a: unknown[]) => unknown)(...args.slice(0, params.length), args.slice(params.length)),
  };
}

/** The same function with a budget cost per call. */
export function costly(f: GoFunc, cost: number | ((args: unknown[]) => number)): GoFunc {
  return { ...f, cost };
}

export type FuncTable = Record<string, GoFunc>;
