import { describe, expect, it } from "vitest";
import type { GjsonResult } from "../../expr/gjson.js";
import { gjsonBool, gjsonFloat, parseGoBool, parseGoFloat } from "./gjson-values.js";

const r = (type: GjsonResult["type"], value: unknown, str: string): GjsonResult => ({
  exists: true,
  type,
  value,
  str,
  raw: str,
});

describe("Go/gjson value conversions", () => {
  it.each([
    ["1.5", 1.5],
    ["-2", -2],
    [".5", 0.5],
    ["1e3", 1000],
    ["+Inf", Infinity],
    ["abc", undefined],
    ["", undefined],
    [" 1", undefined],
    ["0x10", undefined],
    // every decimal form strconv.ParseFloat reads
    ["1.25", 1.25],
    ["1.", 1],
    [".25", 0.25],
    ["-.75", -0.75],
    ["1e+3", 1000],
    ["1e-3", 0.001],
    ["2E10", 2e10],
    ["1e", undefined],
    [".", undefined],
    // the special values, case-insensitive; only inf and infinity take a sign
    ["inf", Infinity],
    ["Infinity", Infinity],
    ["-inf", -Infinity],
    ["-INFINITY", -Infinity],
    ["NaN", NaN],
    ["nan", NaN],
    ["-nan", undefined],
    ["+NaN", undefined],
    ["infinite", undefined],
    ["xinf", undefined],
    ["info", undefined],
  ])("ParseFloat(%j) = %s", (text, want) => {
    expect(parseGoFloat(text)).toBe(want);
  });

  it.each([
    // strconv.ParseBool accepts exactly these twelve spellings
    ["1", true],
    ["t", true],
    ["T", true],
    ["TRUE", true],
    ["true", true],
    ["True", true],
    ["0", false],
    ["f", false],
    ["F", false],
    ["FALSE", false],
    ["false", false],
    ["False", false],
    ["yes", undefined],
    ["tRue", undefined],
    ["", undefined],
  ])("ParseBool(%j) = %s", (text, want) => {
    expect(parseGoBool(text)).toBe(want);
  });

  it.each([
    [r("Number", 3, "3"), 3],
    [r("String", "12.5", "12.5"), 12.5],
    [r("String", "x", "x"), 0],
    [r("True", true, "true"), 1],
    [r("False", false, "false"), 0],
    [r("JSON", {}, "{}"), 0],
  ])("Float(%j) = %s", (res, want) => {
    expect(gjsonFloat(res)).toBe(want);
  });

  it.each([
    [r("True", true, "true"), true],
    [r("Number", 0, "0"), false],
    [r("Number", 2, "2"), true],
    [r("String", "TRUE", "TRUE"), true],
    [r("String", "nope", "nope"), false],
    [r("Null", null, "null"), false],
  ])("Bool(%j) = %s", (res, want) => {
    expect(gjsonBool(res)).toBe(want);
  });
});
