import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { fullLoad, loadSpecsFromText, type LoadResult } from "../../src/api/load.js";

const ROOT = new URL("../..", import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name.startsWith(".") || e.name === "node_modules" ? [] : e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const PATHS = [[], ["metadata", "name"], ["spec"], ["spec", "dependencies", 0, "name"], ["spec", "triggers", 0, "template", "name"], ["spec", "nope"]];

/** What a caller can see of a load: values, errors, and where each spec and field is. */
function seen(r: LoadResult): unknown {
  return {
    errors: r.errors.map((e) => e.message),
    specs: r.specs.map((s) => ({ spec: s.spec, file: s.file, at: [s.line, s.col], fields: PATHS.map((p) => s.locate(p)) })),
  };
}

const sensor = (spec: unknown): string =>
  stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "Sensor", metadata: { name: "s" }, spec });

describe("the quick YAML path reads what the full parse reads", () => {
  test.each(yamlFiles(join(ROOT, "fixtures")).map((f) => [f.slice(ROOT.length), f]))("%s", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(seen(loadSpecsFromText(text, "f.yaml"))).toEqual(seen(fullLoad(text, "f.yaml")));
  });

  test.each([
    "1_000", "0o17", "0x1F", "0b101", "017", ".5", "+.5", "-.5e1", "1.", "+1", "-0", ".inf", "-.Inf", ".nan", "1e3",
    "12345678901234567890", "~", "null", "NULL", "true", "True", "yes", "on", "2024-01-01", "2024-01-01T00:00:00Z",
    "+0x1", "-0x1", "!!float 1", "!foo x", "&a 1", "[a, *b]", "-0.0", "'it''s'", '"\\u00e9\\t"', "|\n    x\n    y\n", ">\n    x\n    y\n",
  ])("scalar %j", (scalar) => {
    const text = `apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\nspec:\n  v: ${scalar}\n`;
    expect(seen(loadSpecsFromText(text, "f.yaml"))).toEqual(seen(fullLoad(text, "f.yaml")));
  });

  test("empty and comment-only documents do not shift positions", () => {
    const text = `---\n# only a comment\n---\n${sensor({ a: 1 })}---\n---\n${sensor({ dependencies: [{ name: "d" }] })}`;
    const quick = loadSpecsFromText(text, "f.yaml");
    expect(quick.specs).toHaveLength(2);
    expect(seen(quick)).toEqual(seen(fullLoad(text, "f.yaml")));
    expect(quick.specs[1]?.locate(["spec", "dependencies", 0, "name"]).line).toBe(text.split("\n").indexOf("    - name: d") + 1);
  });

  test("errors still come with FILE:LINE:COL (the full parse takes over)", () => {
    const text = `${sensor({ a: 1 })}---\napiVersion: argoproj.io/v2\nkind: Sensor\n`;
    const r = loadSpecsFromText(text, "f.yaml");
    expect(r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^f\.yaml:8:1 .*apiVersion "argoproj\.io\/v2"/)]);
    expect(r.specs).toHaveLength(1);
  });

  test.each([
    // js-yaml writes these keys unquoted, reads `}#` as a comment and an empty flow key as "null"; `yaml` does not.
    ["a # right after a flow indicator", "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\nspec:\n  v: {O!:}#B: true}\n"],
    ["an empty key in a flow mapping", "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\nspec:\n  v: {S=:,: null, b: false}\n"],
  ])("found by the property: %s loads as the full parse reads it", (_what, text) => {
    expect(seen(loadSpecsFromText(text, "f.yaml"))).toEqual(seen(fullLoad(text, "f.yaml")));
  });

  test("property: any JSON value, written by either library, loads the same on both paths", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, flow) => {
        const doc = { apiVersion: "argoproj.io/v1alpha1", kind: "Sensor", metadata: { name: "s" }, spec: { v: value } };
        for (const text of [stringify(doc), jsYaml.dump(doc, { flowLevel: flow ? 2 : -1 })]) {
          expect(seen(loadSpecsFromText(text, "f.yaml"))).toEqual(seen(fullLoad(text, "f.yaml")));
        }
      }),
      { numRuns: 300 },
    );
  });
});
