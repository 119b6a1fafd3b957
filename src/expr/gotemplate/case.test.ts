// snakecase, kebabcase, camelcase and shuffle, with the outputs huandu/xstrings v1.5.0 gives
// (the version sprig v3.3.0 and Argo Events build with) and sprig's own cases.

import { describe, expect, it } from "vitest";
import { compileGoTemplate } from "./index.js";

const render = (src: string, data: unknown = {}): string => compileGoTemplate(src).render(data);

// xstrings' TestToSnakeCaseAndToKebabCase (convert_test.go); kebab-case is the same with "-".
const SNAKE: [string, string][] = [
  ["HTTPServer", "http_server"],
  ["_camelCase", "_camel_case"],
  ["NoHTTPS", "no_https"],
  ["Wi_thF", "wi_th_f"],
  ["_AnotherTES_TCaseP", "_another_tes_t_case_p"],
  ["ALL", "all"],
  ["_HELLO_WORLD_", "_hello_world_"],
  ["HELLO_WORLD", "hello_world"],
  ["HELLO____WORLD", "hello____world"],
  ["TW", "tw"],
  ["_C", "_c"],
  ["http2xx", "http_2xx"],
  ["HTTP2XX", "http2_xx"],
  ["HTTP20xOK", "http_20x_ok"],
  ["HTTP20xStatus", "http_20x_status"],
  ["HTTP-20xStatus", "http_20x_status"],
  ["a", "a"],
  ["Duration2m3s", "duration_2m3s"],
  ["Bld4Floor3rd", "bld4_floor_3rd"],
  [" _-_ ", "_____"],
  ["a1b2c3d", "a_1b2c3d"],
  ["A//B%%2c", "a//b%%2c"],
  ["HTTP状态码404/502Error", "http_状态码404/502_error"],
  ["中文(字符)", "中文(字符)"],
  ["混合ABCWords与123数字456", "混合_abc_words_与123_数字456"],
  ["  sentence case  ", "__sentence_case__"],
  [" Mixed-hyphen case _and SENTENCE_case and UPPER-case", "_mixed_hyphen_case__and_sentence_case_and_upper_case"],
  ["FROM CamelCase to snake/kebab-case", "from_camel_case_to_snake/kebab_case"],
  ["", ""],
  ["Abc\uFFFDE\uFFFDf\uFFFDd\uFFFD2\uFFFD00z\uFFFDZZ\uFFFDZZ", "abc_\uFFFDe\uFFFDf\uFFFDd_\uFFFD2\uFFFD00z_\uFFFDzz\uFFFDzz"],
  ["\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD"],
  ["abc_123_def", "abc_123_def"],
];

describe("snakecase and kebabcase", () => {
  it.each(SNAKE)("TestToSnakeCaseAndToKebabCase: %j", (input, snake) => {
    expect(render("{{ snakecase .s }}", { s: input })).toBe(snake);
    expect(render("{{ kebabcase .s }}", { s: input })).toBe(snake.replace(/_/g, "-"));
  });

  it.each([
    // sprig's TestSnakeCase and TestKebabCase
    ["FirstName", "first_name"], ["HTTPServer", "http_server"], ["NoHTTPS", "no_https"],
    ["GO_PATH", "go_path"], ["GO PATH", "go_path"], ["GO-PATH", "go_path"],
  ])("TestSnakeCase/TestKebabCase: %s", (input, snake) => {
    expect(render(`{{ snakecase "${input}" }}`)).toBe(snake);
    expect(render(`{{ kebabcase "${input}" }}`)).toBe(snake.replace(/_/g, "-"));
  });

  it("stays linear on a long input", () => {
    const s = "AbC1d_".repeat(100_000);
    const started = performance.now();
    expect(render("{{ snakecase .s | len }}", { s })).toBe(String(render("{{ snakecase .s }}", { s: "AbC1d_" }).length * 100_000));
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("camelcase (xstrings.ToPascalCase)", () => {
  it.each([
    // sprig's TestCamelCase
    ["http_server", "HttpServer"], ["_camel_case", "_CamelCase"], ["no_https", "NoHttps"],
    ["_complex__case_", "_Complex_Case_"], ["all", "All"],
    // the samples in ToPascalCase's documentation (xstrings v1.5.0 convert.go)
    ["some_words", "SomeWords"], ["some words", "SomeWords"], ["GOLANG_IS_GREAT", "GolangIsGreat"],
    // traced through ToPascalCase: capitals after a word's first letter survive unless the word is all capitals
    ["FROM CamelCase to snake/kebab-case", "FromCamelCaseToSnake/kebabCase"],
    [" complex -case ", " Complex Case "], ["a", "A"], ["好", "好"], ["", ""], ["ß_straße", "ßStraße"], // unicode.ToUpper maps one rune to one: ß stays ß
    // xstrings writes the last rune once more when the input is all connectors
    [" _-_ ", " _-_  "], ["_", "__"],
  ])("%j gives %j", (input, want) => {
    expect(render("{{ camelcase .s }}", { s: input })).toBe(want);
  });
});

describe("shuffle", () => {
  it("TestShuffle: a permutation of the runes (the order itself is random)", () => {
    const out = render('{{ shuffle "Hello World, 世界" }}');
    expect([...out].sort()).toEqual([..."Hello World, 世界"].sort());
    expect(render('{{ shuffle "" }}')).toBe("");
  });
});
