import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { listSpecFiles, loadSpecs, loadSpecsFromText, withoutSyntaxTree } from "../../src/api/load.js";

const MULTI = `# leading comment
---
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: one
spec:
  webhook:
    example:
      port: "12000"
      endpoint: /example
---
# an empty document is skipped
---
apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: two
spec:
  dependencies:
    - name: a
      eventSourceName: one
      eventName: example
  triggers:
    - template:
        name: log
        log: {}
`;

describe("loadSpecsFromText", () => {
  test("an over-indented line is one error, on that line, saying to check the indentation", () => {
    const text = "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: s\nspec:\n  dependencies:\n    - name: d\n      eventSourceName: e\n       eventName: x\n  triggers: []\n";
    expect(loadSpecsFromText(text, "f.yaml").errors.map((e) => e.message)).toEqual([
      "f.yaml:9:1: indented more than the line before it (or a value spans lines): check the indentation",
    ]);
  });

  test("a broken document is one error, not one per token the parser trips over afterwards", () => {
    const r = loadSpecsFromText("apiVersion: [\n  kind: Sensor\n  - x: {\nmetadata: }\n", "f.yaml");
    expect(r.errors).toHaveLength(1);
  });

  test("multi-document file: empty documents skipped, positions kept", () => {
    const { specs, errors } = loadSpecsFromText(MULTI, "m.yaml");
    expect(errors).toEqual([]);
    expect(specs.map((s) => [s.spec.kind, s.spec.metadata.name, s.file, s.line, s.col])).toEqual([
      ["EventSource", "one", "m.yaml", 3, 1],
      ["Sensor", "two", "m.yaml", 15, 1],
    ]);
  });

  test.each<[string, (string | number)[], { line: number; col: number }]>([
    ["a map key", ["spec", "webhook", "example", "endpoint"], { line: 11, col: 7 }],
    ["a list item", ["spec", "dependencies", 0], { line: 21, col: 7 }],
    ["a key in a list item", ["spec", "dependencies", 0, "eventName"], { line: 23, col: 7 }],
    ["a flow mapping", ["spec", "triggers", 0, "template", "log"], { line: 27, col: 9 }],
    ["a missing field: its deepest ancestor", ["spec", "dependencies", 0, "filters", "data"], { line: 21, col: 7 }],
    ["an index past the end", ["spec", "triggers", 5, "template"], { line: 24, col: 3 }],
  ])("locate %s", (_name, path, expected) => {
    const { specs } = loadSpecsFromText(MULTI, "m.yaml");
    const doc = path[1] === "webhook" ? specs[0] : specs[1];
    expect(doc.locate(path)).toEqual(expected);
  });

  test("without its syntax tree a spec is the same and locates the same fields", () => {
    const { specs } = loadSpecsFromText(MULTI, "m.yaml");
    const paths = [[], ["spec", "webhook", "example", "endpoint"], ["spec", "dependencies", 0, "eventName"], ["spec", "triggers", 5, "template"]];
    for (const loaded of specs) {
      // A spec read by the quick path holds no tree to begin with and may come back as is.
      const light = withoutSyntaxTree(loaded);
      expect(light.spec).toBe(loaded.spec);
      expect([light.file, light.line, light.col]).toEqual([loaded.file, loaded.line, loaded.col]);
      for (const path of paths) expect(light.locate(path)).toEqual(loaded.locate(path));
      expect(withoutSyntaxTree(light).locate(["spec"])).toEqual(loaded.locate(["spec"]));
    }
  });

  test("YAML syntax error: FILE:LINE:COL and no spec", () => {
    const { specs, errors } = loadSpecsFromText("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: [x\n", "bad.yaml");
    expect(specs).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].message).toMatch(/^bad\.yaml:\d+:\d+: \S/);
    expect(errors[0].location).toMatch(/^bad\.yaml:(4|5):\d+$/);
  });

  test("duplicate keys are an error", () => {
    const { errors } = loadSpecsFromText("apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nkind: EventSource\n", "d.yaml");
    expect(errors.map((e) => e.location)).toEqual(["d.yaml:3:1"]);
  });

  test.each<[string, string, string]>([
    ["unknown kind", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\n", 'u.yaml:2:1 Workflow/w kind: not supported: kind "Workflow"'],
    ["another argoproj.io version", "apiVersion: argoproj.io/v1beta1\nkind: Sensor\nmetadata: {name: c}\n", 'u.yaml:1:1 Sensor/c apiVersion: not supported: apiVersion "argoproj.io/v1beta1"'],
    ["no apiVersion", "kind: Sensor\nmetadata: {name: s}\n", "u.yaml:1:1 Sensor/s apiVersion: not supported: apiVersion missing"],
    ["not a mapping", "- a\n- b\n", "u.yaml:1:1: document must be a mapping"],
    ["a plain JSON payload", '{"ref": "refs/heads/main"}', 'u.yaml:1:1 apiVersion: not supported: apiVersion missing'],
  ])("%s", (_name, text, prefix) => {
    const { specs, errors } = loadSpecsFromText(text, "u.yaml");
    expect(specs).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0].message.startsWith(prefix)).toBe(true);
  });
});

test.each([
  ["a ConfigMap", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", 'u.yaml:1:1 ConfigMap/c apiVersion: "v1" is not an argoproj.io resource: skipped'],
  ["a kustomization", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n", 'u.yaml:1:1 Kustomization/<no name> apiVersion: "kustomize.config.k8s.io/v1beta1" is not an argoproj.io resource: skipped'],
])("%s kept beside the specs (kubectl apply -f dir/) is skipped with a warning, not an error", (_name, text, warning) => {
  const { specs, errors, warnings } = loadSpecsFromText(text, "u.yaml");
  expect(specs).toEqual([]);
  expect(errors).toEqual([]);
  expect(warnings?.map((w) => w.message)).toEqual([warning]);
});

describe("loadSpecs on the file system", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tg-load-"));
    await mkdir(join(dir, "b-dir"));
    await mkdir(join(dir, ".hidden"));
    await writeFile(join(dir, "c.yml"), MULTI);
    await writeFile(join(dir, "a.json"), JSON.stringify({ apiVersion: "argoproj.io/v1alpha1", kind: "EventBus", metadata: { name: "default" }, spec: { jetstream: {} } }, null, 2));
    await writeFile(join(dir, "b-dir", "x.yaml"), "apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata: {name: other}\nspec: {jetstream: {}}\n");
    await writeFile(join(dir, ".hidden", "y.yaml"), "not: loaded\n");
    await writeFile(join(dir, "README.md"), "# not a spec\n");
    await writeFile(join(dir, "notes.txt"), "just some text\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("directories are walked recursively, sorted, by extension", async () => {
    expect(await listSpecFiles(dir)).toEqual([join(dir, "a.json"), join(dir, "b-dir", "x.yaml"), join(dir, "c.yml")]);
    const { specs, errors } = await loadSpecs([dir]);
    expect(errors).toEqual([]);
    expect(specs.map((s) => s.spec.metadata.name)).toEqual(["default", "other", "one", "two"]);
    expect(specs[0].locate(["spec", "jetstream"])).toEqual({ line: 8, col: 5 });
  });

  test("a file given by name is loaded whatever its extension", async () => {
    const file = join(dir, "notes.txt");
    const { errors } = await loadSpecs([file]);
    expect(errors.map((e) => e.location)).toEqual([`${file}:1:1`]);
  });
});
