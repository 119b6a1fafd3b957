import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactGoJson, locateJsonText } from "./json-text.js";

describe("locateJsonText", () => {
  const text = ` { "a" : { "10": [1, {"x":"]}\\"{"}], "b\\u0022q": 2 }, "a2": true, "s": "} ,", "d": 1, "d": 2 } `;
  it.each([
    [[], text.trim()],
    [["a"], `{ "10": [1, {"x":"]}\\"{"}], "b\\u0022q": 2 }`],
    [["a", "10", 1], `{"x":"]}\\"{"}`],
    [["a", "10", 1, "x"], `"]}\\"{"`],
    [["a", 'b"q'], "2"],
    [["a2"], "true"],
    [["s"], '"} ,"'],
    // JSON.parse keeps the last of duplicate keys; so does the text.
    [["d"], "2"],
  ] as const)("%j", (path, want) => {
    expect(locateJsonText(text, path)).toBe(want);
  });

  it("is undefined off the document", () => {
    expect(locateJsonText(text, ["nope"])).toBeUndefined();
    expect(locateJsonText(text, ["a", "10", 2])).toBeUndefined();
    expect(locateJsonText(text, ["a2", "x"])).toBeUndefined();
  });

  it("finds, for any document and any member path, the text that parses to that member", () => {
    const pathsOf = (v: unknown, at: (string | number)[] = []): (string | number)[][] => {
      if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
      if (typeof v === "object" && v !== null) return [at, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
      return [at];
    };
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        for (const path of pathsOf(value)) {
          const expected = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
          // Compared through JSON, which writes -0 as 0.
          expect(JSON.parse(locateJsonText(text, path) as string)).toEqual(JSON.parse(JSON.stringify(expected)));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("compactGoJson (encoding/json compact with HTML escapes)", () => {
  it.each([
    ['{ "a" : [ 1 , 2 ] }', '{"a":[1,2]}'],
    ['{"s":" keep  spaces \\/ "}', '{"s":" keep  spaces \\/ "}'],
    ['{"h":"<a&b>"}', '{"h":"\\u003ca\\u0026b\\u003e"}'],
    ['{"n":1.50e+2}', '{"n":1.50e+2}'],
    ['"\u2028"', '"\\u2028"'],
  ])("%s", (input, want) => {
    expect(compactGoJson(input)).toBe(want);
  });
});
