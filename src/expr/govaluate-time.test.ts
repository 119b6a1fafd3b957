// Quoted literals that read as dates. govaluate's lexer (readToken in parsing.go)
// passes every string literal to tryParseTime, which tries a fixed list of Go layouts
// with time.ParseInLocation(layout, text, time.Local); a hit becomes a TIME token,
// and the planner (planValue in stagePlanner.go) makes it the literal
// float64(t.Unix()): whole Unix seconds, the fraction dropped. Argo Events pins
// Knetic/govaluate v3.0.1-0.20171022003610-9aa49832a739 (go.mod).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExpressionError } from "../errors.js";
import { compileGovaluate } from "./govaluate.js";
import { GOVALUATE_TIME_LAYOUTS, govaluateTimeLiteral, layoutElements } from "./govaluate-time.js";

const originalTz = process.env.TZ;
function useZone(tz: string | undefined): void {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
}
afterEach(() => useZone(originalTz));

describe("the layouts tryParseTime tries, in its order", () => {
  it("are time.ANSIC, UnixDate, RubyDate, Kitchen, RFC3339, RFC3339Nano, then the ISO 8601 shapes", () => {
    expect(GOVALUATE_TIME_LAYOUTS).toEqual([
      "Mon Jan _2 15:04:05 2006",
      "Mon Jan _2 15:04:05 MST 2006",
      "Mon Jan 02 15:04:05 -0700 2006",
      "3:04PM",
      "2006-01-02T15:04:05Z07:00",
      "2006-01-02T15:04:05.999999999Z07:00",
      "2006-01-02",
      "2006-01-02 15:04",
      "2006-01-02 15:04:05",
      "2006-01-02 15:04:05-07:00",
      "2006-01-02T15Z0700",
      "2006-01-02T15:04Z0700",
      "2006-01-02T15:04:05Z0700",
      "2006-01-02T15:04:05.999999999Z0700",
    ]);
  });

  it("split into the elements Go's chunker (nextStdChunk in time/format.go) finds", () => {
    expect(layoutElements("Mon Jan _2 15:04:05 MST 2006")).toEqual(
      ["<Mon>", " ", "<Jan>", " ", "<_2>", " ", "<15>", ":", "<04>", ":", "<05>", " ", "<MST>", " ", "<2006>"],
    );
    expect(layoutElements("2006-01-02T15:04:05.999999999Z07:00")).toEqual(
      ["<2006>", "-", "<01>", "-", "<02>", "T", "<15>", ":", "<04>", ":", "<05>", "<.999999999>", "<Z07:00>"],
    );
    expect(layoutElements("2006-01-02 15:04:05-07:00").slice(-2)).toEqual(["<05>", "<-07:00>"]);
    expect(layoutElements("2006-01-02T15Z0700").slice(-3)).toEqual(["T", "<15>", "<Z0700>"]);
    expect(layoutElements("3:04PM")).toEqual(["<3>", ":", "<04>", "<PM>"]);
  });
});

describe("literals that are dates (time.Local = UTC, as in Argo's sensor image without TZ)", () => {
  beforeEach(() => useZone("UTC"));

  it.each<[string, number]>([
    ["Mon Jan  2 15:04:05 2006", 1136214245], // ANSIC
    ["Mon Jan 2 15:04:05 2006", 1136214245], // a layout space matches a run of spaces
    ["mon JAN 2 15:04:05 2006", 1136214245], // names match case-insensitively
    ["Fri Jan  2 15:04:05 2006", 1136214245], // the weekday is only spell-checked
    ["Mon Jan  2 15:04:05 UTC 2006", 1136214245], // UnixDate
    ["Mon Jan  2 15:04:05 PST 2006", 1136214245], // an abbreviation the local zone lacks: wall clock as UTC
    ["Mon Jan  2 15:04:05 GMT+3 2006", 1136214245], // ... with a GMT offset too (only the zone's name changes)
    ["Mon Jan 02 15:04:05 -0700 2006", 1136239445], // RubyDate
    ["3:04PM", -62167164960], // Kitchen: January 1 of year 0
    ["12:00AM", -62167219200],
    ["2006-01-02T15:04:05Z", 1136214245], // RFC3339
    ["2006-01-02T15:04:05-07:00", 1136239445],
    ["2006-01-02T3:04:05Z", 1136171045], // Go's "15" takes one digit too
    ["2006-01-02T15:04:05.999999999+00:00", 1136214245], // RFC3339Nano: the fraction is dropped
    ["2006-01-02T15:04:05,5Z", 1136214245], // a comma fraction is read as well
    ["2006-01-02", 1136160000],
    ["2006-01-02 15:04", 1136214240],
    ["2006-01-02 15:04:05", 1136214245],
    ["2006-01-02 15:04:05.75", 1136214245],
    ["2006-01-02 15:04:05-07:00", 1136239445],
    ["2006-01-02T15Z", 1136214000],
    ["2006-01-02T15-0700", 1136239200],
    ["2006-01-02T15:04+0100", 1136210640],
    ["2006-01-02T15:04:05-0700", 1136239445],
    ["2006-01-02T15:04:05+0100", 1136210645],
    ["2006-01-02T15:04:05.123456789123+0000", 1136214245],
    ["2024-02-29", 1709164800], // a leap day
    ["1969-12-31 23:59:59", -1],
    ["0000-01-01", -62167219200],
  ])("%j is %d", (text, seconds) => {
    expect(govaluateTimeLiteral(text)).toBe(seconds);
  });

  it.each([
    "2006-01-02T15:04:05", // RFC 3339 needs a zone; no layout takes a T without one
    "2006-1-2",
    "06-01-02",
    "2006-02-30", // the day is checked against the month
    "2023-02-29",
    "2006-13-01",
    "2006-01-02 24:00",
    "2006-01-02 15:60",
    " 2006-01-02",
    "2006-01-02 ", // extra text
    "2006-01-02T15:04:05+25:00",
    "3:04pm", // PM is upper case
    "13:00PM",
    "Jan 2 2006",
    "hello",
    "",
  ])("%j stays a string", (text) => {
    expect(govaluateTimeLiteral(text)).toBeUndefined();
  });
});

describe("literals without a zone are local time (time.Local) as Go reads it", () => {
  beforeEach(() => {
    useZone("America/New_York");
    // The zone must really have changed (a forked worker honours TZ at run time).
    expect(new Date(Date.UTC(2024, 0, 1)).getTimezoneOffset()).toBe(300);
  });

  it.each<[string, number]>([
    ["2024-01-01", 1704085200], // EST, UTC-5
    ["2024-07-01 12:00", 1719849600], // EDT, UTC-4
    ["2024-01-01T00:00:00Z", 1704067200], // a zone in the text wins
    ["2024-01-01 00:00:00+01:00", 1704063600],
    // time.Date in a spring-forward gap: the offset before the change is looked up at
    // the wall clock read as UTC, the one at the resulting instant is used: 01:30 EST.
    ["2024-03-10 02:30", 1710052200],
    // A repeated hour in autumn resolves to its first (EDT) occurrence.
    ["2024-11-03 01:30", 1730611800],
    ["Mon Jan  2 15:04:05 EST 2006", 1136232245], // an abbreviation the local zone uses
    ["Mon Jan  2 15:04:05 MST 2006", 1136214245], // one it does not: wall clock as UTC
    ["3:04PM", -62167147198], // year 0 is in New York's local mean time, UTC-4:56:02
  ])("%j is %d", (text, seconds) => {
    expect(govaluateTimeLiteral(text)).toBe(seconds);
  });
});

describe("date literals in expressions", () => {
  beforeEach(() => useZone("UTC"));
  const ev = (expr: string, params: Record<string, unknown>) => compileGovaluate(expr).evaluate(params);

  it("compare as numbers: a date string in the payload cannot be ordered against them", () => {
    expect(ev('created > "2024-01-01"', { created: 1704067201 })).toBe(true);
    expect(ev('created > "2024-01-01"', { created: 1704067199 })).toBe(false);
    expect(() => ev('created > "2024-01-01"', { created: "2024-06-01" })).toThrow(
      "Value '2024-06-01' cannot be used with the comparator '>', it is not a number",
    );
  });

  it("a string field is never equal to a date literal, a number of the same seconds is", () => {
    expect(ev('d == "2024-01-01"', { d: "2024-01-01" })).toBe(false);
    expect(ev('d != "2024-01-01"', { d: "2024-01-01" })).toBe(true);
    expect(ev('d == "2024-01-01"', { d: 1704067200 })).toBe(true);
    expect(ev('d == "2024-01-01T10:00:00"', { d: "2024-01-01T10:00:00" })).toBe(true); // not a date: a string
  });

  it("work in arithmetic, concatenation and in", () => {
    expect(ev('"2024-01-01" + 86400 == "2024-01-02"', {})).toBe(true);
    expect(ev('"2024-01-01" - 1', {})).toBe(1704067199);
    expect(ev('"2024-01-01" + "!"', {})).toBe("1.7040672e+09!"); // fmt's %v of the float
    expect(ev('d in ("2024-01-01", "2024-01-02")', { d: 1704153600 })).toBe(true);
  });

  it("are no regex: =~ fails at evaluation instead of compiling a pattern", () => {
    // optimizeTokens precompiles a STRING after =~, not a TIME.
    expect(() => ev('s =~ "2024-01-01"', { s: "2024-01-01" })).toThrow(
      "Value '1.7040672e+09' cannot be used with the comparator '=~', it is not a number",
    );
  });

  // checkExpressionSyntax (lexerState.go) lets fewer tokens border a TIME than a STRING.
  it.each<[string, string]>([
    ['a + "2024-01-01"', "Cannot transition token types from MODIFIER [+] to TIME [2024-01-01]"],
    ['a * "2024-01-01"', "Cannot transition token types from MODIFIER [*] to TIME [2024-01-01]"],
    ['-"2024-01-01"', "Cannot transition token types from PREFIX [-] to TIME [2024-01-01]"],
    ['a == -"2024-01-01"', "Cannot transition token types from PREFIX [-] to TIME [2024-01-01]"],
    ['!"2024-01-01"', "Cannot transition token types from PREFIX [!] to TIME [2024-01-01]"],
    ['a == "2024-01-01" ? 1 : 2', "Cannot transition token types from TIME [2024-01-01] to TERNARY [?]"],
    ['"2024-01-01" ?? 1', "Cannot transition token types from TIME [2024-01-01] to TERNARY [??]"],
    ['t ? "2024-01-01" : 0', "Cannot transition token types from TIME [2024-01-01] to TERNARY [:]"],
  ])("%s is a parse error", (expr, msg) => {
    expect(() => compileGovaluate(expr)).toThrow(ExpressionError);
    expect(() => compileGovaluate(expr)).toThrow(msg);
  });

  it("the same places take a plain string", () => {
    expect(ev('a + "x"', { a: 1 })).toBe("1x");
    expect(ev('a == "x" ? 1 : 2', { a: "x" })).toBe(1);
    expect(ev('t ? 0 : "2024-01-01"', { t: false })).toBe(1704067200); // after a ternary operator is fine
  });
});
