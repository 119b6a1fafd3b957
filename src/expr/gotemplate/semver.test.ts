// semver and semverCompare against Masterminds/semver's own tables (constraints_test.go and
// version_test.go at the version Argo Events builds with), through templates as sprig runs them.

import { describe, expect, it } from "vitest";
import { compileGoTemplate, GoTemplateError } from "./index.js";
import { SemVersion, semverCompare } from "./sprig-semver.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);
const q = (s: string): string => JSON.stringify(s);

// TestConstraintsCheck
const CONSTRAINTS_CHECK: [string, string, boolean][] = [
  ["*", "1.2.3", true], ["~0.0.0", "1.2.3", true], ["0.x.x", "1.2.3", false], ["0.0.x", "1.2.3", false],
  ["0.0.0", "1.2.3", false], ["*", "1.2.3", true], ["^0.0.0", "1.2.3", false], ["= 2.0", "1.2.3", false],
  ["= 2.0", "2.0.0", true], ["4.1", "4.1.0", true], ["4.1.x", "4.1.3", true], ["1.x", "1.4", true],
  ["!=4.1", "4.1.0", false], ["!=4.1-alpha", "4.1.0-alpha", false], ["!=4.1-alpha", "4.1.1-alpha", false],
  ["!=4.1-alpha", "4.1.0", true], ["!=4.1", "5.1.0", true], ["!=4.x", "5.1.0", true], ["!=4.x", "4.1.0", false],
  ["!=4.1.x", "4.2.0", true], ["!=4.2.x", "4.2.3", false], [">1.1", "4.1.0", true], [">1.1", "1.1.0", false],
  ["<1.1", "0.1.0", true], ["<1.1", "1.1.0", false], ["<1.1", "1.1.1", false], ["<1.x", "1.1.1", false],
  ["<1.x", "0.1.1", true], ["<1.x", "2.0.0", false], ["<1.1.x", "1.2.1", false], ["<1.1.x", "1.1.500", false],
  ["<1.1.x", "1.0.500", true], ["<1.2.x", "1.1.1", true], [">=1.1", "4.1.0", true], [">=1.1", "4.1.0-beta", false],
  [">=1.1", "1.1.0", true], [">=1.1", "0.0.9", false], ["<=1.1", "0.1.0", true], ["<=1.1", "0.1.0-alpha", false],
  ["<=1.1-a", "0.1.0-alpha", true], ["<=1.1", "1.1.0", true], ["<=1.x", "1.1.0", true], ["<=2.x", "3.0.0", false],
  ["<=1.1", "1.1.1", true], ["<=1.1.x", "1.2.500", false], ["<=4.5", "3.4.0", true], ["<=4.5", "3.7.0", true],
  ["<=4.5", "4.6.3", false], [">1.1, <2", "1.1.1", false], [">1.1, <2", "1.2.1", true], [">1.1, <3", "4.3.2", false],
  [">=1.1, <2, !=1.2.3", "1.2.3", false], [">1.1 <2", "1.1.1", false], [">1.1 <2", "1.2.1", true],
  [">1.1    <3", "4.3.2", false], [">=1.1    <2    !=1.2.3", "1.2.3", false],
  [">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true], [">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false],
  [">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true], [">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false],
  [">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false], [">=1.1 <2 !=1.2.3", "1.2.3", false],
  [">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true], [">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false],
  [">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true], [">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false],
  [">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false], ["> 1.1, <     2", "1.1.1", false], [">   1.1, <2", "1.2.1", true],
  [">1.1, <  3", "4.3.2", false], [">= 1.1, <     2, !=1.2.3", "1.2.3", false], ["> 1.1 < 2", "1.1.1", false],
  [">1.1 < 2", "1.2.1", true], ["> 1.1    <3", "4.3.2", false], [">=1.1    < 2    != 1.2.3", "1.2.3", false],
  [">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true], [">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false],
  [">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true], [">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false],
  [">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false], [">= 1.1 <2 != 1.2.3", "1.2.3", false],
  [">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true], [">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false],
  [">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true], [">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false],
  [">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false], [">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true],
  [">= 1.0.0  <= 2.0.0-beta", "1.0.1", true], [">= 1.0.0  <= 2.0.0-beta", "3.0.0", false],
  [">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", true], [">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false],
  [">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3", "1.0.1-beta", true],
  [">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3", "1.0.1-beta", false],
  [">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true], ["1.1 - 2", "1.1.1", true], ["1.5.0 - 4.5", "3.7.0", true],
  ["1.1-3", "4.3.2", false], ["^1.1", "1.1.1", true], ["^1.1", "4.3.2", false], ["^1.x", "1.1.1", true],
  ["^2.x", "1.1.1", false], ["^1.x", "2.1.1", false], ["^1.x", "1.1.1-beta1", false],
  ["^1.1.2-alpha", "1.2.1-beta1", true], ["^1.2.x-alpha", "1.1.1-beta1", false], ["^0.0.1", "0.0.1", true],
  ["^0.0.1", "0.3.1", false], ["~*", "2.1.1", true], ["~1", "2.1.1", false], ["~1", "1.3.5", true],
  ["~1", "1.4", true], ["~1.x", "2.1.1", false], ["~1.x", "1.3.5", true], ["~1.x", "1.4", true],
  ["~1.1", "1.1.1", true], ["~1.1", "1.1.1-alpha", false], ["~1.1-alpha", "1.1.1-beta", true],
  ["~1.1.1-beta", "1.1.1-alpha", false], ["~1.1.1-beta", "1.1.1", true], ["~1.2.3", "1.2.5", true],
  ["~1.2.3", "1.2.2", false], ["~1.2.3", "1.3.2", false], ["~1.1", "1.2.3", false], ["~1.3", "2.4.5", false],
  ["1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true], ["1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true],
];
// TestConstraintCheck
const CONSTRAINT_CHECK: [string, string, boolean][] = [
  ["=2.0.0", "1.2.3", false], ["=2.0.0", "2.0.0", true], ["=2.0", "1.2.3", false], ["=2.0", "2.0.0", true],
  ["=2.0", "2.0.1", true], ["4.1", "4.1.0", true], ["!=4.1.0", "4.1.0", false], ["!=4.1.0", "4.1.1", true],
  ["!=4.1", "4.1.0", false], ["!=4.1", "4.1.1", false], ["!=4.1", "5.1.0-alpha.1", false],
  ["!=4.1.0", "5.1.0-alpha.1", false], ["!=4.1-alpha", "4.1.0", true], ["!=4.1", "5.1.0", true],
  ["<11", "0.1.0", true], ["<11", "11.1.0", false], ["<1.1", "0.1.0", true], ["<1.1", "1.1.0", false],
  ["<1.1", "1.1.1", false], ["<=11", "1.2.3", true], ["<=11", "12.2.3", false], ["<=11", "11.2.3", true],
  ["<=1.1", "1.2.3", false], ["<=1.1", "0.1.0", true], ["<=1.1", "1.1.0", true], ["<=1.1", "1.1.1", true],
  [">1.1", "4.1.0", true], [">1.1", "1.1.0", false], [">0", "0", false], [">0", "1", true],
  [">0", "0.0.1-alpha", false], [">0.0", "0.0.1-alpha", false], [">0-0", "0.0.1-alpha", false],
  [">0.0-0", "0.0.1-alpha", false], [">0", "0.0.0-alpha", false], [">0-0", "0.0.0-alpha", false],
  [">0.0.0-0", "0.0.0-alpha", true], [">1.2.3-alpha.1", "1.2.3-alpha.2", true],
  [">1.2.3-alpha.1", "1.3.3-alpha.2", true], [">11", "11.1.0", false], [">11.1", "11.1.0", false],
  [">11.1", "11.1.1", false], [">11.1", "11.2.1", true], [">=11", "11.1.2", true], [">=11.1", "11.1.2", true],
  [">=11.1", "11.0.2", false], [">=1.1", "4.1.0", true], [">=1.1", "1.1.0", true], [">=1.1", "0.0.9", false],
  [">=0", "0.0.1-alpha", false], [">=0.0", "0.0.1-alpha", false], [">=0-0", "0.0.1-alpha", true],
  [">=0.0-0", "0.0.1-alpha", true], [">=0", "0.0.0-alpha", false], [">=0-0", "0.0.0-alpha", true],
  [">=0.0.0-0", "0.0.0-alpha", true], [">=0.0.0-0", "1.2.3", true], [">=0.0.0-0", "3.4.5-beta.1", true],
  ["<0", "0.0.0-alpha", false], ["<0-z", "0.0.0-alpha", true], [">=0", "0", true], ["=0", "1", false],
  ["*", "1", true], ["*", "4.5.6", true], ["*", "1.2.3-alpha.1", false], ["*-0", "1.2.3-alpha.1", true],
  ["2.*", "1", false], ["2.*", "3.4.5", false], ["2.*", "2.1.1", true], ["2.1.*", "2.1.1", true],
  ["2.1.*", "2.2.1", false], ["2", "1", false], ["2", "3.4.5", false], ["2", "2.1.1", true], ["2.1", "2.1.1", true],
  ["2.1", "2.2.1", false], ["~1.2.3", "1.2.4", true], ["~1.2.3", "1.3.4", false], ["~1.2", "1.2.4", true],
  ["~1.2", "1.3.4", false], ["~1", "1.2.4", true], ["~1", "2.3.4", false], ["~0.2.3", "0.2.5", true],
  ["~0.2.3", "0.3.5", false], ["~1.2.3-beta.2", "1.2.3-beta.4", true], ["~1.2.3-beta.2", "1.2.4-beta.2", true],
  ["~1.2.3-beta.2", "1.3.4-beta.2", false], ["^1.2.3", "1.8.9", true], ["^1.2.3", "2.8.9", false],
  ["^1.2.3", "1.2.1", false], ["^1.1.0", "2.1.0", false], ["^1.2.0", "2.2.1", false],
  ["^1.2.0", "1.2.1-alpha.1", false], ["^1.2.0-alpha.0", "1.2.1-alpha.1", true],
  ["^1.2.0-alpha.0", "1.2.1-alpha.0", true], ["^1.2.0-alpha.2", "1.2.0-alpha.1", false], ["^1.2", "1.8.9", true],
  ["^1.2", "2.8.9", false], ["^1", "1.8.9", true], ["^1", "2.8.9", false], ["^0.2.3", "0.2.5", true],
  ["^0.2.3", "0.5.6", false], ["^0.2", "0.2.5", true], ["^0.2", "0.5.6", false], ["^0.0.3", "0.0.3", true],
  ["^0.0.3", "0.0.4", false], ["^0.0", "0.0.3", true], ["^0.0", "0.1.4", false], ["^0.0", "1.0.4", false],
  ["^0", "0.2.3", true], ["^0", "1.1.4", false], ["^0.2.3-beta.2", "0.2.3-beta.4", true],
  ["^0.2.3-beta.2", "0.2.4-beta.2", true], ["^0.2.3-beta.2", "0.3.4-beta.2", false],
  ["^0.2.3-beta.2", "0.2.3-beta.2", true],
];
// TestNewConstraint
const NEW_CONSTRAINT: [string, boolean][] = [
  [">= 1.1", false],
  [">40.50.60, < 50.70", false],
  ["2.0", false],
  ["v2.3.5-20161202202307-sha.e8fc5e5", false],
  ["v1.2.3-0abc", false],
  ["v1.2.3-beta.01", true],
  [">= bar", true],
  ["BAR >= 1.2.3", true],
  [">= 1.2.3 < 2.0", false],
  [">= 1.2.3 < 2.0 || => 3.0 < 4", false],
  [">= 1.2.3, < 2.0", false],
  [">= 1.2.3, < 2.0 || => 3.0, < 4", false],
  ["3 - 4 || => 3.0, < 4", false],
  ["12.3.4.1234", true],
  ["12.23.4.1234", true],
  ["12.3.34.1234", true],
  ["12.3.34 ~1.2.3", false],
  ["12.3.34~ 1.2.3", true],
  ["1.0.0 - 2.0.0, <=2.0.0", false],
];
// TestNewVersion (loose)
const NEW_VERSION: [string, boolean][] = [
  ["1.2.3", false],
  ["1.2.3-alpha.01", true],
  ["1.2.3+test.01", false],
  ["1.2.3-alpha.-1", false],
  ["v1.2.3", false],
  ["1.0", false],
  ["v1.0", false],
  ["1", false],
  ["v1", false],
  ["1.2.beta", true],
  ["v1.2.beta", true],
  ["foo", true],
  ["1.2-5", false],
  ["v1.2-5", false],
  ["1.2-beta.5", false],
  ["v1.2-beta.5", false],
  ["\n1.2", true],
  ["\nv1.2", true],
  ["1.2.0-x.Y.0+metadata", false],
  ["v1.2.0-x.Y.0+metadata", false],
  ["1.2.0-x.Y.0+metadata-width-hypen", false],
  ["v1.2.0-x.Y.0+metadata-width-hypen", false],
  ["1.2.3-rc1-with-hypen", false],
  ["v1.2.3-rc1-with-hypen", false],
  ["1.2.3-0abc123", false],
  ["1.2.3-beta.01", true],
  ["1.2.3.4", true],
  ["v1.2.3.4", true],
  ["1.2.2147483648", false],
  ["1.2147483648.3", false],
  ["2147483648.3.0", false],
  ["12.3.4.1234", true],
  ["12.23.4.1234", true],
  ["12.3.34.1234", true],
  ["20221209-update-renovatejson-v4", false],
  ["1.1.2+.123", true],
  ["1.0.0-alpha_beta", true],
  ["1.0.0-alpha..", true],
  ["1.0.0-alpha..1", true],
  ["9.8.7+meta+meta", true],
  ["1.2.31----RC-SNAPSHOT.12.09.1--.12+788", true],
  ["01.1.1", false],
  ["1.01.1", false],
  ["1.1.01", false],
];
// TestCompare
const COMPARE: [string, string, number][] = [
  ["1.2.3", "1.5.1", -1], ["2.2.3", "1.5.1", 1], ["2.2.3", "2.2.2", 1], ["3.2-beta", "3.2-beta", 0],
  ["1.3", "1.1.4", 1], ["4.2", "4.2-beta", 1], ["4.2-beta", "4.2", -1], ["4.2-alpha", "4.2-beta", -1],
  ["4.2-alpha", "4.2-alpha", 0], ["4.2-beta.2", "4.2-beta.1", 1], ["4.2-beta2", "4.2-beta1", 1],
  ["4.2-beta", "4.2-beta.2", -1], ["4.2-beta", "4.2-beta.foo", -1], ["4.2-beta.2", "4.2-beta", 1],
  ["4.2-beta.foo", "4.2-beta", 1], ["1.2+bar", "1.2+baz", 0], ["1.0.0-beta.4", "1.0.0-beta.-2", -1],
  ["1.0.0-beta.-2", "1.0.0-beta.-3", -1], ["1.0.0-beta.-3", "1.0.0-beta.5", 1],
];

describe("semverCompare", () => {
  it.each(CONSTRAINTS_CHECK)("TestConstraintsCheck: %s against %s is %s", (constraint, version, want) => {
    expect(render(`{{ semverCompare ${q(constraint)} ${q(version)} }}`)).toBe(String(want));
  });

  it.each(CONSTRAINT_CHECK)("TestConstraintCheck: %s against %s is %s", (constraint, version, want) => {
    expect(semverCompare(constraint, version)).toBe(want);
  });

  it.each(NEW_CONSTRAINT)("TestNewConstraint: %s fails to parse: %s", (constraint, fails) => {
    if (fails) expect(() => semverCompare(constraint, "1.0.0")).toThrow();
    else expect(() => semverCompare(constraint, "1.0.0")).not.toThrow();
  });

  it.each([
    // sprig's TestSemverCompare
    ['{{ semverCompare "1.2.3" "1.2.3" }}', "true"],
    ['{{ semverCompare "^1.2.0" "1.2.3" }}', "true"],
    ['{{ semverCompare "^1.2.0" "2.2.3" }}', "false"],
    // Masterminds' reading where npm's semver differs (see sprig-semver.ts)
    ['{{ semverCompare "~1.2.3-beta.2" "1.2.4-beta.2" }}', "true"],
    ['{{ semverCompare "^0.2.3-beta.2" "0.2.4-beta.2" }}', "true"],
    ['{{ semverCompare ">=1.0, !=1.2.3, <2" "1.2.3" }}', "false"],
    ['{{ semverCompare "=> 1.2" "v1.3" }}', "true"],
    ['{{ semverCompare "1.0.0 - 2.0.0" "2.0.0" }}', "true"],
  ])("%s gives %s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it.each([
    // sprig's TestSemverCompareErr
    ['{{ semverCompare "badConstraint" "1.2.3" }}', 'improper constraint: "badConstraint"'],
    ['{{ semverCompare "1.2.0" "badVersion" }}', "invalid semantic version"],
    ['{{ semverCompare "" "1.0.0" }}', 'improper constraint: ""'],
    ['{{ semverCompare "1.x" "1.2.3-beta.01" }}', "version segment starts with 0"],
    ['{{ semverCompare "1" "99999999999999999999.0.0" }}', 'error parsing version segment: strconv.ParseUint: parsing "99999999999999999999": value out of range'],
  ])("%s fails: %s", (src, message) => {
    expect(() => render(src)).toThrow(GoTemplateError);
    expect(() => render(src)).toThrow(`error calling semverCompare: ${message}`);
  });

  it("a hostile constraint from a payload does not backtrack", () => {
    const constraint = "1" + " ".repeat(50_000) + "1 ".repeat(20_000) + "!";
    const started = performance.now();
    expect(() => render("{{ semverCompare .c .v }}", { c: constraint, v: "1.0.0" })).toThrow(/improper constraint/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ["a megabyte of comparators", ">=1.0.0 ".repeat(125_000)],
    ["many ranges, whose rewriting is quadratic", "1.2.3 - 2.3.4 ".repeat(30_000)],
  ])("%s: a budget error before any work", (_name, constraint) => {
    const started = performance.now();
    expect(() => render("{{ semverCompare .c .v }}", { c: constraint, v: "1.0.0" })).toThrow(/exceeded its budget/);
    expect(() => render("{{ range until 100 }}{{ semverCompare $.c $.v }}{{ end }}", { c: constraint.slice(0, 20_000), v: "1.0.0" })).toThrow(
      /exceeded its budget/,
    );
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("ranges are rewritten one first occurrence at a time, as Masterminds does", () => {
    expect(() => semverCompare("1.2.3 - 2.3.4 ".repeat(3_000), "1.0.0")).toThrow(/budget: a constraint of 3000 ranges/);
    expect(semverCompare("1.2.3 - 2.3.4 || 3 - 4", "3.5.0")).toBe(true);
  });
});

describe("semver", () => {
  it.each(NEW_VERSION)("TestNewVersion: %j fails: %s", (version, fails) => {
    if (fails) expect(() => SemVersion.parse(version)).toThrow();
    else expect(() => SemVersion.parse(version)).not.toThrow();
  });

  it.each(COMPARE)("TestCompare: %s vs %s is %d", (a, b, want) => {
    expect(render(`{{ (semver ${q(a)}).Compare (semver ${q(b)}) }}`)).toBe(String(want));
  });

  it.each([
    // sprig's TestSemver
    ['{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Prerelease }}', "beta.1"],
    ['{{ $s := semver "1.2.3-beta.1+c0ff33" }}{{ $s.Major}}', "1"],
    ['{{ semver "1.2.3" | (semver "1.2.3").Compare }}', "0"],
    ['{{ semver "1.2.3" | (semver "1.3.3").Compare }}', "1"],
    ['{{ semver "1.4.3" | (semver "1.2.3").Compare }}', "-1"],
    // the other methods, fmt, json and reflect
    ['{{ $s := semver "v1.2.3-rc.1+b7" }}{{ $s.Minor }} {{ $s.Patch }} {{ $s.Metadata }} {{ $s.Original }} {{ $s.String }}', "2 3 b7 v1.2.3-rc.1+b7 1.2.3-rc.1+b7"],
    ['{{ semver "v2" }} {{ semver "1.2" | toJson }} {{ printf "%s|%v|%q" (semver "1") (semver "1") (semver "1") }}', '2.0.0 "1.2.0" 1.0.0|1.0.0|"1.0.0"'],
    ['{{ typeOf (semver "1") }} {{ kindOf (semver "1") }} {{ typeIsLike "semver.Version" (semver "1") }}', "*semver.Version ptr true"],
    ['{{ (semver "1.2.3").LessThan (semver "1.2.4") }} {{ (semver "1.2.3").GreaterThanEqual (semver "1.2.3") }}', "true true"],
    ['{{ (semver "1.2.3").Equal (semver "1.2.3+meta") }} {{ (semver "1.2.3").Equal nil }}', "true false"],
    // TestInc, through the Version value IncPatch returns
    ['{{ (semver "v1.2.4-beta+meta").IncPatch }} {{ (semver "1.2.3").IncMinor }} {{ (semver "1.2.3").IncMajor }}', "1.2.4 1.3.0 2.0.0"],
    ['{{ ((semver "1.2.3").SetPrerelease "rc.1").String }}', "1.2.3-rc.1"],
    ['{{ if eq (semver "1.2.3").Major 1 }}one{{ end }}', "one"],
  ])("%s gives %s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it.each([
    ['{{ semver "foo" }}', "error calling semver: invalid semantic version"],
    ['{{ semver "1.2.3" | (semver "1.2.3").Compare "x" }}', "wrong number of args for Compare: want 1 got 2"],
    ['{{ (semver "1.2.3").Compare "x" }}', 'can\'t handle "x" for arg of type *semver.Version'],
    ['{{ (semver "1.2.3").IncPatch | (semver "1.2.3").Compare }}', "wrong type for value; expected *semver.Version; got semver.Version"],
    // a Version value is not addressable, so its pointer methods are out of reach
    ['{{ (semver "v1.2.3").IncPatch.Original }}', "can't evaluate field Original in type semver.Version"],
    ['{{ (semver "1.2.3").Nope }}', "can't evaluate field Nope in type *semver.Version"],
    ['{{ (semver "1.2.3").SetPrerelease "01" }}', "error calling SetPrerelease: version segment starts with 0"],
    ['{{ (semver "18446744073709551615.0.0").IncMajor }}', "major version increment would overflow uint64"],
  ])("%s fails: %s", (src, message) => {
    expect(() => render(src)).toThrow(message);
  });

  it("TestInc: the v prefix carries into Original", () => {
    expect(SemVersion.parse("v1.2.4").method("IncPatch")!.call([])).toMatchObject({ original: "v1.2.5" });
    expect(SemVersion.parse("1.2.3-beta+meta").method("IncPatch")!.call([])).toMatchObject({ original: "1.2.3" });
  });
});
