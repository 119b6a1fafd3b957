// wrap, wrapWith, untitle and the rand* strings, with the outputs Masterminds/goutils v1.1.1
// gives (its wordutils_test.go) and sprig's TestGoutils/TestRandomString, plus their budgets.

import { describe, expect, it } from "vitest";
import { TEMPLATE_MAX_OUTPUT } from "./exec.js";
import { compileGoTemplate, GoTemplateError } from "./index.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);

describe("wrap and wrapWith", () => {
  it.each([
    // sprig's TestGoutils
    ['{{ wrap 5 "Hello World" }}', "Hello\nWorld"],
    ['{{ wrapWith 5 "\\t" "Hello World" }}', "Hello\tWorld"],
    // goutils' TestWrapNormalWord..4 (wrap never splits a long word)
    ['{{ wrap 10 "Bob Manuel Bob Manuel" }}', "Bob Manuel\nBob Manuel"],
    ['{{ wrap 20 "Here is one line of text that is going to be wrapped after 20 columns." }}', "Here is one line of\ntext that is going\nto be wrapped after\n20 columns."],
    ['{{ wrap 20 "Click here to jump to the commons website - http://commons.apache.org" }}', "Click here to jump\nto the commons\nwebsite -\nhttp://commons.apache.org"],
    ['{{ wrap 20 "Click here, http://commons.apache.org, to jump to the commons website" }}', "Click here,\nhttp://commons.apache.org,\nto jump to the\ncommons website"],
    // goutils' TestNonWrapLongWord
    ['{{ wrap 11 "123456789_123456789_123456789_123456789_1234567890" }}', "123456789_123456789_123456789_123456789_1234567890"],
    // goutils' TestWrapLongWord and TestWrapCustomLongWordTrue (wrapWith splits long words)
    ['{{ wrapWith 11 "\\n" "123456789_123456789_123456789_123456789_1234567890" }}', "123456789_1\n23456789_12\n3456789_123\n456789_1234\n567890"],
    ['{{ wrapWith 10 "<br\\\\>" "BobManuelBob Bob" }}', "BobManuelB<br\\>ob Bob"],
    // edge cases of WrapCustom: empty input, width below 1, an empty separator means "\n", leading spaces dropped
    ['{{ wrap 5 "" }}', ""],
    ['{{ wrap 0 "a b" }}', "a\nb"],
    ['{{ wrapWith 3 "" "abcdef" }}', "abc\ndef"],
    ['{{ wrap 3 "   abc def" }}', "abc\ndef"],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });

  it("wraps at UTF-8 byte widths as Go does", () => {
    expect(render('{{ wrap 6 "héllo wörld" }}')).toBe("héllo\nwörld");
  });
});

describe("untitle", () => {
  it.each([
    // sprig's TestGoutils: the first letter of every word, not only of the string
    ['{{ untitle "First Try" }}', "first try"],
    // goutils' TestUncapitalize (default delimiters: white space only)
    ['{{ untitle "This Is A.Test" }}', "this is a.Test"],
    ['{{ untitle "ÉCOLE\\tÜBER\\nİSTANBUL" }}', "éCOLE\tüBER\niSTANBUL"],
    ['{{ untitle "" }}', ""],
  ])("%s", (src, want) => {
    expect(render(src)).toBe(want);
  });
});

describe("random strings", () => {
  it.each([
    ["randAlphaNum", /^[A-Za-z0-9]{64}$/],
    ["randAlpha", /^[A-Za-z]{64}$/],
    ["randNumeric", /^[0-9]{64}$/],
    ["randAscii", /^[\x20-\x7e]{64}$/],
  ])("TestRandomString: %s 64", (name, pattern) => {
    const a = render(`{{ ${name} 64 }}`);
    expect(a).toMatch(pattern);
    expect(render(`{{ ${name} 64 }}`)).not.toBe(a);
  });

  it("draws every allowed character", () => {
    const seen = new Set(render("{{ randAlphaNum 20000 }}"));
    expect(seen.size).toBe(62);
  });

  it.each(["randAlphaNum", "randAlpha", "randNumeric", "randAscii"])("%s of 0 or less is empty, as sprig drops goutils' error", (name) => {
    expect(render(`{{ ${name} 0 }}|{{ ${name} -5 }}`)).toBe("|");
  });
});

describe("budget", () => {
  it.each([
    ["randAlphaNum 100000000", "{{ randAlphaNum 100000000 }}", {}],
    ["randAscii from the payload", "{{ randAscii (int .n) }}", { n: 1e12 }],
    ["randBytes", "{{ randBytes 100000000 }}", {}],
    ["wrapWith a long separator", "{{ wrapWith 1 .sep .s }}", { sep: "x".repeat(1000), s: "a ".repeat(5000) }],
    ["wrap of a string already near the limit", "{{ wrap 1 .s }}", { s: "ab".repeat(TEMPLATE_MAX_OUTPUT / 2 + 1) }],
  ])("%s: a budget error, quickly", (_name, src, data) => {
    const started = performance.now();
    let error: unknown;
    try {
      render(src, data);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GoTemplateError);
    expect((error as Error).message).toMatch(/exceeded its budget/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("just under the limit is fine", () => {
    expect(render(`{{ randAlphaNum ${TEMPLATE_MAX_OUTPUT} | len }}`)).toBe(String(TEMPLATE_MAX_OUTPUT));
  });
});
