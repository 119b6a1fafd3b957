import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoadedSpec } from "../api/index.js";
import { errorIndex, errorsOf, loadConfig, mergeSpecs, specKey } from "./file-specs.js";

const template = (name: string, image: string, ns = "argo") => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: ${image}
`;
// A schema error on line 10 (templates must be a list).
const broken = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: ${name}
  namespace: argo
spec:
  entrypoint: main
  templates: 3
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tg-file-specs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function state(previous: Map<string, LoadedSpec>) {
  const load = await loadConfig([dir]);
  const merged = mergeSpecs(previous, load);
  const images = Object.fromEntries(
    [...merged.specs].map(([k, d]) => [k, (d.spec.spec as { templates: { container: { image: string } }[] }).templates[0].container.image]),
  );
  return { load, merged, images };
}

describe("specKey", () => {
  it.each([
    [{ apiVersion: "argoproj.io/v1alpha1", kind: "Sensor", metadata: { name: "s" }, spec: {} }, "Sensor/default/s"],
    [{ apiVersion: "argoproj.io/v1alpha1", kind: "Sensor", metadata: { name: "s", namespace: "x" }, spec: {} }, "Sensor/x/s"],
    [{ apiVersion: "argoproj.io/v1alpha1", kind: "ClusterWorkflowTemplate", metadata: { name: "t", namespace: "x" }, spec: {} }, "ClusterWorkflowTemplate//t"],
  ] as const)("%j -> %s", (spec, key) => {
    expect(specKey(spec as never)).toBe(key);
  });
});

describe("mergeSpecs", () => {
  it("takes valid new documents, keeps the last valid version of an invalid one, drops deleted ones", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1"));
    await writeFile(join(dir, "b.yaml"), template("b", "b:1"));
    await writeFile(join(dir, "c.yaml"), template("c", "c:1"));
    const first = await state(new Map());
    expect(first.load.errors).toEqual([]);

    await writeFile(join(dir, "a.yaml"), template("a", "a:2"));
    await writeFile(join(dir, "b.yaml"), broken("b"));
    await rm(join(dir, "c.yaml"));
    await writeFile(join(dir, "d.yaml"), broken("d"));
    const next = await state(first.merged.specs);
    expect(next.images).toEqual({ "WorkflowTemplate/argo/a": "a:2", "WorkflowTemplate/argo/b": "b:1" });
    expect(next.merged.kept.map((d) => d.spec.metadata.name)).toEqual(["b"]);
    // Each error names file, line and column.
    expect(next.load.errors.map((e) => e.location)).toEqual([`${join(dir, "b.yaml")}:8:3`, `${join(dir, "d.yaml")}:8:3`]);
  });

  it("keeps what a file held while it has a YAML syntax error", async () => {
    await writeFile(join(dir, "a.yaml"), template("a", "a:1") + "---\n" + template("a2", "a2:1"));
    const first = await state(new Map());
    await writeFile(join(dir, "a.yaml"), template("a", "a:2") + "---\nkind: [unclosed\n");
    const next = await state(first.merged.specs);
    expect(next.images).toEqual({ "WorkflowTemplate/argo/a": "a:2", "WorkflowTemplate/argo/a2": "a2:1" });
    expect(next.load.unknown).toEqual([join(dir, "a.yaml")]);
  });

  it("keeps the specs of a --config path that cannot be read", async () => {
    const sub = join(dir, "sub");
    await mkdir(sub);
    await writeFile(join(sub, "a.yaml"), template("a", "a:1"));
    const first = mergeSpecs(new Map(), await loadConfig([sub]));
    await rm(sub, { recursive: true });
    const load = await loadConfig([sub]);
    expect(load.errors).toHaveLength(1);
    expect([...mergeSpecs(first.specs, load).specs.keys()]).toEqual(["WorkflowTemplate/argo/a"]);
  });

  it("reports an invalid new document without running anything for it", async () => {
    await writeFile(join(dir, "a.yaml"), broken("a"));
    const { merged, load } = await state(new Map());
    expect(merged.specs.size).toBe(0);
    expect(merged.kept).toEqual([]);
    expect(load.invalid.map((d) => d.spec.metadata.name)).toEqual(["a"]);
  });

  it("takes the valid copy when a spec moves to another file", async () => {
    await writeFile(join(dir, "a.yaml"), template("t", "t:1"));
    const first = await state(new Map());
    await rm(join(dir, "a.yaml"));
    await writeFile(join(dir, "b.yaml"), template("t", "t:2"));
    const next = await state(first.merged.specs);
    expect(next.images).toEqual({ "WorkflowTemplate/argo/t": "t:2" });
  });
});

describe("errorIndex", () => {
  it("finds what errorsOf and a search over the documents find, for many documents", async () => {
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "a.yaml"), [broken("x"), broken("y"), template("ok", "alpine")].join("---\n"));
    // The same resource in another file, and a file whose name prefixes the other's.
    await writeFile(join(dir, "sub", "a.yaml"), broken("x"));
    await writeFile(join(dir, "a.yaml.yaml"), [broken("z"), broken("x")].join("---\n"));
    await writeFile(join(dir, "unparsable.yaml"), "a: [\n");
    const load = await loadConfig([dir]);
    expect(load.invalid.length).toBe(5);
    const index = errorIndex(load.invalid, load.errors);
    for (const doc of load.invalid) {
      expect(index.errorsOf(doc)).toEqual(errorsOf(doc, load.errors));
      expect(index.errorsOf(doc).length).toBeGreaterThan(0);
    }
    for (const e of load.errors) expect(index.docOf(e)).toBe(load.invalid.find((d) => errorsOf(d, [e]).length > 0));
  });

  it("keeps positions after load: the kept documents locate their fields", async () => {
    await writeFile(join(dir, "a.yaml"), [template("t1", "alpine"), broken("t2")].join("---\n"));
    const load = await loadConfig([dir]);
    expect(load.valid[0].locate(["spec", "templates", 0, "container", "image"])).toEqual({ line: 11, col: 9 });
    expect(load.invalid[0].locate(["spec", "templates"])).toEqual({ line: 20, col: 3 });
  });
});
