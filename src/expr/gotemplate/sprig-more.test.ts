// The must* twins, os* paths, toDecimal, randInt, durationRound, typeIsLike, hello and
// must_date_modify, with sprig's own cases (list_test.go, dict_test.go, numeric_test.go,
// date_test.go, reflect_test.go, functions_linux_test.go) and the error texts its panics give.

import { describe, expect, it } from "vitest";
import { compileGoTemplate } from "./index.js";
import { GoTime } from "./time.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);

describe("must* list and dict functions", () => {
  it.each([
    // TestPush
    ["{{ $t := tuple 1 2 3  }}{{ mustAppend $t 4 | len }}", "4"],
    ['{{ $t := tuple 1 2 3 4  }}{{ mustAppend $t 5 | join "-" }}', "1-2-3-4-5"],
    ['{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ mustPush $t "qux" | join "-" }}', "foo-bar-baz-qux"],
    // TestChunk
    ["{{ tuple 1 2 3 4 5 6 7 | mustChunk 3 | len }}", "3"],
    ["{{ tuple | mustChunk 3 | len }}", "0"],
    ['{{ range ( tuple 1 2 3 4 5 6 7 8 | mustChunk 3 ) }}{{. | join "-"}}|{{end}}', "1-2-3|4-5-6|7-8|"],
    // TestPrepend
    ["{{ $t := tuple 1 2 3  }}{{ mustPrepend $t 0 | len }}", "4"],
    ['{{ $t := regexSplit "/" "foo/bar/baz" -1 }}{{ mustPrepend $t "qux" | join "-" }}', "qux-foo-bar-baz"],
    // TestFirst, TestLast
    ["{{ list 1 2 3 | mustFirst }}", "1"],
    ["{{ list | mustFirst }}", "<no value>"],
    ['{{ regexSplit "/src/" "foo/src/bar" -1 | mustFirst }}', "foo"],
    ["{{ list 1 2 3 | mustLast }}", "3"],
    ["{{ list | mustLast }}", "<no value>"],
    // TestInitial, TestRest
    ["{{ list 1 2 3 | mustInitial | len }}", "2"],
    ["{{ list | mustInitial }}", "[]"],
    ['{{ regexSplit "/" "foo/bar/baz" -1 | mustInitial }}', "[foo bar]"],
    ["{{ list 1 2 3 | mustRest | first }}", "2"],
    ['{{ regexSplit "/" "foo/bar/baz" -1 | mustRest }}', "[bar baz]"],
    // TestReverse
    ["{{ list 1 2 3 4 | mustReverse }}", "[4 3 2 1]"],
    ["{{ list | mustReverse }}", "[]"],
    // TestCompact
    ['{{ list 1 0 "" "hello" | mustCompact }}', "[1 hello]"],
    ['{{ regexSplit "/" "foo//bar" -1 | mustCompact }}', "[foo bar]"],
    // TestUniq
    ["{{ list 1 1 1 1 2 2 2 2 | mustUniq }}", "[1 2]"],
    ['{{ list "foo" 1 1 1 1 "foo" "foo" | mustUniq }}', "[foo 1]"],
    ["{{ list 1 1.0 (list 1) (list 1) (dict) | mustUniq }}", "[1 1 [1] map[]]"],
    // TestWithout
    ["{{ mustWithout (list 1 2 3 4) 1 }}", "[2 3 4]"],
    ["{{ mustWithout list }}", "[]"],
    // TestHas
    ["{{ list 1 2 3 | mustHas 1 }}", "true"],
    ['{{ mustHas "bar" nil }}', "false"],
    // TestSlice
    ["{{ mustSlice (list 1 2 3) 1 3 }}", "[2 3]"],
    ['{{ mustSlice (regexSplit "/" "foo/bar/baz" -1) 1 2 }}', "[bar]"],
    // TestDeepCopy
    ['{{- $d := dict "a" 1 "b" 2 | mustDeepCopy }}{{ values $d | sortAlpha | join "," }}', "1,2"],
    ['{{- $one := dict "foo" (dict "bar" "baz") "qux" true -}}{{ mustDeepCopy $one }}', "map[foo:map[bar:baz] qux:true]"],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it.each([
    ['{{ mustFirst "x" }}', "error calling mustFirst: Cannot find first on type string"],
    ["{{ mustFirst nil }}", "error calling mustFirst: runtime error: invalid memory address or nil pointer dereference"],
    ['{{ mustSlice "abc" 1 }}', "error calling mustSlice: list should be type of slice or array but string"],
    ['{{ slice "abc" 1 }}', "error calling slice: list should be type of slice or array but string"],
    ['{{ concat (list 1) "x" }}', "error calling concat: Cannot concat type string as list"],
    ['{{ mustHas 1 "x" }}', "error calling mustHas: Cannot find has on type string"],
  ])("%s fails: %s", (src, message) => {
    expect(() => render(src)).toThrow(message);
  });

  it("TestMerge, as mustMerge and mustMergeOverwrite, without touching the caller's data", () => {
    const data = {
      dst: { a: "one", c: 3, d: { f: 5 }, g: [8, 9], i: "eye", k: { l: true } },
      src1: { a: 1, b: 2, d: { e: "four" }, g: [6, 7], i: "aye", j: "jay", k: { l: false } },
      src2: { h: 10, i: "i", j: "j" },
    };
    const before = JSON.stringify(data);
    expect(JSON.parse(render("{{ mustMerge .dst .src1 .src2 | toJson }}", data))).toEqual({
      a: "one", b: 2, c: 3, d: { e: "four", f: 5 }, g: [8, 9], h: 10, i: "eye", j: "jay", k: { l: true },
    });
    expect(JSON.parse(render("{{ mustMergeOverwrite .dst .src1 .src2 | toJson }}", data))).toMatchObject({ a: 1, i: "i", j: "j", g: [6, 7] });
    expect(JSON.stringify(data)).toBe(before);
  });

  it("uniq stays fast on a budget-sized list", () => {
    const started = performance.now();
    expect(render("{{ until 100000 | mustUniq | len }}")).toBe("100000");
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe("os paths (path/filepath on Linux)", () => {
  it.each([
    // TestOsBase, TestOsDir, TestOsIsAbs, TestOsClean, TestOsExt (functions_linux_test.go)
    ['{{ osBase "foo/bar" }}', "bar"],
    ['{{ osDir "foo/bar/baz" }}', "foo/bar"],
    ['{{ osIsAbs "/foo" }} {{ osIsAbs "foo" }}', "true false"],
    ['{{ osClean "/foo/../foo/../bar" }}', "/bar"],
    ['{{ osExt "/foo/bar/baz.txt" }}', ".txt"],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });
});

describe("numbers", () => {
  it.each([
    // TestToDecimal: the text of the value, read as octal
    ['{{ toDecimal "777" }}', "511"],
    ["{{ toDecimal 777 }}", "511"],
    ["{{ toDecimal 770 }}", "504"],
    ["{{ toDecimal 755 }}", "493"],
    ['{{ toDecimal "-17" }} {{ toDecimal "+0017" }}', "-15 15"],
    ['{{ toDecimal "8" }} {{ toDecimal "0o7" }} {{ toDecimal "" }} {{ toDecimal true }} {{ toDecimal 7.5 }}', "0 0 0 0 0"],
    ['{{ toDecimal "777777777777777777777" }} {{ toDecimal "1777777777777777777777" }}', "9223372036854775807 0"],
    ["{{ toDecimal 10 | typeOf }}", "int"],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it("TestRandomInt: in [min, max)", () => {
    for (const [min, max] of [[10, 11], [10, 13], [0, 1], [5, 50], [-5, -1]]) {
      for (let i = 0; i < 20; i++) {
        const r = Number(render(`{{ randInt ${min} ${max} }}`));
        expect(r >= min && r < max).toBe(true);
      }
    }
    expect(() => render("{{ randInt 5 5 }}")).toThrow("error calling randInt: invalid argument to Intn");
  });
});

describe("durationRound", () => {
  it.each([
    // TestDurationRound
    ["2h5s", "2h"], ["24h5s", "1d"], ["2400h5s", "3mo"],
    // the rest of the scale, strictly-greater boundaries, signs and bad input
    ["9000h", "1y"], ["61s", "1m"], ["1.5s", "1s"], ["1s", "0s"], ["-3h1m", "3h"], ["+90m", "1h"],
    ["1000000001ns", "1s"], ["2µs", "0s"], ["bogus", "0s"], ["", "0s"], ["1", "0s"], ["9223372036854775808ns", "0s"],
  ])("%j gives %s", (input, want) => {
    expect(render("{{ durationRound .d }}", { d: input })).toBe(want);
  });

  it("takes a time as the time since then, and nanoseconds from an int64", () => {
    const past = GoTime.unix(Math.floor(Date.now() / 1000) - 3 * 86400 - 60);
    expect(render("{{ durationRound .t }}", { t: past })).toBe("3d");
    expect(render("{{ durationRound (int64 .n) }}", { n: 7_200_000_000_001 })).toBe("2h");
    expect(render("{{ durationRound .n }}", { n: 7_200_000_000_001 })).toBe("0s"); // a float64, as JSON numbers are
  });
});

describe("reflection, hello, must_date_modify", () => {
  it.each([
    // TestTypeIsLike
    ['{{ if typeIsLike "string" . }}t{{ else }}f{{ end }}', "t"],
    ['{{ typeIsLike "float64" 1.5 }} {{ typeIsLike "int" "1" }}', "true false"],
    ["{{ hello }}", "Hello!"],
  ])("%s", (src, want) => {
    expect(render(src, "foo")).toBe(want);
  });

  it("TestDateModify and TestDateMustModifyReturnsErr", () => {
    const t = GoTime.unix(1560458379); // 13 Jun 19 20:39:39 UTC
    expect(render('{{ must_date_modify "24h" .t | date "2006-01-02 15:04:05" }}', { t })).toBe("2019-06-14 20:39:39");
    expect(() => render('{{ must_date_modify "1f" .t }}', { t })).toThrow('error calling must_date_modify: time: invalid duration "1f"');
  });
});
