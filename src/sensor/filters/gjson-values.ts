import type { GjsonResult } from "../../expr/index.js";

// Go's strconv.ParseBool accepts exactly these spellings.
const GO_BOOLS: Record<string, boolean> = {
  "1": true, t: true, T: true, TRUE: true, true: true, True: true,
  "0": false, f: false, F: false, FALSE: false, false: false, False: false,
};

/** strconv.ParseBool: undefined for anything else. */
export function parseGoBool(text: string): boolean | undefined {
  return GO_BOOLS[text];
}

// Hex floats (0x1p-2) are left out: nobody filters webhook fields with them.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// Go takes a sign before inf/infinity only: "-nan" is a syntax error.
const SPECIAL = /^([+-]?(inf|infinity)|nan)$/i;

/** strconv.ParseFloat(s, 64) for the decimal forms people write: undefined when Go errors. */
export function parseGoFloat(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  if (SPECIAL.test(text)) {
    const neg = text.startsWith("-");
    if (/nan/i.test(text)) return NaN;
    return neg ? -Infinity : Infinity;
  }
  return undefined;
}

/**
 * strconv.ParseFloat(s, 64) with its error, as filterData parses a number filter's
 * value: syntax errors, and a decimal beyond float64 (Go returns ±Inf with a range
 * error, which filterData treats as any error).
 */
export function goParseFloat(text: string): number | { error: string } {
  const n = parseGoFloat(text);
  if (n === undefined) return { error: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` };
  if (!Number.isFinite(n) && !Number.isNaN(n) && DECIMAL.test(text)) {
    return { error: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range` };
  }
  return n;
}

/** strconv.ParseBool with its error, as filterData parses a bool filter's value. */
export function goParseBool(text: string): boolean | { error: string } {
  const b = parseGoBool(text);
  return b === undefined ? { error: `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax` } : b;
}

/** gjson Result.Float(): numbers as they are, numeric strings parsed, true is 1, the rest 0. */
export function gjsonFloat(r: GjsonResult): number {
  switch (r.type) {
    case "Number":
      return typeof r.value === "number" ? r.value : Number(r.str);
    case "True":
      return 1;
    case "String":
      return parseGoFloat(r.str) ?? 0;
    default:
      return 0;
  }
}

/** gjson Result.Bool(): true, a non-zero number, or a string ParseBool reads as true. */
export function gjsonBool(r: GjsonResult): boolean {
  switch (r.type) {
    case "True":
      return true;
    case "Number":
      return gjsonFloat(r) !== 0;
    case "String":
      return parseGoBool(r.str.toLowerCase()) ?? false;
    default:
      return false;
  }
}
