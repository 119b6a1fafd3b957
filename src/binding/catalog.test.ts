import { describe, expect, it } from "vitest";
import { LiveBindingCatalog, SpecBindingCatalog } from "./catalog.js";
import type { WorkflowTemplate } from "../api/types.js";
import { clusterTemplate, submitting, template } from "../../test/support/binding-fixtures.js";

/** `t` without metadata.namespace (or without metadata.name), as a YAML file may leave them out. */
function without(t: WorkflowTemplate, field: "namespace" | "name"): WorkflowTemplate {
  const metadata = { ...t.metadata };
  delete metadata[field];
  return { ...t, metadata };
}

describe("catalogs", () => {
  const a = submitting("a", "true", "t");
  const b = submitting("b", "true", "t", {}, { namespace: "other" });

  it("SpecBindingCatalog: bindings by namespace, templates namespaced or cluster-scoped", async () => {
    const c = new SpecBindingCatalog({ bindings: [a, b], workflowTemplates: [template("t"), clusterTemplate("shared")] });
    expect((await c.bindings("argo")).map((x) => x.name)).toEqual(["a"]);
    expect(await c.bindings("none")).toEqual([]);
    expect(await c.namespaces()).toEqual(["argo", "other"]);
    expect((await c.template("argo", { name: "t", clusterScope: false })).metadata.name).toBe("t");
    expect((await c.template("x", { name: "shared", clusterScope: true })).kind).toBe("ClusterWorkflowTemplate");
    await expect(c.template("other", { name: "t", clusterScope: false })).rejects.toThrow(/"t" not found in namespace other/);
    await expect(c.template("argo", { name: "t", clusterScope: true })).rejects.toThrow(/clusterworkflowtemplates.argoproj.io "t" not found/);
  });

  it("SpecBindingCatalog: namespaces in name order, whatever the order of the specs", async () => {
    const z = submitting("z", "true", "t", {}, { namespace: "zeta" });
    const c = new SpecBindingCatalog({ bindings: [z, b, a], workflowTemplates: [] });
    expect(await c.namespaces()).toEqual(["argo", "other", "zeta"]);
  });

  it("SpecBindingCatalog.all() lists every binding of every namespace", () => {
    const c = new SpecBindingCatalog({ bindings: [a, b], workflowTemplates: [] });
    expect(c.all().map((x) => `${x.namespace}/${x.name}`).sort()).toEqual(["argo/a", "other/b"]);
  });

  it.each<[string, () => SpecBindingCatalog | LiveBindingCatalog]>([
    ["SpecBindingCatalog", () => new SpecBindingCatalog({ bindings: [], workflowTemplates: [without(template("t"), "namespace")] })],
    ["LiveBindingCatalog", () => new LiveBindingCatalog(() => ({ bindings: [], workflowTemplates: [without(template("t"), "namespace")] }))],
  ])("%s: a template without a namespace is in the namespace default", async (_kind, make) => {
    const c = make();
    expect((await c.template("default", { name: "t", clusterScope: false })).metadata.name).toBe("t");
    await expect(c.template("argo", { name: "t", clusterScope: false })).rejects.toThrow(/"t" not found in namespace argo/);
  });

  it("SpecBindingCatalog: a template without a name is found by no named reference", async () => {
    const c = new SpecBindingCatalog({ bindings: [], workflowTemplates: [without(template("t"), "name")] });
    expect((await c.template("argo", { name: "", clusterScope: false })).spec).toEqual(template("t").spec);
    await expect(c.template("argo", { name: "undefined", clusterScope: false })).rejects.toThrow(/not found/);
  });

  it.each<[string, (specs: { bindings: ReturnType<typeof submitting>[]; workflowTemplates: WorkflowTemplate[] }) => SpecBindingCatalog | LiveBindingCatalog]>([
    ["SpecBindingCatalog", (specs) => new SpecBindingCatalog(specs)],
    ["LiveBindingCatalog", (specs) => new LiveBindingCatalog(() => specs)],
  ])("%s: a binding without a namespace is in the namespace default", async (_kind, make) => {
    const bare = submitting("bare", "true", "t");
    delete bare.metadata.namespace;
    const c = make({ bindings: [b, bare], workflowTemplates: [] });
    expect((await c.bindings("default")).map((x) => x.name)).toEqual(["bare"]);
    expect(await c.bindings("")).toEqual([]);
    expect(await c.namespaces()).toEqual(["default", "other"]);
  });

  it("LiveBindingCatalog follows the current specs and compiles each binding object once", async () => {
    let specs = { bindings: [a], workflowTemplates: [template("t")] };
    const c = new LiveBindingCatalog(() => specs);
    const first = (await c.bindings("argo"))[0];
    expect((await c.bindings("argo"))[0]).toBe(first);
    expect(await c.namespaces()).toEqual(["argo"]);
    specs = { bindings: [b, a], workflowTemplates: [] };
    expect(await c.namespaces()).toEqual(["argo", "other"]);
    expect((await c.bindings("argo")).map((x) => x.name)).toEqual(["a"]);
    expect((await c.bindings("other")).map((x) => x.name)).toEqual(["b"]);
    expect(await c.bindings("none")).toEqual([]);
    await expect(c.template("argo", { name: "t", clusterScope: false })).rejects.toThrow(/not found/);
  });
});
